/**
 * One dossier (#/dossier/<id>): its fields, status and deadline, conflicts first and loud, the
 * timeline, the actions the officer may take now, and the forms it can print. Re-read from the worker
 * whenever its projection row changes (a step here, or one synced from another device).
 */
import { useEffect, useState } from 'preact/hooks';
import type { WorkflowActionType } from '../../domain/workflow.ts';
import type { DeviceSummary, DossierView, Session, WorkflowAction } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { PrintButtons } from '../components/PrintButtons.tsx';
import { clockAt, loadCalendar } from '../due.ts';
import { DossierForm, formsFor, type FormId } from '../forms/DossierForm.tsx';
import { useLive } from '../live.ts';
import { href } from '../router.ts';
import { useUnits, type Unit } from '../units.ts';
import { ActionForm } from './ActionForms.tsx';
import { ConflictBanner } from './ConflictBanner.tsx';
import { DossierFacts } from './DossierFacts.tsx';
import { td } from './messages.ts';
import { Timeline } from './Timeline.tsx';
import { focusOnMount } from '../focus.ts';

/** The form that documents a step, offered for printing right after it. */
const FORM_AFTER: Partial<Record<WorkflowActionType, FormId>> = { request_supplement: '02', apologize: '04', stop: '05' };

/** A dossier transferred here from another commune may name its home unit by code only: show its name. */
function withUnitName(v: DossierView, units: readonly Unit[]): DossierView {
  if (v.homeUnitName !== v.homeUnit) return v;
  const name = units.find((u) => u.code === v.homeUnit)?.name;
  return name === undefined ? v : { ...v, homeUnitName: name };
}

interface Props {
  id: string;
  session: Session;
  device: DeviceSummary;
}

export function DossierScreen({ id, device }: Props) {
  const [loaded, setView] = useState<DossierView | null | undefined>(undefined);
  const [acting, setActing] = useState<WorkflowActionType | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ type: WorkflowActionType } | null>(null);
  const [preview, setPreview] = useState<FormId | null>(null);
  const [suggestedDue, setSuggestedDue] = useState<number | null>(null);
  const stamp = useLive((db) => db.dossiers.get(id).then((r) => (r === undefined ? -1 : r.updatedAt)), [id], 0);

  const units = useUnits();
  useEffect(() => {
    let live = true;
    worker()
      .dossier(id)
      .then(
        (v) => live && setView(v),
        (e: unknown) => {
          console.error('dossier view failed', e);
          if (live) setView(null);
        },
      );
    return () => {
      live = false;
    };
  }, [id, stamp]);

  useEffect(() => {
    if (acting !== 'apologize' || loaded?.dueAt == null) return;
    const due = loaded.dueAt;
    void loadCalendar().then((c) => setSuggestedDue(c === null ? due + 24 * 3600_000 : c.mod.addWorkingDays(c.cal, due, 1)));
  }, [acting, loaded?.dueAt]);

  if (loaded === undefined) return <main class="card"><p class="loading">{td('dossier.loading')}</p></main>;
  if (loaded === null) {
    return (
      <main class="card" data-testid="dossier-screen" data-state="missing">
        <a href={href({ name: 'list' })}>{td('dossier.back')}</a>
        <p role="alert">{td('dossier.notFound')}</p>
      </main>
    );
  }

  const view = withUnitName(loaded, units);

  if (preview !== null) {
    return (
      <main class="card preview" data-testid="form-preview" data-form={preview}>
        <h1 class="sr-only">{td('print.preview', { form: td(`print.form${preview}`) })}</h1>
        <div class="actions no-print">
          <PrintButtons testId="preview-print" />
          <button type="button" class="secondary" data-testid="preview-close" onClick={() => setPreview(null)} ref={focusOnMount}>
            {td('print.close')}
          </button>
        </div>
        <DossierForm view={view} form={preview} />
      </main>
    );
  }

  async function act(action: WorkflowAction): Promise<void> {
    setBusy(true);
    setError(null);
    const r = await worker().act(view.id, action);
    setBusy(false);
    if (r.ok) {
      setView(r.value);
      setActing(null);
      setDone({ type: action.type });
    } else {
      setError(r.message);
    }
  }

  // An apology only makes sense before the deadline (Mẫu 04): hide it once the date has passed.
  const now = clockAt(Date.now()).now;
  const allowed = view.allowed.filter((a) => a !== 'apologize' || (view.dueAt !== null && now < view.dueAt));
  const printable = formsFor(view);
  const after = done === null ? undefined : FORM_AFTER[done.type];

  return (
    <main class="card wide" data-testid="dossier-screen" data-id={view.id} data-status={view.state.status}>
      <a href={href({ name: 'list' })} class="no-print" data-testid="dossier-back">
        {td('dossier.back')}
      </a>
      <h1>
        {td('dossier.title')} <span data-testid="dossier-code">{view.code}</span>
      </h1>
      <ConflictBanner view={view} />
      <DossierFacts view={view} />
      <section aria-labelledby="actions-title" class="no-print">
        <h2 id="actions-title">{td('actions.title')}</h2>
        {done !== null && (
          <p class="info" role="status" data-testid="action-done">
            {td('actions.done', { action: td(`action.${done.type}`) })}
            {after !== undefined && (
              <>
                {' '}
                <button type="button" class="link" data-testid="action-print-after" onClick={() => setPreview(after)}>
                  {td(`print.form${after}`)}
                </button>
              </>
            )}
          </p>
        )}
        {allowed.length === 0 ? (
          <p class="muted" data-testid="actions-none">
            {td('actions.none')}
          </p>
        ) : (
          <div class="action-buttons" role="group" aria-label={td('actions.title')}>
            {allowed.map((a) => (
              <button
                key={a}
                type="button"
                class={acting === a ? '' : 'secondary'}
                data-testid={`action-${a}`}
                aria-pressed={acting === a}
                onClick={() => {
                  setError(null);
                  setDone(null);
                  setActing(acting === a ? null : a);
                }}
              >
                {td(`action.${a}`)}
              </button>
            ))}
          </div>
        )}
        {acting !== null && (
          <ActionForm
            key={acting}
            type={acting}
            view={view}
            deviceUnit={device.unit}
            busy={busy}
            suggestedDue={suggestedDue}
            onSubmit={(a) => void act(a)}
            onCancel={() => setActing(null)}
          />
        )}
        {error !== null && (
          <p class="error" role="alert" data-testid="action-error">
            {error}
          </p>
        )}
      </section>
      <Timeline events={view.events} conflicts={view.conflicts} />
      <section aria-labelledby="print-title" class="no-print">
        <h2 id="print-title">{td('print.title')}</h2>
        <div class="action-buttons">
          {printable.map((f) => (
            <button key={f} type="button" class="secondary" data-testid={`print-form-${f}`} onClick={() => setPreview(f)}>
              {td(`print.form${f}`)}
            </button>
          ))}
        </div>
      </section>
    </main>
  );
}
