/**
 * One small form per workflow action. Each builds the WorkflowAction (or says what is missing); the
 * worker checks it again with the domain's rules and answers with a Failure message if it disagrees.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ProcessingBody, Rating, WorkflowActionType } from '../../domain/workflow.ts';
import { formatVnDate, formatVnDateTime } from '../../domain/time.ts';
import type { DossierView, WorkflowAction } from '../../worker/types.ts';
import { useUnits } from '../units.ts';
import { parseVnDateTime } from '../vn-date.ts';
import { td } from './messages.ts';
import { focusOnMount } from '../focus.ts';

export interface ActionFormProps {
  type: WorkflowActionType;
  view: DossierView;
  deviceUnit: string;
  busy: boolean;
  /** Suggested new date for an apology (one working day after the current one), ms. */
  suggestedDue: number | null;
  onSubmit: (a: WorkflowAction) => void;
  onCancel: () => void;
}

type Build = () => WorkflowAction | string;

function Frame({ type, busy, build, onSubmit, onCancel, children }: { type: WorkflowActionType; busy: boolean; build: Build; onSubmit: (a: WorkflowAction) => void; onCancel: () => void; children?: ComponentChildren }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="action-form"
      data-testid="action-form"
      data-action={type}
      aria-labelledby="action-form-title"
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        const a = build();
        if (typeof a === 'string') setError(a);
        else {
          setError(null);
          onSubmit(a);
        }
      }}
    >
      <h3 id="action-form-title">{td(`action.${type}`)}</h3>
      {children}
      {error !== null && (
        <p class="error" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      <div class="actions">
        <button type="submit" data-testid="action-confirm" disabled={busy}>
          {busy ? td('form.saving') : td('form.confirm')}
        </button>
        <button type="button" class="secondary" data-testid="action-cancel" onClick={onCancel}>
          {td('form.cancel')}
        </button>
      </div>
    </form>
  );
}

function TextArea({ label, value, set, testId, autoFocus }: { label: string; value: string; set: (v: string) => void; testId: string; autoFocus?: boolean }) {
  return (
    <label>
      {label}
      <textarea data-testid={testId} rows={2} value={value} onInput={(e) => set(e.currentTarget.value)} ref={autoFocus === true ? focusOnMount : undefined} />
    </label>
  );
}

const need = (field: string): string => td('form.required', { field });

/** accept, supplement_received: a note only. */
function NoteOnly(p: ActionFormProps) {
  const [note, setNote] = useState('');
  const build: Build = () => (p.type === 'accept' ? { type: 'accept', note } : { type: 'supplement_received', note });
  return (
    <Frame {...p} build={build}>
      <TextArea label={td('form.note')} value={note} set={setNote} testId="action-note" autoFocus />
    </Frame>
  );
}

/** stop (Mẫu 05), withdraw: a reason. */
function ReasonOnly(p: ActionFormProps) {
  const [reason, setReason] = useState('');
  const build: Build = () => {
    const r = reason.trim();
    if (r === '') return need(td('form.reason'));
    return p.type === 'stop' ? { type: 'stop', reason: r } : { type: 'withdraw', reason: r };
  };
  return (
    <Frame {...p} build={build}>
      <TextArea label={td('form.reason')} value={reason} set={setReason} testId="action-reason" autoFocus />
    </Frame>
  );
}

const KINDS: readonly ProcessingBody['kind'][] = ['commune_office', 'city_department', 'other_commune'];
const OFFICE_SUGGESTIONS = ['Phòng Văn hóa - Xã hội', 'Phòng Kinh tế', 'Phòng Kinh tế, Hạ tầng và Đô thị', 'Văn phòng HĐND và UBND'];
const DEPARTMENT_SUGGESTIONS = ['Sở Tư pháp', 'Sở Xây dựng', 'Sở Nông nghiệp và Môi trường', 'Sở Nội vụ', 'Sở Y tế', 'Sở Tài chính', 'Công an thành phố'];

