/**
 * After an intake: the form the citizen takes away (receipt Mẫu 01, supplement request Mẫu 02 or
 * refusal Mẫu 03), printable on A4 or A5, and the way back to a new intake. The form itself loads
 * lazily (preloaded while the officer types); the code and the actions do not wait for it.
 */
import { useEffect, useState } from 'preact/hooks';
import type { Receipt } from '../../worker/types.ts';
import { ti } from '../i18n/intake.ts';
import { lazy } from '../lazy.tsx';
import { href } from '../router.ts';
import { PrintButtons } from './PrintButtons.tsx';
import { focusOnMount } from '../focus.ts';

const IntakeForm = lazy(() => import('../forms/IntakeForm.tsx').then((m) => m.IntakeForm));

export function preloadIntakeForms(): void {
  IntakeForm.preload();
}

export function IntakeResult({ receipt, onNew }: { receipt: Receipt; onNew: () => void }) {
  // The A4 form comes a frame after the rest: the answer that the dossier is saved and the actions
  // show at once, and the form's render and layout run in a task of their own (no long task on a slow laptop).
  const [sheet, setSheet] = useState(false);
  useEffect(() => setSheet(true), []);
  return (
    <main class="card receipt" data-testid="receipt" data-kind={receipt.kind}>
      {receipt.kind === 'refuse' && (
        // Mẫu 03 prints no code, but the refused dossier has one (it is in the list and the register).
        <p class="no-print">
          {ti('result.code')} <strong data-testid="receipt-code">{receipt.code}</strong>
        </p>
      )}
      {sheet && <IntakeForm receipt={receipt} />}
      <p class="muted no-print">{ti('result.saved')}</p>
      <div class="actions no-print">
        <PrintButtons testId="receipt-print" label={`${ti(`result.print.${receipt.kind}`)} (A4)`} />
        <a class="button secondary" href={href({ name: 'dossier', id: receipt.id })} data-testid="receipt-open">
          {ti('result.open')}
        </a>
        <button type="button" data-testid="receipt-new" onClick={onNew} ref={focusOnMount}>
          {ti('result.new')}
        </button>
      </div>
    </main>
  );
}
