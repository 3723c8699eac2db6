/** Multi-step officer flows shared by the specs. */
import WebSocket from 'ws';
import { CloseCode, PATHS, SUBPROTOCOL, TOKEN_PROTOCOL_PREFIX } from '../../../src/protocol/constants.ts';
import { randomApplicant, type Applicant } from './data.ts';
import type { Device, Harness } from './fixtures.ts';
import { officerFor, type AppPage, type ReceiptData } from './pages.ts';
import type { SyncServer } from './server.ts';

export const UNIT = '20209';
export const OTHER_UNIT = '20194';

export interface Taken {
  readonly applicant: Applicant;
  readonly receipt: ReceiptData;
}

/**
 * First visit, online: boots the device, enrolls it with a fresh code of `unit`, logs the unit's demo
 * officer in and waits until the service worker controls the page (from then on it works offline).
 */
export async function enrollOnline(harness: Harness, server: SyncServer, name: string, unit = UNIT): Promise<Device> {
  const device = harness.device(name, server);
  const code = await server.createEnrollment(unit);
  harness.note(`${name}: enrolling in ${unit} with code ${code}`);
  const app = await device.boot();
  await app.ready(officerFor(unit), { code, label: `Máy ${name} (e2e)` });
  await app.waitForServiceWorker(officerFor(unit));
  harness.note(`${name}: enrolled, logged in, service worker in control`);
  return device;
}

/** Takes in `n` complete dossiers one after another, returning what each citizen was given. */
export async function takeInMany(harness: Harness, app: AppPage, n: number, unit = UNIT): Promise<Taken[]> {
  const taken: Taken[] = [];
  const t0 = Date.now();
  for (let i = 0; i < n; i++) {
    const applicant = randomApplicant();
    const receipt = await app.takeIn(applicant, unit);
    taken.push({ applicant, receipt });
    if ((i + 1) % 10 === 0 || i + 1 === n) harness.note(`took in ${i + 1}/${n} (last ${receipt.code})`);
  }
  const ms = Date.now() - t0;
  harness.note(`took in ${n} dossiers in ${ms} ms (${Math.round(ms / Math.max(n, 1))} ms each, UI round trip)`);
  const codes = new Set(taken.map((t) => t.receipt.code));
  if (codes.size !== n) throw new Error(`duplicate receipt codes among ${n} dossiers: ${n - codes.size} repeated`);
  return taken;
}

export type WsOutcome =
  | { readonly kind: 'closed'; readonly code: number; readonly reason: string; readonly gotMessage: boolean }
  | { readonly kind: 'rejected'; readonly status: number }
  | { readonly kind: 'open'; readonly gotMessage: boolean }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Opens the y-websocket endpoint for `doc` as a device (token in Sec-WebSocket-Protocol, as the
 * browser does) and reports what happened within `waitMs`: closed with a code, refused at the
 * upgrade, or still open.
 */
export function openDocAs(server: SyncServer, doc: string, token: string, waitMs = 3_000): Promise<WsOutcome> {
  return new Promise((resolve) => {
    const url = `ws://127.0.0.1:${server.port}${PATHS.yjs}/${doc}`;
    const ws = new WebSocket(url, [SUBPROTOCOL, `${TOKEN_PROTOCOL_PREFIX}${token}`]);
    let gotMessage = false;
    let settled = false;
    const settle = (outcome: WsOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
    };
    const timer = setTimeout(() => settle({ kind: 'open', gotMessage }), waitMs);
    ws.on('message', () => {
      gotMessage = true;
    });
    ws.on('close', (code, reason) => settle({ kind: 'closed', code, reason: reason.toString('utf8'), gotMessage }));
    ws.on('unexpected-response', (_req, res) => settle({ kind: 'rejected', status: res.statusCode ?? 0 }));
    ws.on('error', (err) => settle({ kind: 'error', message: err.message }));
  });
}

export const FORBIDDEN = CloseCode.Forbidden;
