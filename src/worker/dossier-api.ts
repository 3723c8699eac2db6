/**
 * The dossier screen's side of the worker: read a dossier as a view, and append workflow steps as
 * events, each durable before it resolves (like an intake).
 */
import type { WorkflowAction } from '../domain/workflow.ts';
import { allowedActions, buildEvent, type OfficerRole } from '../domain/workflow.ts';
import { appendEventUpdate, writerIdOf } from './dossier-doc.ts';
import type { DeviceInfo, LocalStore } from './local-store.ts';
import type { DossierView, Failure, Outcome, Session } from './types.ts';

export interface DossierDeps {
  store: LocalStore;
  now: () => number;
  newId: () => string;
  unitName: (code: string) => string;
  officerNames: () => Promise<Record<string, string>>;
}

function parseComponents(json: string): DossierView['components'] {
  try {
    const raw: unknown = JSON.parse(json);
    if (!Array.isArray(raw)) return [];
    return raw.map((c: { name?: unknown; received?: unknown; copyKind?: unknown; count?: unknown }) => ({
      name: typeof c.name === 'string' ? c.name : '',
      received: c.received === true,
      copyKind: typeof c.copyKind === 'string' ? c.copyKind : 'original',
      count: typeof c.count === 'number' ? c.count : 1,
    }));
  } catch {
    return [];
  }
}

export async function dossierView(d: DossierDeps, id: string, session: Session | undefined): Promise<DossierView | null> {
  const row = await d.store.db.dossiers.get(id);
  if (row === undefined) return null;
  const doc = await d.store.loadDoc(row.doc);
  if (doc === null) return null;
  const v = d.store.projector.derive(doc, await d.officerNames());
  doc.destroy();
  const received = v.events.find((e) => e.type === 'received');
  return {
    id,
    doc: row.doc,
    homeUnit: row.unit,
    homeUnitName: d.unitName(row.unit),
    code: v.fields.code,
    procedureCode: v.fields.procedureCode,
    procedureName: v.fields.procedureName,
    processingDays: v.fields.processingDays,
    applicant: {
      name: v.fields.name,
      cccd: v.fields.cccd,
      phone: v.fields.phone,
      email: v.fields.email,
      address: v.fields.address,
      vneidVerified: v.fields.vneidVerified,
    },
    components: parseComponents(v.fields.components),
    receivedAt: v.fields.receivedAt,
    dueAt: v.dueAt,
    receivedBy: received?.officerName ?? '',
    events: v.events,
    state: v.state,
    conflicts: v.state.conflicts,
    allowed: session === undefined ? [] : allowedActions(v.state, session.role as OfficerRole),
  };
}

export async function actOnDossier(
  d: DossierDeps,
  id: string,
  action: WorkflowAction,
  device: DeviceInfo | undefined,
  session: Session | undefined,
): Promise<Outcome<DossierView>> {
  if (device === undefined) return fail('not_enrolled', 'Thiết bị chưa được đăng ký.');
  if (session === undefined) return fail('signed_out', 'Phiên làm việc đã kết thúc, vui lòng đăng nhập lại.');
  const row = await d.store.db.dossiers.get(id);
  if (row === undefined) return fail('not_found', 'Không tìm thấy hồ sơ trên máy này.');
  const now = d.now();
  const ctx = { eventId: d.newId(), now, officer: session.officerId, device: device.deviceId, role: session.role as OfficerRole };
  const out = await d.store.commitToDoc(
    row.doc,
    (doc) => {
      const { state, dueAt } = d.store.projector.derive(doc);
      // The apology rule needs the due date in force, which only the calendar can tell.
      const built = buildEvent(action, dueAt === null ? state : { ...state, dueAt }, ctx);
      if (!built.ok) return { ok: false, reason: built.reason, message: built.detail ?? 'Không thực hiện được thao tác này.' };
      const update = appendEventUpdate(doc, { ...built.value, officerName: session.displayName });
      // Any-center: a dossier sent to another commune becomes readable and writable there (S12).
      const grant = action.type === 'transfer' && action.to.kind === 'other_commune' ? action.to.unit : undefined;
      return grant !== undefined && grant !== row.unit ? { ok: true, update, grant, result: null } : { ok: true, update, result: null };
    },
    now,
    writerIdOf(device.deviceId),
  );
  if (!out.ok) return fail(out.reason, out.message);
  const view = await dossierView(d, id, session);
  return view === null ? fail('not_found', 'Không tìm thấy hồ sơ trên máy này.') : { ok: true, value: view };
}

function fail(reason: string, message: string): Failure {
  return { ok: false, reason, message };
}
