/** What the WebSocket channels (/sync and /yjs) are built from. */
import type { RawData } from 'ws';
import type { Heartbeat, LogFn } from './conn.ts';
import type { Hub } from './hub.ts';
import type { SyncStore } from './store/types.ts';

export interface ChannelDeps {
  readonly store: SyncStore;
  readonly hub: Hub;
  readonly heartbeat: Heartbeat;
  readonly log: LogFn;
}

/** ws hands over a Buffer for binary frames ('nodebuffer'); the other shapes are normalised anyway. */
export function frameBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}
