/** A device in Node: its Dexie store on fake-indexeddb, and a SyncClient over real `ws` sockets. */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { openDb } from '../../../src/db/schema.ts';
import { buildCalendar } from '../../../src/domain/calendar.ts';
import { formatDossierCode } from '../../../src/domain/dossier-code.ts';
import { vnDayKey } from '../../../src/domain/time.ts';
import { dossierDocName } from '../../../src/protocol/doc-names.ts';
import { decodeMessage, type Message } from '../../../src/protocol/messages.ts';
import { newDossierUpdate, writerIdOf } from '../../../src/worker/dossier-doc.ts';
import { Projector } from '../../../src/worker/projector.ts';
import { EXTRA_FIELDS } from './fields.ts';
import { LocalStore, type DeviceInfo } from '../../../src/worker/local-store.ts';
import type { SocketFactory, SyncSocket } from '../../../src/worker/socket.ts';
import { SyncClient, type SyncStatus } from '../../../src/worker/sync-client.ts';

import type { TestDevice } from '../../server/helpers.ts';

const CALENDAR = buildCalendar(JSON.parse(readFileSync(new URL('../../../public/data/holidays.json', import.meta.url), 'utf8')));

let dbs = 0;

export interface Wire {
  sent: Message[];
  received: Message[];
  /** Called for every frame from the server; return false to drop the link instead of delivering it. */
  filter: (m: Message) => boolean;
}

/** `ws` behind the SyncSocket seam, recording every message both ways. */
export function wsFactory(wire: Wire): SocketFactory {
  return (url, protocols) => {
    const ws = new WebSocket(url, protocols);
    ws.binaryType = 'nodebuffer';
    const sock: SyncSocket = {
      send: (data) => {
        wire.sent.push(decodeMessage(data));
        ws.send(data);
      },
      close: (code, reason) => ws.close(code, reason),
      onopen: null,
      onmessage: null,
      onclose: null,
    };
    ws.on('open', () => sock.onopen?.());
    ws.on('message', (data: Buffer) => {
      const bytes = new Uint8Array(data);
      const msg = decodeMessage(bytes);
      if (!wire.filter(msg)) {
        ws.terminate();
        return;
      }
      wire.received.push(msg);
      sock.onmessage?.(bytes);
    });
    ws.on('error', () => undefined);
    ws.on('close', (code: number, reason: Buffer) => sock.onclose?.(code, reason.toString()));
    return sock;
  };
}

export class NodeDevice {
  readonly wire: Wire = { sent: [], received: [], filter: () => true };
  readonly info: DeviceInfo;
  client: SyncClient | null = null;
  status: SyncStatus | null = null;

  /** Pass the store of an earlier NodeDevice to model the same laptop after a restart. */
  constructor(
    test: TestDevice,
    readonly wsUrl: string,
    // The calendar the app loads, so due dates are computed as on a device (and as the server does).
    readonly store = new LocalStore(openDb(`node-device-${process.pid}-${++dbs}`), new Projector(CALENDAR)),
  ) {
    this.info = { deviceId: test.device.id, token: test.token, unit: test.device.unit, unitName: 'test', ordinal: test.device.ordinal };
  }

  /** Takes in a dossier the way WorkerApi.intake does, minus the UI. */
  async intake(name: string, now = Date.now()): Promise<string> {
    const day = vnDayKey(now);
    const id = crypto.randomUUID();
    const docName = dossierDocName(this.info.unit, id);
    await this.store.commitNewDossier(day, this.info.ordinal, (n) => ({
      docName,
      update: newDossierUpdate(
        {
          code: formatDossierCode(this.info.unit, day, n),
          unit: this.info.unit,
          procedureCode: 'dang-ky-khai-sinh',
          procedureName: 'Đăng ký khai sinh',
          name,
          cccd: '048095000123',
          phone: '',
          address: 'Đà Nẵng',
          receivedAt: now,
          components: '[]',
          ...EXTRA_FIELDS,
        },
        { id: crypto.randomUUID(), type: 'received', at: now, officer: 'o', device: this.info.deviceId },
        // The device's own client id, as WorkerApi.intake writes (S19).
        writerIdOf(this.info.deviceId),
      ),
    }), now);
    this.client?.kick();
    return docName;
  }

  start(opts: { batchItems?: number; pullLimit?: number; statesDocs?: number; now?: () => number } = {}): void {
    this.client = new SyncClient({
      store: this.store,
      baseUrl: this.wsUrl,
      device: this.info,
      connect: wsFactory(this.wire),
      onStatus: (s) => (this.status = s),
      backoff: { baseMs: 20, maxMs: 200 },
      ...opts,
    });
    this.client.start();
  }

  stop(): void {
    this.client?.stop();
  }

  sentOfType(type: number): Message[] {
    return this.wire.sent.filter((m) => m.type === type);
  }
}

export async function waitFor(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
