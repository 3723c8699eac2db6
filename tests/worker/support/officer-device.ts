/**
 * A device's WorkerApi in Node for the session tests (S23): its Dexie store on fake-indexeddb, enrolled
 * through the real server on loopback, with a clock the test moves and every fetch counted.
 */
import 'fake-indexeddb/auto';
import { readFileSync } from 'node:fs';
import { openDb } from '../../../src/db/schema.ts';
import { WorkerApi } from '../../../src/worker/api.ts';
import { LocalStore } from '../../../src/worker/local-store.ts';
import { Projector } from '../../../src/worker/projector.ts';
import type { AuthState } from '../../../src/worker/types.ts';
import { ADMIN_TOKEN, UNIT, type TestServer } from '../../server/helpers.ts';

let dbs = 0;
const PROCEDURES = new URL('../../../public/data/procedures.json', import.meta.url);

export interface OfficerDevice {
  readonly api: WorkerApi;
  readonly store: LocalStore;
  readonly states: AuthState[];
  /** Statuses of every fetch the device made, by path. */
  readonly fetches: { path: string; status: number }[];
  clock: number;
}

/** A WorkerApi on `store` (a new one: a fresh device; an earlier device's: the same laptop after a reload). */
export function officerDevice(server: TestServer, store = new LocalStore(openDb(`officer-device-${process.pid}-${++dbs}`), new Projector(null)), idleTickMs = 10): OfficerDevice {
  const dev: OfficerDevice = {
    store,
    states: [],
    fetches: [],
    clock: Date.now(),
    api: undefined as unknown as WorkerApi,
  };
  const api = new WorkerApi({
    store,
    origin: server.url,
    now: () => dev.clock,
    fetch: async (input, init) => {
      // The app's own data files, which the test server does not serve (no dist/).
      if (new URL(String(input)).pathname === '/data/procedures.json') return new Response(readFileSync(PROCEDURES, 'utf8'));
      const res = await fetch(input, init);
      dev.fetches.push({ path: new URL(String(input)).pathname, status: res.status });
      return res;
    },
    onCommitted: () => undefined,
    calendar: () => null,
    unitNames: () => ({}),
    onAuth: (s) => dev.states.push(s),
    idleTickMs,
  });
  (dev as { api: WorkerApi }).api = api;
  return dev;
}

export async function adminCall<T>(server: TestServer, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Creates an officer of UNIT through the admin API; returns its id. */
export async function addOfficer(server: TestServer, username: string, password: string): Promise<string> {
  return (await adminCall<{ id: string }>(server, 'POST', '/api/admin/officers', { unit: UNIT, username, password, displayName: `Cán bộ ${username}` })).id;
}

/** Enrolls the device with a fresh code of UNIT. */
export async function enrollDevice(server: TestServer, dev: OfficerDevice): Promise<void> {
  const { code } = await adminCall<{ code: string }>(server, 'POST', '/api/admin/enrollments', { unit: UNIT });
  const out = await dev.api.enroll(code, 'Quầy thử');
  if (!out.ok) throw new Error(`enrollment refused: ${out.message}`);
}
