/** The UI language (kept in this browser); printed forms stay Vietnamese whatever is chosen here. */
import { t } from '../i18n/core.ts';
import { LOCALES, locale, setLocale, type Locale } from '../i18n/index.ts';

export function LangSwitch() {
  return (
    <label class="lang">
      <span class="sr-only">{t('shell.language')}</span>
      <select data-testid="lang-switch" value={locale()} onChange={(e) => setLocale(e.currentTarget.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {l === 'vi' ? 'Tiếng Việt' : 'English'}
          </option>
        ))}
      </select>
    </label>
  );
}
