/** First run: the device joins its commune with a one-time code from the sync admin (needs the network). */
import { useState } from 'preact/hooks';
import type { DeviceSummary } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { useSubmit } from '../use-submit.ts';
import { LangSwitch } from '../components/LangSwitch.tsx';
import { t } from '../i18n/core.ts';
import { focusOnMount } from '../focus.ts';

export function EnrollScreen({ onEnrolled }: { onEnrolled: (d: DeviceSummary) => void }) {
  const [code, setCode] = useState('');
  const [label, setLabel] = useState(() => t('enroll.defaultLabel'));
  const { busy, error, submit } = useSubmit(() => worker().enroll(code, label), onEnrolled);

  return (
    <main class="card narrow">
      <div class="corner">
        <LangSwitch />
      </div>
      <h1>{t('enroll.title')}</h1>
      <p>{t('enroll.explain')}</p>
      <form data-testid="enroll-form" onSubmit={submit}>
        <label>
          {t('enroll.code')}
          <input data-testid="enroll-code" value={code} onInput={(e) => setCode(e.currentTarget.value)} required ref={focusOnMount} />
        </label>
        <label>
          {t('enroll.label')}
          <input data-testid="enroll-label" value={label} onInput={(e) => setLabel(e.currentTarget.value)} required />
        </label>
        {error !== null && (
          <p class="error" role="alert" data-testid="form-error">
            {error}
          </p>
        )}
        <button type="submit" data-testid="enroll-submit" disabled={busy}>
          {busy ? t('enroll.busy') : t('enroll.submit')}
        </button>
      </form>
    </main>
  );
}
