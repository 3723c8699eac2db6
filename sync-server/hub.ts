/**
 * The hub joins the server's channels without them knowing each other: the catch-up channel and the
 * live rooms publish what they committed, and each listener reacts (Notify the devices of that scope,
 * apply to a live room). With several server nodes on one PostgreSQL, the commits of the other nodes
 * are published here too (pg-fanout.ts, rule S15), with the updates of the docs someone here is
 * interested in (the open live rooms).
 *
 * It also knows every device's open sockets, so revoking a device cuts it off at once.
 */
import type { WebSocket } from 'ws';
import { CloseCode } from '../src/protocol/constants.ts';
import { closeWith, logEvent, type LogFn } from './conn.ts';

export interface CommittedItem {
  readonly doc: string;
  readonly unit: string;
  readonly update: Uint8Array;
}

export interface Committed {
  /** What a live room of each doc applies: the pushed updates and the server's stamp rows. */
  readonly items: readonly CommittedItem[];
  readonly headSeq: number;
  /** Every unit that got a row (home units, and units the docs were granted to): whose devices pull. */
  readonly units: readonly string[];
  /** Whoever wrote the items (a session, a room): it has them already and is not told again... */
  readonly origin: object;
  /** ...unless the server added rows it lacks (a time stamp of its events): then it is told too. */
  readonly notifyOrigin: boolean;
}

export type CommitListener = (committed: Committed) => void;

export class Hub {
  private readonly listeners = new Set<CommitListener>();
  private readonly sockets = new Map<string, Set<WebSocket>>();
  private readonly interests = new Set<() => Iterable<string>>();

  constructor(private readonly log: LogFn) {}

  onCommit(listener: CommitListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called after the items are durable. A failing listener is logged and does not stop the others. */
  publish(committed: Committed): void {
    for (const listener of this.listeners) {
      try {
        listener(committed);
      } catch (err) {
        logEvent(this.log, 'fanout_error', { error: err instanceof Error ? err.message : String(err) });
      }
    }
  }

  /** Registers a source of docs whose updates, not just their units, a listener needs (live rooms). */
  addInterest(docs: () => Iterable<string>): () => void {
    this.interests.add(docs);
    return () => this.interests.delete(docs);
  }

  /** Every doc some listener needs the updates of. */
  interestingDocs(): string[] {
    const out = new Set<string>();
    for (const source of this.interests) for (const doc of source()) out.add(doc);
    return [...out];
  }

  attach(deviceId: string, ws: WebSocket): void {
    let set = this.sockets.get(deviceId);
    if (set === undefined) {
      set = new Set();
      this.sockets.set(deviceId, set);
    }
    set.add(ws);
    ws.once('close', () => {
      set.delete(ws);
      if (set.size === 0 && this.sockets.get(deviceId) === set) this.sockets.delete(deviceId);
    });
  }

  /** The device's open sockets on this node (/sync and /yjs). */
  socketCount(deviceId: string): number {
    return this.sockets.get(deviceId)?.size ?? 0;
  }

  /** Closes every socket of a revoked device with Revoked (the device stops retrying). */
  revoke(deviceId: string): number {
    const set = this.sockets.get(deviceId);
    if (set === undefined) return 0;
    for (const ws of set) closeWith(ws, CloseCode.Revoked, 'revoked');
    return set.size;
  }
}
