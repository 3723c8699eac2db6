/**
 * Worker entry: owns the Y.Docs, the Dexie writes and the sync loop, off the main thread (decision 4).
 * One tab's worker leads sync (a Web Lock); every tab's worker may write, since each write is one
 * IndexedDB transaction. Tabs tell the leader about new outbox rows and the leader tells every tab its
 * status, over BroadcastChannels.
 */
import * as Comlink from 'comlink';
import { openDb } from '../db/schema.ts';
import { buildCalendar, type WorkCalendar } from '../domain/calendar.ts';
import { WorkerApi } from './api.ts';
import { LocalStore, META, type DeviceInfo } from './local-store.ts';
import { browserSocketFactory } from './socket.ts';
import { Projector } from './projector.ts';
import { SyncClient, type SyncStatus } from './sync-client.ts';
import type { AuthState, WorkerEndpoint } from './types.ts';
import { loadIdleLock } from './idle-config.ts';

const KICK_CHANNEL = 'motcua-kick';
const STATUS_CHANNEL = 'motcua-status';

const projector = new Projector(null);
const store = new LocalStore(openDb(), projector);
let calendar: WorkCalendar | null = null;
let unitNames: Record<string, string> = {};

/** Projection rows written before this version lack fields (due dates): recompute them once. */
const PROJECTION_VERSION = 3;

/**
 * Loads the holidays (precached data file) into the projector, then brings old projection rows up to
 * date in the background. Boot does not wait for it (the sign-in and intake forms need neither file);
 * what computes due dates or names other communes does: an intake, a dossier, a workflow step, and the
 * sync leader (pulled dossiers are projected with their due dates).
 */
async function prepare(): Promise<void> {
  // Both precached data files, fetched together: boot waits for them.
  const [units, holidays] = await Promise.allSettled([
    fetch(`${self.location.origin}/data/units.json`).then((r) => r.json() as Promise<{ code: string; name: string }[]>),
    fetch(`${self.location.origin}/data/holidays.json`).then((r) => r.json() as Promise<unknown>),
  ]);
  if (units.status === 'fulfilled') unitNames = Object.fromEntries(units.value.map((u) => [u.code, u.name]));
  else console.error('unit names not loaded: other communes show by code', units.reason);
  try {
    if (holidays.status === 'rejected') throw holidays.reason;
    calendar = buildCalendar(holidays.value);
    projector.setCalendar(calendar);
  } catch (e) {
    console.error('holidays not loaded: due dates wait until they are', e);
    return;
  }
  // Not awaited by boot: on a device holding a year of dossiers this takes a while, and lists work
  // meanwhile with the rows as they are.
  void reprojectIfOld();
}

async function reprojectIfOld(): Promise<void> {
  const version = (await store.getMeta<number>(META.projectionVersion)) ?? 0;
  if (version >= PROJECTION_VERSION) return;
  await store.reprojectAll(Date.now());
  await store.setMeta(META.projectionVersion, PROJECTION_VERSION);
}
const prepared = prepare();
const kicks = new BroadcastChannel(KICK_CHANNEL);
const statuses = new BroadcastChannel(STATUS_CHANNEL);
let client: SyncClient | null = null;
let leading = false;
let statusListener: ((s: SyncStatus) => void) | null = null;
let lastStatus: SyncStatus | null = null;

/**
 * Every tab's worker revalidates the unit's officers when the link comes online (S23), its own or
 * the leader's: each holds its own session, which a disabled officer must lose at once.
 */
function watchOnline(s: SyncStatus): void {
  if (s.phase === 'online' && lastStatus?.phase !== 'online') void api.refreshOfficers().catch((e: unknown) => console.error('officers not refreshed', e));
}

function publish(s: SyncStatus): void {
  watchOnline(s);
  lastStatus = s;
  statusListener?.(s);
  statuses.postMessage(s);
}

statuses.onmessage = (ev: MessageEvent<SyncStatus | 'ask'>) => {
  if (ev.data === 'ask') {
    if (leading && lastStatus !== null) statuses.postMessage(lastStatus);
    return;
  }
  watchOnline(ev.data);
  lastStatus = ev.data;
  statusListener?.(ev.data);
};

kicks.onmessage = () => client?.kick();
self.addEventListener('online', () => client?.retryNow());

function becomeLeader(device: DeviceInfo): void {
  const wsOrigin = self.location.origin.replace(/^http/, 'ws');
  const start = (): void => {
    leading = true;
    client = new SyncClient({ store, baseUrl: wsOrigin, device, connect: browserSocketFactory, onStatus: publish });
    client.start();
  };
  if ('locks' in navigator) {
    // Held for the worker's lifetime; released by the browser when the tab closes, so another tab takes over.
    void navigator.locks.request('motcua-sync-leader', () => {
      start();
      return new Promise<void>(() => undefined);
    });
  } else {
    start();
  }
}

let syncRequested = false;
let authListener: ((s: AuthState) => void) | null = null;
const api = new WorkerApi({
  onAuth: (s) => authListener?.(s),
  store,
  origin: self.location.origin,
  now: Date.now,
  fetch: (input, init) => fetch(input, init),
  calendar: () => calendar,
  unitNames: () => unitNames,
  onCommitted: (device) => {
    if (!syncRequested) {
      syncRequested = true;
      void prepared.then(() => {
        becomeLeader(device);
        statuses.postMessage('ask');
      });
    }
    if (client !== null) client.kick();
    else kicks.postMessage('kick');
  },
});

const idleLoaded = loadIdleLock(self.location.origin).then((ms) => api.auth.setIdleLock(ms));

const exposed: WorkerEndpoint = {
  boot: () => api.boot(),
  enroll: (code: string, label: string) => api.enroll(code, label),
  login: (u: string, p: string) => api.login(u, p),
  logout: async () => api.logout(),
  unlock: (p: string) => api.unlock(p),
  lock: async () => api.auth.lock(),
  activity: () => api.auth.activity(),
  idleLockMs: async () => {
    await idleLoaded;
    return api.auth.idleLockMs;
  },
  onAuth: (cb) => {
    authListener = cb;
    cb(api.auth.state());
  },
  signInWait: () => api.signInWait(),
  procedures: () => api.procedures(),
  intake: async (input, decision) => {
    await prepared;
    return api.intake(input, decision);
  },
  dossier: async (id) => {
    await prepared;
    return api.dossier(id);
  },
  act: async (id, action) => {
    await prepared;
    return api.act(id, action);
  },
  officerNames: () => api.officerNames(),
  dueAlerts: (q) => api.dueAlerts(q),
  onStatus: (cb) => {
    statusListener = cb;
    if (lastStatus !== null) cb(lastStatus);
  },
};

Comlink.expose(exposed);
