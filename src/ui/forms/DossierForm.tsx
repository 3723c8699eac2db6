/** The forms a dossier can print now (Mẫu 01-06), from its view through the domain's view models. */
import type { DossierView } from '../../worker/types.ts';
import { Form01, Form02, Form03, Form04, Form05, Form06 } from './Forms.tsx';
import { snapshotOfView } from './snapshot.ts';

export type FormId = '01' | '02' | '03' | '04' | '05' | '06';

/** Which forms apply: each needs the step it documents (an applied one, not a conflicting one). */
export function formsFor(v: DossierView): FormId[] {
  const conflicted = new Set(v.conflicts.map((c) => c.eventId));
  const has = (type: DossierView['events'][number]['type']): boolean => v.events.some((e) => e.type === type && !conflicted.has(e.id));
  const ids: FormId[] = [];
  if (v.state.receivedAt !== null) ids.push('01');
  if (has('supplement_requested')) ids.push('02');
  if (has('refused')) ids.push('03');
  if (has('apologized')) ids.push('04');
  if (has('stopped')) ids.push('05');
  ids.push('06');
  return ids;
}

export function DossierForm({ view, form }: { view: DossierView; form: FormId }) {
  const s = snapshotOfView(view);
  switch (form) {
    case '01':
      return <Form01 s={s} />;
    case '02':
      return <Form02 s={s} />;
    case '03':
      return <Form03 s={s} />;
    case '04':
      return <Form04 s={s} />;
    case '05':
      return <Form05 s={s} />;
    case '06':
      return <Form06 s={s} />;
  }
}
