/**
 * The catch-up channel's messages, as the device and the server handle them (messages.ts encodes and
 * decodes them).
 */
import type { MsgType } from './constants.ts';

export interface PushItem {
  readonly doc: string;
  readonly update: Uint8Array;
}
/**
 * Any-center intake (rule S12): from the batch that carries it on, devices of `unit` read and write
 * `doc` although its name holds another home unit. Idempotent; a grant to the home unit changes nothing.
 */
export interface Grant {
  readonly doc: string;
  /** A commune's 5-digit code, which the server must know. */
  readonly unit: string;
}
export interface PullItem {
  readonly doc: string;
  /** Highest server sequence number merged into this update. */
  readonly seq: number;
  readonly update: Uint8Array;
  /**
   * JSON of the doc's list row as the server projected it (the last item of a dossier doc in a page),
   * or ''. A device holding nothing of the doc stores it with the update instead of decoding the
   * doc: how a new device takes in a year of its commune at thousands of dossiers a second.
   */
  readonly row?: string;
}
/** A doc's state on the server (S17), answered to AskStates. */
export interface DocState {
  readonly doc: string;
  /**
   * Y.encodeSnapshot of the doc as the server holds it: its state vector, and its delete set, which a
   * state vector does not cover (a deletion takes no clock). Null: the doc is outside the asking
   * device's scope on this server (a grant the restored copy lacks); nothing about it is told.
   */
  readonly state: Uint8Array | null;
}
export interface Block {
  /** Day as YYMMDD (Vietnam time). */
  readonly day: string;
  /** Inclusive range of dossier numbers for that day. */
  readonly start: number;
  readonly end: number;
}

export type Message =
  | {
      readonly type: typeof MsgType.Welcome;
      readonly protocol: number;
      readonly deviceId: string;
      readonly unit: string;
      readonly headSeq: number;
      readonly serverTime: number;
      /** The device's last batch the server stored, so a batch confirmed just before a drop is not re-sent. */
      readonly lastBatchId: string;
      readonly lastBatchSeqs: readonly number[];
    }
  | {
      readonly type: typeof MsgType.Push;
      readonly batchId: string;
      readonly items: readonly PushItem[];
      /**
       * Written with the batch, in the same transaction. Always on the wire (a count, then each grant
       * after the items); optional here only so a sender with none may leave it out. Decoded: always set.
       */
      readonly grants?: readonly Grant[];
    }
  | {
      readonly type: typeof MsgType.PushAck;
      readonly batchId: string;
      readonly seqs: readonly number[];
      readonly headSeq: number;
      readonly serverTime: number;
    }
  | { readonly type: typeof MsgType.Pull; readonly since: number; readonly limit: number }
  | {
      readonly type: typeof MsgType.PullBatch;
      readonly items: readonly PullItem[];
      readonly cursor: number;
      readonly more: boolean;
    }
  | { readonly type: typeof MsgType.Notify; readonly headSeq: number }
  | { readonly type: typeof MsgType.Error; readonly code: number; readonly message: string; readonly ref: string }
  | {
      readonly type: typeof MsgType.Reserve;
      readonly reqId: number;
      readonly days: readonly string[];
      readonly size: number;
      /**
       * Per day, the numbers this device already holds (lowest start, highest end): the server's
       * counters are moved past them first. A store restored from a backup has forgotten blocks it
       * handed out after the backup (S17), and must not hand them out again (S10). Always on the wire;
       * optional here so a sender with none may leave it out. Decoded: always set.
       */
      readonly held?: readonly Block[];
    }
  | { readonly type: typeof MsgType.Reserved; readonly reqId: number; readonly blocks: readonly Block[] }
  | { readonly type: typeof MsgType.Ping; readonly nonce: number }
  | { readonly type: typeof MsgType.Pong; readonly nonce: number }
  | {
      readonly type: typeof MsgType.Epoch;
      /** The store's identity: a copy restored from a backup gets a new one (S17). */
      readonly epoch: string;
      /** The epoch of the store this one was copied from, '' if none is known. */
      readonly parentEpoch: string;
      /** Rows up to this seq are the parent's rows, unchanged; the copy's own rows come after it. */
      readonly forkSeq: number;
    }
  | { readonly type: typeof MsgType.AskStates; readonly reqId: number; readonly docs: readonly string[] }
  | { readonly type: typeof MsgType.States; readonly reqId: number; readonly states: readonly DocState[] };

export type MessageOf<T extends MsgType> = Extract<Message, { type: T }>;
