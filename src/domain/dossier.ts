/**
 * A dossier (hồ sơ) is an append-only event log; its status is derived by the pure reducer below.
 * Replicas that hold the same set of events must derive the same state whatever order the events
 * arrived in, so the reducer first puts them in one total order. Two officers acting on the same
 * dossier offline can produce an impossible history (returned twice, resolved after a refusal): such
 * an event is kept and reported as a conflict for a person to settle, never silently dropped.
 */
import { skewReason, trustedTimes } from './clock.ts';
import { eventLabel, statusLabel } from './dossier-labels.ts';
import {
  isDossierEventType,
  type DossierEvent,
  type DossierEventType,
  type DossierState,
  type DossierStatus,
} from './dossier-types.ts';
import { assertNever } from './errors.ts';

export {
  DOSSIER_EVENT_TYPES,
  FINAL_STATUSES,
  isDossierEventType,
  isFinalStatus,
  type DossierConflict,
  type DossierEvent,
  type DossierEventType,
  type DossierHandler,
  type DossierState,
  type DossierStatus,
} from './dossier-types.ts';
export { eventLabel, ratingLabel, statusLabel } from './dossier-labels.ts';

// Plain code-unit comparison: localeCompare depends on the device's locale data, and replicas must
// agree on the order bit for bit.
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The total order every replica uses: device time, then device id, then event id. The last keys only
 * separate two copies of one id that differ in content, so which copy wins is deterministic too.
 */
export function sortEvents(events: readonly DossierEvent[]): DossierEvent[] {
  return events.slice().sort(
    (a, b) =>
      a.at - b.at ||
      cmp(a.device, b.device) ||
      cmp(a.id, b.id) ||
      cmp(a.type, b.type) ||
      cmp(JSON.stringify(a), JSON.stringify(b)),
  );
}

type Next = DossierStatus | 'resume' | 'keep' | null;

const OPEN: readonly (DossierStatus | 'empty')[] = ['received', 'supplement_requested', 'processing'];
const isOpen = (s: DossierStatus | 'empty'): boolean => OPEN.includes(s);

/**
 * The status an event leads to from a status, 'resume' for a supplement that ends a wait, 'keep' for
 * an event that leaves the status as it is, or null when the event is impossible there. Refused,
 * returned, withdrawn and stopped are final (FINAL_STATUSES).
 */
function transition(from: DossierStatus | 'empty', type: DossierEventType): Next {
  switch (type) {
    case 'received':
      return from === 'empty' ? 'received' : null;
    case 'supplement_requested':
      // From 'empty': an incomplete dossier at intake (Mẫu 02), not yet received, no clock running.
      return from === 'empty' || from === 'received' || from === 'processing' ? 'supplement_requested' : null;
    case 'supplement_received':
      return from === 'supplement_requested' ? 'resume' : null;
    case 'refused':
      // From 'empty': refused at intake (Mẫu 03).
      return from === 'empty' || isOpen(from) ? 'refused' : null;
    case 'withdrawn':
    case 'stopped':
      return isOpen(from) ? type : null;
    case 'transferred':
      // After resolution the result itself travels back to the center: still resolved.
      if (from === 'resolved') return 'resolved';
      return from === 'received' || from === 'processing' ? 'processing' : null;
    case 'accepted':
      return from === 'received' || from === 'processing' ? 'processing' : null;
    case 'resolved':
      return from === 'received' || from === 'processing' ? 'resolved' : null;
    case 'returned':
      return from === 'resolved' ? 'returned' : null;
    case 'apologized':
      // A new appointment makes sense until the result is handed over.
      return isOpen(from) || from === 'resolved' ? 'keep' : null;
    default:
      return assertNever(type, 'dossier event type');
  }
}

/** The event that created the dossier: its receipt, or a supplement request or refusal at intake. */
const creates = (e: DossierEvent): boolean => e.type === 'received' || e.data?.['atIntake'] === true;

/**
 * Distinct events in the order they are applied. A dossier comes into existence with its intake
 * event, so nothing can causally precede it: when a device clock running behind puts another event
 * earlier, the intake event is moved to the front instead of flagging the rest.
 */
function applicationOrder(events: readonly DossierEvent[]): DossierEvent[] {
  const seen = new Set<string>();
  const unique = sortEvents(trustedTimes(events).events).filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  const first = unique.findIndex(creates);
  const receipt = unique[first];
  if (first <= 0 || receipt === undefined) return unique;
  return [receipt, ...unique.slice(0, first), ...unique.slice(first + 1)];
}

