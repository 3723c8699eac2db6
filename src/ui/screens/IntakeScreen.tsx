/**
 * Intake (tiếp nhận hồ sơ): the procedure, the applicant, the checklist, then one of three ways out:
 * receive (receipt, Mẫu 01), request a supplement (Mẫu 02) or refuse (Mẫu 03). The form appears only
 * when the worker says the dossier is durable on this device. Keyboard only: Enter receives, Alt+B and
 * Alt+C open the other two (shown on screen).
 */
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Procedure } from '../../domain/catalog.ts';
import type { DeviceSummary, IntakeDecision, Receipt } from '../../worker/types.ts';
import { procedures, worker } from '../bridge.ts';
import { firstScreenShown } from '../first-screen.ts';
import { IntakeResult, preloadIntakeForms } from '../components/IntakeResult.tsx';
import { viCollator } from '../i18n/index.ts';
import { ti } from '../i18n/intake.ts';
import { ApplicantFields, FieldError } from '../intake/ApplicantFields.tsx';
import { ComponentRows } from '../intake/ComponentRows.tsx';
import { DecisionPanel } from '../intake/DecisionPanel.tsx';
import { componentNames, emptyForm, freshComponents, missingOf, toInput, type FormState } from '../intake/model.ts';
import { recheckStorage } from '../storage.ts';

