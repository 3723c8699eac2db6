/**
 * A dossier (hồ sơ) is an append-only event log; its status is derived by the pure reducer below.
 * Replicas that hold the same set of events must derive the same state whatever order the events
 * arrived in, so the reducer first puts them in one total order. Two officers acting on the same
 * dossier offline can produce an impossible history (returned twice, resolved after a refusal): such
 * an event is kept and reported as a conflict for a person to settle, never silently dropped.
 */
import { assertNever } from './errors.ts';

export const DOSSIER_EVENT_TYPES = [
  'received',
  'supplement_requested',
  'supplement_received',
  'refused',
  'transferred',
  'accepted',
  'resolved',
  'returned',
  'withdrawn',
] as const;
export type DossierEventType = (typeof DOSSIER_EVENT_TYPES)[number];

export type DossierStatus =
  | 'received'
  | 'supplement_requested'
  | 'refused'
  | 'processing'
  | 'resolved'
  | 'returned'
  | 'withdrawn';

export interface DossierEvent {
  id: string;
  type: DossierEventType;
  /** Device clock, ms since epoch. */
  at: number;
  officer: string;
  device: string;
  /** Set by the server when it stored the event; absent while offline. */
  serverAt?: number;
  note?: string;
  data?: Record<string, string | number | boolean>;
}

export interface DossierConflict {
  eventId: string;
  reason: string;
}

export interface DossierState {
  status: DossierStatus | 'empty';
  receivedAt: number | null;
  conflicts: DossierConflict[];
  /** Distinct events (by id), applied or in conflict. */
  eventCount: number;
  resolvedAt: number | null;
  returnedAt: number | null;
  /** Waiting for a supplement pauses the legal deadline; `to` is null while still waiting. */
  supplementPeriods: { from: number; to: number | null }[];
}

export function isDossierEventType(t: string): t is DossierEventType {
  return (DOSSIER_EVENT_TYPES as readonly string[]).includes(t);
}

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

type Next = DossierStatus | 'resume' | null;

/**
 * The status an event leads to from a status, 'resume' for a supplement that ends a wait, or null
 * when the event is impossible there. Refused, returned and withdrawn are final.
 */
function transition(from: DossierStatus | 'empty', type: DossierEventType): Next {
  switch (type) {
    case 'received':
      return from === 'empty' ? 'received' : null;
    case 'supplement_requested':
      return from === 'received' || from === 'processing' ? 'supplement_requested' : null;
    case 'supplement_received':
      return from === 'supplement_requested' ? 'resume' : null;
    case 'refused':
    case 'withdrawn':
      return from === 'received' || from === 'supplement_requested' || from === 'processing' ? type : null;
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
    default:
      return assertNever(type, 'dossier event type');
  }
}

/**
 * Distinct events in the order they are applied. A dossier comes into existence with its receipt,
 * so nothing can causally precede the first 'received' event: when a device clock running behind
 * puts another event earlier, the receipt is moved to the front instead of flagging the rest.
 */
function applicationOrder(events: readonly DossierEvent[]): DossierEvent[] {
  const seen = new Set<string>();
  const unique = sortEvents(events).filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  const first = unique.findIndex((e) => e.type === 'received');
  const receipt = unique[first];
  if (first <= 0 || receipt === undefined) return unique;
  return [receipt, ...unique.slice(0, first), ...unique.slice(first + 1)];
}

export function reduceDossier(events: readonly DossierEvent[]): DossierState {
  const ordered = applicationOrder(events);
  const state: DossierState = {
    status: 'empty',
    receivedAt: null,
    conflicts: [],
    eventCount: ordered.length,
    resolvedAt: null,
    returnedAt: null,
    supplementPeriods: [],
  };
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
    if (next === 'resume') {
      state.status = resumeTo;
      const open = state.supplementPeriods[state.supplementPeriods.length - 1];
      if (open) open.to = e.at;
      continue;
    }
    if (next === 'supplement_requested' && from !== 'empty') {
      resumeTo = from;
      state.supplementPeriods.push({ from: e.at, to: null });
    }
    if (e.type === 'received') state.receivedAt = e.at;
    if (e.type === 'resolved') state.resolvedAt = e.at;
    if (e.type === 'returned') state.returnedAt = e.at;
    state.status = next;
  }
  return state;
}

function conflictReason(from: DossierStatus | 'empty', type: DossierEventType): string {
  return `Không thể "${eventLabel(type)}" khi hồ sơ ở trạng thái "${statusLabel(from)}"`;
}

export function statusLabel(s: DossierStatus | 'empty'): string {
  switch (s) {
    case 'empty':
      return 'Chưa tiếp nhận';
    case 'received':
      return 'Đã tiếp nhận';
    case 'supplement_requested':
      return 'Chờ bổ sung hồ sơ';
    case 'refused':
      return 'Đã từ chối';
    case 'processing':
      return 'Đang xử lý';
    case 'resolved':
      return 'Đã giải quyết xong';
    case 'returned':
      return 'Đã trả kết quả';
    case 'withdrawn':
      return 'Đã rút hồ sơ';
    default:
      return assertNever(s, 'dossier status');
  }
}

export function eventLabel(t: DossierEventType): string {
  switch (t) {
    case 'received':
      return 'Tiếp nhận';
    case 'supplement_requested':
      return 'Yêu cầu bổ sung';
    case 'supplement_received':
      return 'Nhận hồ sơ bổ sung';
    case 'refused':
      return 'Từ chối';
    case 'transferred':
      return 'Chuyển xử lý';
    case 'accepted':
      return 'Nhận xử lý';
    case 'resolved':
      return 'Giải quyết xong';
    case 'returned':
      return 'Trả kết quả';
    case 'withdrawn':
      return 'Rút hồ sơ';
    default:
      return assertNever(t, 'dossier event type');
  }
}