const str = (e: DossierEvent, key: string): string | null => {
  const v = e.data?.[key];
  return typeof v === 'string' && v !== '' ? v : null;
};

/** What an applied event records besides the status. */
function record(state: DossierState, e: DossierEvent): void {
  switch (e.type) {
    case 'received':
      state.receivedAt = e.at;
      return;
    case 'resolved': {
      state.resolvedAt = e.at;
      const outcome = e.data?.['outcome'];
      state.outcome = outcome === 'approved' || outcome === 'denied' ? outcome : null;
      state.documentNo = outcome === 'approved' ? str(e, 'documentNo') : null;
      return;
    }
    case 'returned':
      state.returnedAt = e.at;
      state.rating = str(e, 'rating');
      return;
    case 'stopped':
      state.stoppedAt = e.at;
      return;
    case 'transferred': {
      const name = str(e, 'name');
      const unit = str(e, 'unit');
      state.handler = { kind: str(e, 'kind') ?? '', name: name ?? '' };
      if (unit !== null) state.handler.unit = unit;
      state.acceptedAt = null;
      return;
    }
    case 'accepted':
      state.acceptedAt = e.at;
      return;
    case 'apologized': {
      const due = e.data?.['newDueAt'];
      if (typeof due === 'number' && Number.isFinite(due)) state.apologizedDueAt = due;
      return;
    }
    default:
      return;
  }
}

export function emptyState(): DossierState {
  return {
    status: 'empty',
    receivedAt: null,
    conflicts: [],
    eventCount: 0,
    resolvedAt: null,
    returnedAt: null,
    supplementPeriods: [],
    outcome: null,
    documentNo: null,
    stoppedAt: null,
    handler: null,
    acceptedAt: null,
    apologizedDueAt: null,
    rating: null,
  };
}

/**
 * The events in the order the reducer applies them (distinct, intake first, device clocks ahead of
 * the server corrected): the order a timeline should show.
 */
export function orderedEvents(events: readonly DossierEvent[]): DossierEvent[] {
  return applicationOrder(events);
}

export function reduceDossier(events: readonly DossierEvent[]): DossierState {
  const ordered = applicationOrder(events);
  const state = emptyState();
  for (const f of trustedTimes(events).skewed) state.conflicts.push({ eventId: f.eventId, reason: skewReason(f.aheadMs) });
  state.eventCount = ordered.length;
  let resumeTo: DossierStatus = 'received';
  for (const e of ordered) {
    // Events come from other devices through the CRDT: a newer app version may write a type this
    // one does not know. Keep it visible rather than crash or ignore it.
    if (!isDossierEventType(e.type)) {
      state.conflicts.push({ eventId: e.id, reason: `Loại sự kiện không xác định: "${String(e.type)}"` });
      continue;
    }
    const from = state.status;
    const next = transition(from, e.type);
    if (next === null) {
      state.conflicts.push({ eventId: e.id, reason: conflictReason(from, e.type) });
      continue;
    }
    record(state, e);
    if (next === 'keep') continue;
    if (next === 'resume') {
      state.status = resumeTo;
      // A dossier incomplete at intake is received when the supplement makes it complete: the
      // legal clock starts then (it starts at receipt of a complete, valid dossier).
      if (state.receivedAt === null) state.receivedAt = e.at;
      const open = state.supplementPeriods[state.supplementPeriods.length - 1];
      if (open && open.to === null) open.to = e.at;
      continue;
    }
    if (next === 'supplement_requested' && from !== 'empty') {
      resumeTo = from;
      state.supplementPeriods.push({ from: e.at, to: null });
    }
    state.status = next;
  }
  return state;
}

function conflictReason(from: DossierStatus | 'empty', type: DossierEventType): string {
  return `Không thể "${eventLabel(type)}" khi hồ sơ ở trạng thái "${statusLabel(from)}"`;
}

/**
 * The appointment date in force: the latest applied apology's new date (Mẫu 04), else `baseDueAt`
 * (the statutory due date from calendar.ts `dueAt`, pauses included). An apology that is itself in
 * conflict (after the return, say) does not move the date.
 */
export function currentDueAt(events: readonly DossierEvent[], baseDueAt: number): number;
export function currentDueAt(events: readonly DossierEvent[], baseDueAt: number | null): number | null;
export function currentDueAt(events: readonly DossierEvent[], baseDueAt: number | null): number | null {
  return reduceDossier(events).apologizedDueAt ?? baseDueAt;
}
