/**
 * The real sync server as a child process on a temp data dir (the e2e harness's SyncServer, which
 * SIGKILLs its process group), devices enrolled over HTTP, and the SQLite file read back after a stop.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { SqliteStore } from '../sync-server/store/sqlite.ts';
import type { SyncStore } from '../sync-server/store/types.ts';
import { LogSink } from '../tests/e2e/support/logs.ts';
import { freePort, SyncServer } from '../tests/e2e/support/server.ts';
import { ChaosDevice } from './devices.ts';

export const DEMO_UNIT = '20209';

export interface ChildServer {
  readonly server: SyncServer;
  readonly dataDir: string;
  readonly wsUrl: string;
  dispose(): Promise<void>;
}

export async function startChild(port?: number): Promise<ChildServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-chaos-'));
  const server = new SyncServer({ port: port ?? (await freePort()), dataDir, logs: new LogSink(), staticDir: join(dataDir, 'no-ui') });
  await server.start();
  return {
    server,
    dataDir,
    wsUrl: server.url.replace(/^http/, 'ws'),
    dispose: async () => {
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function enroll(c: ChildServer, n: number, wsUrl = c.wsUrl, unit = DEMO_UNIT, skews: readonly number[] = []): Promise<ChaosDevice[]> {
  const code = await c.server.createEnrollment(unit, n);
  const out: ChaosDevice[] = [];
  for (let i = 0; i < n; i++) out.push(new ChaosDevice(await c.server.enrollDevice(code, `chaos-${i}`), wsUrl, skews[i] ?? 0));
  return out;
}

/** The named docs as a store holds them, each merged into a Y.Doc; the store is closed after. */
export async function mergedDocs(store: SyncStore, names: readonly string[]): Promise<Map<string, Y.Doc>> {
  try {
    const out = new Map<string, Y.Doc>();
    for (const name of names) {
      const doc = new Y.Doc();
      for (const u of await store.readDoc(name)) Y.applyUpdate(doc, u);
      out.set(name, doc);
    }
    return out;
  } finally {
    await store.close();
  }
}

/** Every dossier doc the server stored, merged, read from the SQLite file (the server must be stopped). */
export function storedDocs(dataDir: string, names: readonly string[]): Promise<Map<string, Y.Doc>> {
  return mergedDocs(new SqliteStore(join(dataDir, 'motcua.sqlite')), names);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
