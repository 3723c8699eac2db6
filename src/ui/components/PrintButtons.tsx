/** Print on A4 (the default) or A5: window.print of the sheet on screen, which works offline. */
import { t } from '../i18n/core.ts';
import { printAs } from '../print.ts';

export function PrintButtons({ testId, label, landscape = false }: { testId: string; label?: string; landscape?: boolean }) {
  return (
    <>
      <button type="button" data-testid={testId} onClick={() => printAs('A4', landscape)}>
        {label ?? t('print.a4')}
      </button>
      <button type="button" class="secondary" data-testid={`${testId}-a5`} onClick={() => printAs('A5', landscape)}>
        {t('print.a5')}
      </button>
    </>
  );
}
