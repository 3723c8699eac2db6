/**
 * The transport seam of the sync client: a minimal socket that a browser WebSocket, a Node `ws` socket
 * or an in-memory test pair can stand behind. Binary frames only.
 */

export interface SyncSocket {
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((data: Uint8Array) => void) | null;
  onclose: ((code: number, reason: string) => void) | null;
}

export type SocketFactory = (url: string, protocols: string[]) => SyncSocket;

/** The browser (and worker) WebSocket behind SyncSocket. */
export const browserSocketFactory: SocketFactory = (url, protocols) => {
  const ws = new WebSocket(url, protocols);
  ws.binaryType = 'arraybuffer';
  const sock: SyncSocket = {
    send: (data) => ws.send(data),
    close: (code, reason) => ws.close(code, reason),
    onopen: null,
    onmessage: null,
    onclose: null,
  };
  ws.onopen = () => sock.onopen?.();
  ws.onmessage = (ev: MessageEvent<unknown>) => {
    // A text frame is not part of the protocol: hand an empty frame on, which fails to decode.
    sock.onmessage?.(ev.data instanceof ArrayBuffer ? new Uint8Array(ev.data) : new Uint8Array(0));
  };
  ws.onclose = (ev) => sock.onclose?.(ev.code, ev.reason);
  return sock;
};
