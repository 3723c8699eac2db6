import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../sync-server/store/sqlite-schema.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import { runProjectionContract } from './projection-contract.ts';
import { runStoreContract } from './store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'motcua-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = (): string => join(dir, `store-${++n}.sqlite`);

runStoreContract('sqlite file', async () => new SqliteStore(freshPath()));
runProjectionContract('sqlite file', async () => new SqliteStore(freshPath()));
runStoreContract('sqlite :memory:', async () => new SqliteStore(':memory:'));

describe('SqliteStore on disk', () => {
  it('[S2] keeps acknowledged batches, numbers and devices across close and reopen', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.putUnits([{ code: '20209', name: 'Phường Thanh Khê' }]);
    await store.createDevice('20209', 'counter', { id: 'd1', label: 'Quầy 1', tokenHash: 'h1', createdAt: 1 });
    const doc = '20209/queue/2026-11-22';
    const ack = await store.appendBatch('d1', 'batch-1', [{ doc, unit: '20209', data: new Uint8Array([1, 2, 3]) }]);
    await store.reserveBlocks('20209', ['261122'], 10);
    await store.close();

    const reopened = new SqliteStore(path);
    expect(await reopened.readDoc(doc)).toEqual([new Uint8Array([1, 2, 3])]);
    expect(await reopened.headSeq()).toBe(ack.headSeq);
    expect(await reopened.lastBatch('d1')).toEqual({ batchId: 'batch-1', seqs: ack.seqs });
    expect(await reopened.appendBatch('d1', 'batch-1', [])).toMatchObject({ seqs: ack.seqs, duplicate: true });
    expect((await reopened.getDeviceByTokenHash('h1'))?.ordinal).toBe(0);
    expect(await reopened.reserveBlocks('20209', ['261122'], 10)).toEqual([{ day: '261122', start: 11, end: 20 }]);
    await reopened.close();
  });

  it('runs in WAL mode with synchronous=FULL and records the schema version', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.close();
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    db.close();
  });

  it('upgrades a file of schema 1 (before grants, stamps, the catalog, doc rows and the dossier projection) and keeps its rows', async () => {
    const path = freshPath();
    const store = new SqliteStore(path);
    await store.putUnits([{ code: '20209', name: 'Phường Thanh Khê' }]);
    const doc = '20209/queue/2026-11-22';
    await store.appendBatch('d1', 'b', [{ doc, unit: '20209', data: new Uint8Array([0, 0]) }]);
    await store.close();
    const db = new Database(path);
    db.exec('DROP TABLE grants; DROP TABLE event_stamps; DROP TABLE catalog; DROP TABLE doc_rows; DROP TABLE dossiers; DROP TABLE dossier_events; DROP TABLE officer_lists; ALTER TABLE officers DROP COLUMN disabled_at;');
    db.pragma('user_version = 1');
    db.close();

    const upgraded = new SqliteStore(path);
    expect(await upgraded.readDoc(doc)).toEqual([new Uint8Array([0, 0])]);
    expect(await upgraded.listGrants(doc)).toEqual([]);
    expect(await upgraded.getCatalog()).toBeNull();
    await upgraded.close();
    const check = new Database(path, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('refuses a file written by a newer schema', () => {
    const path = freshPath();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => new SqliteStore(path)).toThrow(expect.objectContaining({ code: 'schema_too_new' }));
  });
});
