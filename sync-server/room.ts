/**
 * One live doc in memory while at least one client has it open: a Y.Doc loaded from the log, the
 * clients' awareness, and the broadcast between them. The room never writes to the store itself:
 * updates reach the Y.Doc only after the session that received them has persisted them.
 */
import type { WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { encodeAwareness, encodeSync } from './live-protocol.ts';

/** Origin of the initial load: nobody is connected to it yet, so nothing is broadcast. */
const LOAD = Symbol('load');

export class Room {
  readonly doc = new Y.Doc();
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  /** Each client's socket, with the awareness client ids it speaks for (removed when it leaves). */
  private readonly clients = new Map<WebSocket, Set<number>>();
  private destroyed = false;
  /** Rows that would not apply at load (logged, skipped): a live doc still opens. */
  skippedAtLoad = 0;
  /**
   * The doc's stored rows and their bytes, for its size limit (S21): counted at load and for each
   * update applied since. The compactor may have lowered them meanwhile; trust the store when they
   * near the limit (live.ts).
   */
  storedRows = 0;
  storedBytes = 0;

  constructor(readonly name: string) {
    // The server is not a participant: no awareness state of its own.
    this.awareness.setLocalState(null);
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === LOAD) return;
      this.broadcast(encodeSync((enc) => syncProtocol.writeUpdate(enc, update)), origin);
    });
    this.awareness.on(
      'update',
      ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown) => {
        const owned = this.clients.get(origin as WebSocket);
        if (owned !== undefined) {
          for (const id of added) owned.add(id);
          for (const id of removed) owned.delete(id);
        }
        const changed = [...added, ...updated, ...removed];
        this.broadcast(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, changed)), null);
      },
    );
  }

  /** Applies the doc's stored rows; one bad row does not keep the room from opening. */
  load(rows: readonly Uint8Array[]): void {
    this.recount(rows);
    Y.transact(
      this.doc,
      () => {
        for (const row of rows) {
          try {
            Y.applyUpdate(this.doc, row, LOAD);
          } catch {
            this.skippedAtLoad++;
          }
        }
      },
      LOAD,
    );
  }

  get size(): number {
    return this.clients.size;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  join(ws: WebSocket): void {
    this.clients.set(ws, new Set());
  }

  /** Removes the client and the awareness states it spoke for; true when the room is now empty. */
  leave(ws: WebSocket): boolean {
    const owned = this.clients.get(ws);
    this.clients.delete(ws);
    if (owned !== undefined && owned.size > 0 && !this.destroyed) {
      awarenessProtocol.removeAwarenessStates(this.awareness, [...owned], null);
    }
    return this.clients.size === 0;
  }

  /** Applies a durable update; `origin` (the sender's socket, or null) is not sent its own update back. */
  apply(update: Uint8Array, origin: WebSocket | null): void {
    this.storedRows++;
    this.storedBytes += update.byteLength;
    if (!this.destroyed) Y.applyUpdate(this.doc, update, origin);
  }

  /** Sets the stored size from the doc's rows as stored. */
  recount(rows: readonly Uint8Array[]): void {
    this.storedRows = rows.length;
    this.storedBytes = rows.reduce((n, r) => n + r.byteLength, 0);
  }

  /** The first messages a client gets: our state vector (sync step 1) and who else is here. */
  greeting(): Uint8Array[] {
    const out = [encodeSync((enc) => syncProtocol.writeSyncStep1(enc, this.doc))];
    const states = [...this.awareness.getStates().keys()];
    if (states.length > 0) out.push(encodeAwareness(awarenessProtocol.encodeAwarenessUpdate(this.awareness, states)));
    return out;
  }

  /** Sync step 2: what the client lacks, given its state vector. */
  answerStep1(stateVector: Uint8Array): Uint8Array {
    return encodeSync((enc) => syncProtocol.writeSyncStep2(enc, this.doc, stateVector));
  }

  awarenessOfAll(): Uint8Array {
    return encodeAwareness(
      awarenessProtocol.encodeAwarenessUpdate(this.awareness, [...this.awareness.getStates().keys()]),
    );
  }

  applyAwareness(update: Uint8Array, origin: WebSocket): void {
    awarenessProtocol.applyAwarenessUpdate(this.awareness, update, origin);
  }

  private broadcast(frame: Uint8Array, except: unknown): void {
    for (const ws of this.clients.keys()) {
      if (ws !== except && ws.readyState === ws.OPEN) ws.send(frame);
    }
  }

  /** Idempotent: a room that failed to load is dropped, and dropped again when its last client leaves. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.awareness.destroy();
    this.doc.destroy();
  }
}
