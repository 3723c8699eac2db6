/**
 * [S17] The store's epoch, the backup that makes a restored copy take a new one, and the states the
 * server answers so devices can send back what a copy lacks.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MsgType } from '../../src/protocol/constants.ts';
import { docStates } from '../../sync-server/doc-states.ts';
import { EPOCH_SETTING, resolveEpoch, RESTORE_SETTING } from '../../sync-server/epoch.ts';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import { backupSqlite } from '../../sync-server/store/sqlite-backup.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import type { SyncStore } from '../../sync-server/store/types.ts';
import { addDevice, dossierDoc, fieldsUpdate, OTHER_UNIT, startTestServer, SyncTestClient, UNIT } from './helpers.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'motcua-epoch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `s-${++n}.sqlite`);

async function push(store: SyncStore, count: number, unit = UNIT): Promise<string[]> {
  const docs: string[] = [];
  for (let i = 0; i < count; i++) {
    const doc = dossierDoc(unit);
    docs.push(doc);
    await store.appendBatch('d1', `b-${doc}`, [{ doc, unit, data: fieldsUpdate({ name: `Nguyễn Văn ${i}` }) }]);
  }
  return docs;
}

describe('[S17] the store epoch', () => {
  it('[S17] keeps its epoch across restarts of the same file; a store that began empty has no parent', async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    const first = await resolveEpoch(store);
    expect(first).toMatchObject({ parentEpoch: '', forkSeq: 0, rotated: true });
    await push(store, 2);
    await store.close();
    const reopened = new SqliteStore(path);
    expect(await resolveEpoch(reopened)).toEqual({ ...first, rotated: false });
    await reopened.close();
  });

  it('[S17] a backup opened as a live store takes a new epoch forked at the backup\'s head; so does every later restore of the same backup', async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    const original = await resolveEpoch(store);
    await push(store, 3);
    const backup = join(dir, `backup-${++n}`, 'copy.sqlite');
    const made = await backupSqlite(path, backup);
    expect(made.headSeq).toBe(3);
    await push(store, 2);
    await expect(backupSqlite(path, backup)).rejects.toMatchObject({ code: 'backup_exists' });
    await store.close();

    // Restored twice, each time over the live file (same inode) as `cp` does it.
    const epochs: string[] = [];
    for (let i = 0; i < 2; i++) {
      copyFileSync(backup, path);
      const restored = new SqliteStore(path);
      const info = await resolveEpoch(restored);
      expect(info).toMatchObject({ parentEpoch: original.epoch, forkSeq: 3, rotated: true });
      expect(await restored.headSeq()).toBe(3);
      // Started again on the restored file: the same epoch.
      expect(await resolveEpoch(restored)).toMatchObject({ epoch: info.epoch, rotated: false });
      epochs.push(info.epoch);
      await restored.close();
    }
    expect(new Set([original.epoch, ...epochs]).size).toBe(3);
  });

  it('[S17] a copy without the restore mark, copied into place as a new file, takes a new epoch by its fingerprint', async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    const original = await resolveEpoch(store);
    await push(store, 1);
    await store.close();
    const copy = fresh();
    copyFileSync(path, copy);
    const opened = new SqliteStore(copy);
    expect(await opened.getSetting(RESTORE_SETTING)).toBeNull();
    const source = new SqliteStore(path);
    expect(await opened.fingerprint()).not.toBe(await source.fingerprint());
    await source.close();
    expect(await resolveEpoch(opened)).toMatchObject({ parentEpoch: original.epoch, forkSeq: 1, rotated: true });
    await opened.close();
  });

  it('[S17] nodes starting together on one restored store announce one epoch', async () => {
    const path = fresh();
    const store = new SqliteStore(path);
    const original = await resolveEpoch(store);
    await store.close();
    const copy = fresh();
    copyFileSync(path, copy);
    const nodes = [new SqliteStore(copy), new SqliteStore(copy), new SqliteStore(copy)];
    const decided = await Promise.all(nodes.map((s, i) => resolveEpoch(s, () => `node-${i}`)));
    expect(new Set(decided.map((d) => d.epoch)).size).toBe(1);
    expect(decided.filter((d) => d.rotated)).toHaveLength(1);
    expect(decided[0]?.parentEpoch).toBe(original.epoch);
    for (const s of nodes) await s.close();
  });

  it('[S17] each memory store is its own copy, and an unreadable epoch record is replaced', async () => {
    const a = new MemoryStore();
    const b = new MemoryStore();
    expect(await a.fingerprint()).toBe(await a.fingerprint());
    expect(await a.fingerprint()).not.toBe(await b.fingerprint());
    await a.setSetting(EPOCH_SETTING, '{"epoch": 5}');
    expect(await resolveEpoch(a)).toMatchObject({ parentEpoch: '', rotated: true });
  });

  it('[S17] npm run backup copies the store of a running server, whole batches only, while batches keep coming', async () => {
    const dataDir = join(dir, `data-${++n}`);
    const path = join(dataDir, 'motcua.sqlite');
    mkdirSync(dataDir);
    const store = new SqliteStore(path);
    await store.putUnits([{ code: UNIT, name: 'Phường Thanh Khê' }]);
    let writing = true;
    let written = 0;
    // Batches of three rows each, written while the other process copies the file.
    const writer = (async () => {
      while (writing) {
        const docs = [dossierDoc(), dossierDoc(), dossierDoc()];
        await store.appendBatch('d1', `w-${written++}`, docs.map((doc) => ({ doc, unit: UNIT, data: fieldsUpdate({ n: written }) })));
        await new Promise((r) => setImmediate(r));
      }
    })();
    const dest = join(dir, `cli-${n}.sqlite`);
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'sync-server/backup.ts', dest], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });
    writing = false;
    await writer;
    expect(run.stdout).toMatch(/Backup written: .*cli-\d+\.sqlite/);
    expect(written).toBeGreaterThan(0);

    const copy = new Database(dest, { readonly: true });
    const rows = copy.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM updates').get()?.n ?? -1;
    const batches = copy.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM pushed_batches').get()?.n ?? -1;
    expect(rows).toBe(batches * 3);
    expect(copy.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?').get(RESTORE_SETTING)?.value).toMatch(/^[\w-]{22}$/);
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    copy.close();
    await store.close();
  }, 30_000);
});

describe('[S17] states of docs', () => {
  it('[S17] follows the Welcome with the epoch, and answers states in the order asked: null outside the scope, granted docs included', async () => {
    const t = await startTestServer();
    try {
      const { token } = await addDevice(t.store);
      const other = await addDevice(t.store, OTHER_UNIT);
      const [mine] = await push(t.store, 1);
      const [foreign, granted] = await push(t.store, 2, OTHER_UNIT);
      if (mine === undefined || foreign === undefined || granted === undefined) throw new Error('unreachable');
      await t.store.appendBatch(other.device.id, 'grant', [], { grants: [{ doc: granted, unit: UNIT }] });
      const never = dossierDoc();

      const c = await SyncTestClient.open(t, token);
      await c.next(MsgType.Welcome);
      const epoch = await c.next(MsgType.Epoch);
      expect(epoch.epoch).toMatch(/^[\w-]{22}$/);
      c.send({ type: MsgType.AskStates, reqId: 9, docs: [foreign, mine, never, granted] });
      const answer = await c.next(MsgType.States);
      expect(answer.reqId).toBe(9);
      expect(answer.states.map((s) => [s.doc, s.state === null])).toEqual([
        [foreign, true],
        [mine, false],
        [never, false],
        [granted, false],
      ]);
      const server = new Y.Doc();
      for (const row of await t.store.readDoc(mine)) Y.applyUpdate(server, row);
      const state = answer.states[1]?.state;
      expect(state === null || state === undefined ? null : Y.decodeSnapshot(state).sv).toEqual(Y.snapshot(server).sv);
      const empty = answer.states[2]?.state;
      expect(empty === null || empty === undefined ? null : Y.decodeSnapshot(empty).sv.size).toBe(0);
      c.close();
    } finally {
      await t.close();
    }
  });

  it('[S17] bounds an answer by bytes, answering at least the first doc', async () => {
    const store = new MemoryStore();
    await store.putUnits([{ code: UNIT, name: 'Phường Thanh Khê' }]);
    const { device } = await addDevice(store);
    const docs = await push(store, 5);
    expect(await docStates(store, device, docs, 1)).toHaveLength(1);
    expect((await docStates(store, device, [...docs, ...docs])).map((s) => s.doc)).toEqual(docs);
  });
});