export function IntakeScreen({ device }: { device: DeviceSummary }) {
  const [procs, setProcs] = useState<Procedure[]>([]);
  const [form, setForm] = useState<FormState>(() => emptyForm(device.unit));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [receipt, setReceipt] = useState<Receipt | null>(null);
  const [deciding, setDeciding] = useState<'supplement' | 'refuse' | null>(null);
  const [cccdTouched, setCccdTouched] = useState(false);
  // The double-press guard: set at once, while `busy` (what the officer sees) may come later.
  const sending = useRef(false);
  const procSelect = useRef<HTMLSelectElement>(null);

  useEffect(() => {
    procedures().then(
      (p) => setProcs([...p].sort((a, b) => viCollator.compare(a.name, b.name))),
      () => setMessage(ti('intake.catalogFailed')),
    );
    // The printable forms load while the officer types, so the receipt shows at once.
    const idle = window.setTimeout(preloadIntakeForms, 1500);
    return () => window.clearTimeout(idle);
  }, []);

  useEffect(() => {
    if (procs.length > 0) firstScreenShown();
  }, [procs.length > 0]);

  // Alt+N / Alt+B / Alt+C, handled here rather than with accesskey: browsers differ on accesskey
  // modifiers, and a key must never submit twice. A layout effect, like the focus below: the keys
  // work from the moment the form has focus, not a frame later (a fast officer lost the first Alt+B).
  useLayoutEffect(() => {
    if (receipt !== null) return;
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey || e.ctrlKey || e.metaKey || e.isComposing) return;
      const id = { n: 'intake-submit', b: 'intake-supplement', c: 'intake-refuse' }[e.key.toLowerCase()];
      if (id === undefined) return;
      e.preventDefault();
      document.querySelector<HTMLButtonElement>(`[data-testid="${id}"]`)?.click();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [receipt]);

  const proc = procs.find((p) => p.code === form.procedureCode);
  const set = (patch: Partial<FormState>): void => setForm((f) => ({ ...f, ...patch }));

  // Keyboard work starts on the procedure, when the form is first shown and after each receipt.
  useLayoutEffect(() => {
    if (receipt === null) procSelect.current?.focus();
  }, [receipt === null]);

  // The procedure list changes only with the catalog: not diffed again on every key typed.
  const procOptions = useMemo(
    () => (
      <>
        {procs.map((p) => (
          <option key={p.code} value={p.code}>
            {p.name}
          </option>
        ))}
      </>
    ),
    [procs],
  );

  async function send(decision: IntakeDecision): Promise<void> {
    if (sending.current) return;
    sending.current = true;
    setMessage(null);
    // "Saving…" shows only when the write takes long enough to be seen: a fast commit renders nothing
    // between the press and its receipt (on a slow laptop a render of this form is tens of ms, and the
    // worker's answer would wait behind it).
    const showBusy = window.setTimeout(() => setBusy(true), 150);
    // Press-to-durable, read by the benchmarks (performance entries named 'intake-commit').
    const pressedAt = performance.now();
    const r = await worker().intake(toInput(form, proc), decision);
    window.clearTimeout(showBusy);
    sending.current = false;
    setBusy(false);
    if (r.ok) {
      performance.measure('intake-commit', { start: pressedAt });
      setErrors({});
      setDeciding(null);
      setReceipt(r.value);
    } else {
      setErrors(r.fieldErrors ?? {});
      // The form keeps everything typed: once space is freed, the same press saves it.
      if (r.reason === 'storage_full') {
        setMessage(ti('intake.storageFull'));
        recheckStorage();
      } else setMessage(r.message);
    }
  }

  const onKeyDown = (e: KeyboardEvent): void => {
    // Enter on a checkbox submits too (browsers only do it from text fields).
    const target = e.target as HTMLElement;
    if (e.key === 'Enter' && target instanceof HTMLInputElement && target.type === 'checkbox') {
      e.preventDefault();
      (e.currentTarget as HTMLFormElement).requestSubmit();
    }
  };

  // While the receipt shows, the form is parked (content-visibility: hidden keeps its layout), not
  // unmounted: the next intake does not rebuild and lay out the form and its 100-odd options again.
  const parked = receipt !== null;
  return (
    <>
      {receipt !== null && (
        <IntakeResult
          receipt={receipt}
          onNew={() => {
            setReceipt(null);
            setForm(emptyForm(device.unit));
            setCccdTouched(false);
          }}
        />
      )}
      <div class={parked ? 'parked' : undefined} inert={parked}>
        <main class="card">
          <h1>{ti('intake.title')}</h1>
          <form
            data-testid="intake-form"
            onSubmit={(e) => {
              e.preventDefault();
              void send({ kind: 'receive' });
            }}
            onKeyDown={onKeyDown}
            noValidate
          >
            <label>
              {ti('intake.procedure')}
              <select
                data-testid="procedure-select"
                value={form.procedureCode}
                onChange={(e) => {
                  const code = e.currentTarget.value;
                  set({ procedureCode: code, components: freshComponents(procs.find((p) => p.code === code)) });
                }}
                aria-invalid={errors['procedureCode'] !== undefined}
                aria-describedby={errors['procedureCode'] !== undefined ? 'err-procedureCode' : proc !== undefined ? 'proc-time' : undefined}
                ref={procSelect}
              >
                <option value="">{ti('intake.chooseProcedure')}</option>
                {procOptions}
              </select>
              <FieldError id="procedureCode" text={errors['procedureCode']} />
              {proc !== undefined && (
                <span class="hint" id="proc-time" data-testid="procedure-time">
                  {proc.processingDays === 0 ? ti('intake.time.sameDay') : ti('intake.time.days', { n: proc.processingDays })}
                </span>
              )}
            </label>
            <ApplicantFields form={form} set={set} errors={errors} cccdTouched={cccdTouched} onCccdBlur={() => setCccdTouched(true)} />
            {proc !== undefined && (
              <ComponentRows
                names={componentNames(proc)}
                value={form.components}
                onChange={(components) => set({ components })}
                missing={missingOf(form, proc)}
                error={errors['components']}
              />
            )}
            {message !== null && (
              <p class="error" role="alert" data-testid="form-error">
                {message}
              </p>
            )}
            <div class="actions">
              <button type="submit" data-testid="intake-submit" disabled={busy} aria-keyshortcuts="Alt+N Enter">
                {busy && deciding === null ? ti('intake.saving') : ti('intake.receive')}
              </button>
              <button
                type="button"
                class="secondary"
                data-testid="intake-supplement"
                disabled={busy}
                aria-keyshortcuts="Alt+B"
                aria-expanded={deciding === 'supplement'}
                onClick={() => setDeciding('supplement')}
              >
                {ti('intake.supplement')}
              </button>
              <button
                type="button"
                class="danger"
                data-testid="intake-refuse"
                disabled={busy}
                aria-keyshortcuts="Alt+C"
                aria-expanded={deciding === 'refuse'}
                onClick={() => setDeciding('refuse')}
              >
                {ti('intake.refuse')}
              </button>
            </div>
            <p class="muted shortcuts" data-testid="intake-shortcuts">
              {ti('intake.shortcuts')}
            </p>
          </form>
          {deciding !== null && (
            <DecisionPanel
              key={deciding}
              kind={deciding}
              candidates={missingOf(form, proc)}
              busy={busy}
              onConfirm={(d) => void send(d)}
              onCancel={() => setDeciding(null)}
            />
          )}
        </main>
      </div>
    </>
  );
}
