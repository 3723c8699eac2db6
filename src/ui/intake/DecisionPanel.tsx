/**
 * The two ways an intake ends without a receipt: a supplement request listing every missing document
 * at once (Mẫu 02), or a refusal with its reason (Mẫu 03).
 */
import { useState } from 'preact/hooks';
import type { IntakeDecision } from '../../worker/types.ts';
import { ti } from '../i18n/intake.ts';
import { focusOnMount } from '../focus.ts';

interface Props {
  kind: 'supplement' | 'refuse';
  /** Components not ticked, proposed as missing. */
  candidates: string[];
  busy: boolean;
  onConfirm: (d: IntakeDecision) => void;
  onCancel: () => void;
}

export function DecisionPanel({ kind, candidates, busy, onConfirm, onCancel }: Props) {
  // Unticked by the officer; a candidate not listed here is proposed (the candidates follow the checklist).
  const [dropped, setDropped] = useState<ReadonlySet<string>>(new Set());
  const [extra, setExtra] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);

  const submit = (e: Event): void => {
    e.preventDefault();
    if (reason.trim() === '') {
      setError(ti('decision.needReason'));
      return;
    }
    if (kind === 'refuse') {
      onConfirm({ kind: 'refuse', reason: reason.trim() });
      return;
    }
    const missing = [
      ...candidates.filter((c) => !dropped.has(c)),
      ...extra
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ];
    if (missing.length === 0) {
      setError(ti('decision.needMissing'));
      return;
    }
    onConfirm({ kind: 'supplement', missing, reason: reason.trim() });
  };

  const title = kind === 'supplement' ? ti('decision.supplementTitle') : ti('decision.refuseTitle');
  return (
    <form class="decision" data-testid="decision-form" data-kind={kind} onSubmit={submit} aria-labelledby="decision-title" noValidate>
      <h2 id="decision-title">{title}</h2>
      {kind === 'supplement' && (
        <fieldset>
          <legend>{ti('decision.missing')}</legend>
          {candidates.map((name) => (
            <label class="check" key={name}>
              <input
                type="checkbox"
                data-testid="decision-missing"
                checked={!dropped.has(name)}
                onChange={(e) => {
                  const next = new Set(dropped);
                  if (e.currentTarget.checked) next.delete(name);
                  else next.add(name);
                  setDropped(next);
                }}
              />
              {name}
            </label>
          ))}
          <label>
            {ti('decision.extra')}
            <textarea data-testid="decision-missing-extra" rows={2} value={extra} onInput={(e) => setExtra(e.currentTarget.value)} />
          </label>
        </fieldset>
      )}
      <label>
        {ti('decision.reason')}
        <textarea
          data-testid="decision-reason"
          rows={2}
          required
          placeholder={ti(kind === 'supplement' ? 'decision.reasonSupplementHint' : 'decision.reasonRefuseHint')}
          value={reason}
          onInput={(e) => setReason(e.currentTarget.value)}
          ref={focusOnMount}
        />
      </label>
      {error !== null && (
        <p class="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" data-testid="decision-confirm" disabled={busy}>
          {busy ? ti('intake.saving') : ti(kind === 'supplement' ? 'decision.confirmSupplement' : 'decision.confirmRefuse')}
        </button>
        <button type="button" class="secondary" data-testid="decision-cancel" onClick={onCancel}>
          {ti('decision.cancel')}
        </button>
      </div>
    </form>
  );
}
