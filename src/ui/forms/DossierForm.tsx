/** The forms a dossier can print now (Mẫu 01-06), built from its view. */
import type { DossierView, ViewEvent } from '../../worker/types.ts';
import { Form01 } from './Form01.tsx';
import { Form02 } from './Form02.tsx';
import { Form03 } from './Form03.tsx';
import { Form04 } from './Form04.tsx';
import { Form05 } from './Form05.tsx';
import { Form06 } from './Form06.tsx';
import { collectPlace } from './IntakeForm.tsx';
import { bodyIssuer, dataNum, dataStr, fromView, missingOf } from './model.ts';

export type FormId = '01' | '02' | '03' | '04' | '05' | '06';

const last = (events: readonly ViewEvent[], type: ViewEvent['type'], conflicted: Set<string>): ViewEvent | undefined =>
  [...events].reverse().find((e) => e.type === type && !conflicted.has(e.id));

function conflictedIds(v: DossierView): Set<string> {
  return new Set(v.conflicts.map((c) => c.eventId));
}

/** Which forms apply: each needs the step it documents (an applied one, not a conflicting one). */
export function formsFor(v: DossierView): FormId[] {
  const c = conflictedIds(v);
  const has = (type: ViewEvent['type']): boolean => last(v.events, type, c) !== undefined;
  const ids: FormId[] = [];
  if (has('received')) ids.push('01');
  if (has('supplement_requested')) ids.push('02');
  if (has('refused')) ids.push('03');
  if (has('apologized')) ids.push('04');
  if (has('stopped')) ids.push('05');
  ids.push('06');
  return ids;
}

/** The body processing the dossier when an event happened (the last transfer before it). */
function bodyAt(v: DossierView, e: ViewEvent): string | null {
  let name: string | null = null;
  for (const x of v.events) {
    if (x.at > e.at) break;
    if (x.type === 'transferred') name = dataStr(x, 'name') || name;
  }
  return name;
}

export function DossierForm({ view, form }: { view: DossierView; form: FormId }) {
  const d = fromView(view);
  const c = conflictedIds(view);
  switch (form) {
    case '01':
      return <Form01 d={d} collectAt={collectPlace(view.homeUnitName)} />;
    case '02': {
      const e = last(view.events, 'supplement_requested', c);
      return <Form02 d={d} s={{ missing: missingOf(e), reason: dataStr(e, 'reason'), at: e?.at ?? d.receivedAt, officerName: e?.officerName ?? '' }} />;
    }
    case '03': {
      const e = last(view.events, 'refused', c);
      return <Form03 d={d} r={{ reason: dataStr(e, 'reason'), at: e?.at ?? d.receivedAt, officerName: e?.officerName ?? '' }} />;
    }
    case '04': {
      const e = last(view.events, 'apologized', c);
      const previous = dataNum(e, 'previousDueAt');
      return (
        <Form04
          d={d}
          p={{
            issuer: bodyIssuer(view.homeUnitName, e === undefined ? null : bodyAt(view, e)),
            at: e?.at ?? Date.now(),
            reason: dataStr(e, 'reason'),
            previousDueAt: previous,
            newDueAt: dataNum(e, 'newDueAt') ?? d.dueAt ?? Date.now(),
          }}
        />
      );
    }
    case '05': {
      const e = last(view.events, 'stopped', c);
      return <Form05 d={d} s={{ issuer: bodyIssuer(view.homeUnitName, e === undefined ? null : bodyAt(view, e)), at: e?.at ?? Date.now(), reason: dataStr(e, 'reason') }} />;
    }
    case '06':
      return <Form06 d={d} events={view.events} conflicts={view.conflicts} />;
  }
}