function Transfer(p: ActionFormProps) {
  const units = useUnits().filter((u) => u.code !== p.deviceUnit);
  const [kind, setKind] = useState<ProcessingBody['kind']>('commune_office');
  const [name, setName] = useState('');
  const [unit, setUnit] = useState('');
  const [note, setNote] = useState('');
  const build: Build = () => {
    if (kind === 'other_commune') {
      const u = units.find((x) => x.code === unit);
      if (u === undefined) return need(td('transfer.unit'));
      return { type: 'transfer', to: { kind, name: u.name, unit: u.code }, note };
    }
    if (name.trim() === '') return need(td('transfer.name'));
    return { type: 'transfer', to: { kind, name: name.trim() }, note };
  };
  return (
    <Frame {...p} build={build}>
      <fieldset>
        <legend>{td('transfer.kind')}</legend>
        {KINDS.map((k, i) => (
          <label class="check" key={k}>
            <input type="radio" name="transfer-kind" value={k} data-testid={`transfer-kind-${k}`} checked={kind === k} onChange={() => setKind(k)} ref={i === 0 ? focusOnMount : undefined} />
            {td(`transfer.${k}`)}
          </label>
        ))}
      </fieldset>
      {kind === 'other_commune' ? (
        <label>
          {td('transfer.unit')}
          <select data-testid="transfer-unit" value={unit} onChange={(e) => setUnit(e.currentTarget.value)}>
            <option value="">{td('transfer.chooseUnit')}</option>
            {units.map((u) => (
              <option key={u.code} value={u.code}>
                {u.name}
              </option>
            ))}
          </select>
        </label>
      ) : (
        <label>
          {td('transfer.name')}
          <input data-testid="transfer-name" list={`bodies-${kind}`} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <datalist id={`bodies-${kind}`}>
            {(kind === 'commune_office' ? OFFICE_SUGGESTIONS : DEPARTMENT_SUGGESTIONS).map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
        </label>
      )}
      <TextArea label={td('form.note')} value={note} set={setNote} testId="action-note" />
    </Frame>
  );
}

function RequestSupplement(p: ActionFormProps) {
  const names = p.view.components.map((c) => c.name);
  const [chosen, setChosen] = useState<boolean[]>(() => p.view.components.map((c) => !c.received));
  const [extra, setExtra] = useState('');
  const [reason, setReason] = useState('');
  const build: Build = () => {
    const missing = [
      ...names.filter((_, i) => chosen[i] === true),
      ...extra
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ];
    if (missing.length === 0) return need(td('supplement.missing'));
    if (reason.trim() === '') return need(td('form.reason'));
    return { type: 'request_supplement', missing, reason: reason.trim() };
  };
  return (
    <Frame {...p} build={build}>
      <fieldset>
        <legend>{td('supplement.missing')}</legend>
        {names.map((n, i) => (
          <label class="check" key={n}>
            <input
              type="checkbox"
              data-testid="supplement-missing"
              checked={chosen[i] === true}
              onChange={(e) => {
                const next = [...chosen];
                next[i] = e.currentTarget.checked;
                setChosen(next);
              }}
              ref={i === 0 ? focusOnMount : undefined}
            />
            {n}
          </label>
        ))}
        <TextArea label={td('supplement.extra')} value={extra} set={setExtra} testId="supplement-extra" autoFocus={names.length === 0} />
      </fieldset>
      <TextArea label={td('form.reason')} value={reason} set={setReason} testId="action-reason" />
    </Frame>
  );
}

function Resolve(p: ActionFormProps) {
  const [outcome, setOutcome] = useState<'approved' | 'denied'>('approved');
  const [documentNo, setDocumentNo] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const build: Build = () => {
    if (outcome === 'approved') {
      if (documentNo.trim() === '') return need(td('resolve.documentNo'));
      return { type: 'resolve', outcome, documentNo: documentNo.trim(), note };
    }
    if (reason.trim() === '') return need(td('form.reason'));
    return { type: 'resolve', outcome, reason: reason.trim() };
  };
  return (
    <Frame {...p} build={build}>
      <fieldset>
        <legend>{td('resolve.outcome')}</legend>
        {(['approved', 'denied'] as const).map((o, i) => (
          <label class="check" key={o}>
            <input type="radio" name="resolve-outcome" data-testid={`resolve-${o}`} checked={outcome === o} onChange={() => setOutcome(o)} ref={i === 0 ? focusOnMount : undefined} />
            {td(`resolve.${o}`)}
          </label>
        ))}
      </fieldset>
      {outcome === 'approved' ? (
        <>
          <label>
            {td('resolve.documentNo')}
            <input data-testid="resolve-document-no" value={documentNo} onInput={(e) => setDocumentNo(e.currentTarget.value)} />
          </label>
          <TextArea label={td('form.note')} value={note} set={setNote} testId="action-note" />
        </>
      ) : (
        <TextArea label={td('form.reason')} value={reason} set={setReason} testId="action-reason" />
      )}
    </Frame>
  );
}

function Apologize(p: ActionFormProps) {
  const start = p.suggestedDue;
  const [date, setDate] = useState(start === null ? '' : formatVnDate(start));
  // formatVnDateTime is 'HH:mm dd/MM/yyyy': its first five characters are the time.
  const [time, setTime] = useState(start === null ? '17:00' : formatVnDateTime(start).slice(0, 5));
  const [reason, setReason] = useState('');
  // The suggestion arrives with the calendar, possibly after the form opened: it fills each field the
  // officer has not typed in yet. Refs, not the rendered values: the effect may run after a keystroke
  // that its render did not see yet, and must not replace what was typed.
  const typedDate = useRef(false);
  const typedTime = useRef(false);
  useEffect(() => {
    if (start === null) return;
    if (!typedDate.current) setDate(formatVnDate(start));
    if (!typedTime.current) setTime(formatVnDateTime(start).slice(0, 5));
  }, [start]);
  const typeDate = (v: string): void => {
    typedDate.current = true;
    setDate(v);
  };
  const typeTime = (v: string): void => {
    typedTime.current = true;
    setTime(v);
  };
  const build: Build = () => {
    const newDueAt = parseVnDateTime(date, time);
    if (newDueAt === null) return td('apologize.badDate');
    if (reason.trim() === '') return need(td('form.reason'));
    return { type: 'apologize', newDueAt, reason: reason.trim() };
  };
  return (
    <Frame {...p} build={build}>
      {p.view.dueAt !== null && <p class="muted">{td('apologize.current', { due: formatVnDateTime(p.view.dueAt) })}</p>}
      <div class="grid2">
        <label>
          {td('apologize.newDate')}
          <input data-testid="apologize-date" inputMode="numeric" placeholder="dd/mm/yyyy" value={date} onInput={(e) => typeDate(e.currentTarget.value)} ref={focusOnMount} />
        </label>
        <label>
          {td('apologize.newTime')}
          <input data-testid="apologize-time" inputMode="numeric" placeholder="HH:mm" value={time} onInput={(e) => typeTime(e.currentTarget.value)} />
        </label>
      </div>
      <TextArea label={td('form.reason')} value={reason} set={setReason} testId="action-reason" />
    </Frame>
  );
}

const RATING_OPTIONS: readonly (Rating | 'none')[] = ['very_satisfied', 'satisfied', 'unsatisfied', 'none'];

function ReturnResult(p: ActionFormProps) {
  const [rating, setRating] = useState<Rating | 'none'>('very_satisfied');
  const [note, setNote] = useState('');
  const build: Build = () => (rating === 'none' ? { type: 'return_result', note } : { type: 'return_result', rating, note });
  return (
    <Frame {...p} build={build}>
      <fieldset data-testid="return-rating">
        <legend>{td('return.rating')}</legend>
        {RATING_OPTIONS.map((r, i) => (
          <label class="check" key={r}>
            <input type="radio" name="rating" data-testid={`rating-${r}`} checked={rating === r} onChange={() => setRating(r)} ref={i === 0 ? focusOnMount : undefined} />
            {td(`rating.${r}`)}
          </label>
        ))}
      </fieldset>
      <TextArea label={td('form.note')} value={note} set={setNote} testId="action-note" />
    </Frame>
  );
}

export function ActionForm(p: ActionFormProps) {
  switch (p.type) {
    case 'transfer':
      return <Transfer {...p} />;
    case 'accept':
    case 'supplement_received':
      return <NoteOnly {...p} />;
    case 'request_supplement':
      return <RequestSupplement {...p} />;
    case 'resolve':
      return <Resolve {...p} />;
    case 'stop':
    case 'withdraw':
      return <ReasonOnly {...p} />;
    case 'apologize':
      return <Apologize {...p} />;
    case 'return_result':
      return <ReturnResult {...p} />;
  }
}

