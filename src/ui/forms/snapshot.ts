/**
 * The domain's DossierSnapshot (src/domain/forms) built from what the worker returns: a Receipt right
 * after intake, or a DossierView. The forms' view models are computed from it in the domain.
 */
import { reduceDossier, sortEvents, type DossierEvent } from '../../domain/dossier.ts';
import type { DossierSnapshot } from '../../domain/forms/index.ts';
import type { DossierView, Receipt, ViewEvent } from '../../worker/types.ts';

/** A ViewEvent as the domain's DossierEvent: serverAt absent rather than null. */
function plain(e: ViewEvent): DossierEvent {
  const { serverAt, officerName: _name, ...rest } = e;
  return serverAt === null ? rest : { ...rest, serverAt };
}

export function snapshotOfView(v: DossierView): DossierSnapshot {
  const officerNames: Record<string, string> = {};
  for (const e of v.events) officerNames[e.officer] = e.officerName;
  const events = v.events.map(plain);
  return {
    code: v.code,
    unitName: v.homeUnitName,
    procedureName: v.procedureName,
    processingDays: v.processingDays,
    applicant: { ...v.applicant },
    components: v.components.map((c) => ({ ...c })),
    events,
    state: v.state,
    officerNames,
    receivedAt: v.state.receivedAt,
    // The view carries the appointment in force only; the statutory date before apologies is not in
    // the contract, so judgements in Mẫu 06 use the date in force.
    baseDueAt: v.dueAt,
    dueAt: v.dueAt,
  };
}

const ME = 'officer';

/** The intake's one event, as the worker wrote it (see worker/api.ts intakeEvent). */
function intakeEvent(r: Receipt): DossierEvent {
  const base = { id: `intake-${r.id}`, at: r.receivedAt, officer: ME, device: '' };
  switch (r.kind) {
    case 'receive':
      return { ...base, type: 'received' };
    case 'supplement':
      return { ...base, type: 'supplement_requested', data: { missing: JSON.stringify(r.missing), reason: r.reason, atIntake: true } };
    case 'refuse':
      return { ...base, type: 'refused', data: { reason: r.reason, atIntake: true } };
  }
}

export function snapshotOfReceipt(r: Receipt): DossierSnapshot {
  const events = sortEvents([intakeEvent(r)]);
  const state = reduceDossier(events);
  const a = r.applicant;
  const applicant: DossierSnapshot['applicant'] = { name: a.name, cccd: a.cccd, phone: a.phone, address: a.address };
  if (a.email !== undefined) applicant.email = a.email;
  if (a.vneidVerified !== undefined) applicant.vneidVerified = a.vneidVerified;
  return {
    code: r.code,
    unitName: r.unitName,
    procedureName: r.procedureName,
    processingDays: r.processingDays,
    applicant,
    components: r.components.map((c) => ({ name: c.name, received: c.received, copyKind: c.copyKind ?? 'original', count: c.count ?? 1 })),
    events,
    state,
    officerNames: { [ME]: r.officerName },
    receivedAt: r.kind === 'receive' ? r.receivedAt : null,
    baseDueAt: r.dueAt,
    dueAt: r.dueAt,
  };
}
