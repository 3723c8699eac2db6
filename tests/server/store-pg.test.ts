import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PG_SCHEMA_VERSION } from '../../sync-server/store/pg-schema.ts';
import { PgStore } from '../../sync-server/store/pg.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';
import { runProjectionContract } from './projection-contract.ts';
import { runStoreContract } from './store-contract.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db.drop();
});

// Each store gets its own schema of the file's database: a fresh, empty store in a few milliseconds.
let n = 0;
runStoreContract('postgresql', () => PgStore.open({ connectionString: db.url, schema: `contract_${++n}`, max: 4 }));
runProjectionContract('postgresql', () => PgStore.open({ connectionString: db.url, schema: `projection_${++n}`, max: 4 }));

describe('PgStore', () => {
  it('[S2] keeps acknowledged batches, numbers and devices across close and reopen', async () => {
    const schema = `reopen_${++n}`;
    const store = await PgStore.open({ connectionString: db.url, schema });
    await store.putUnits([{ code: '20209', name: 'Phường Thanh Khê' }]);
    await store.createDevice('20209', 'counter', { id: 'd1', label: 'Quầy 1', tokenHash: 'h1', createdAt: 1 });
    const doc = '20209/queue/2026-11-22';
    const ack = await store.appendBatch('d1', 'batch-1', [{ doc, unit: '20209', data: new Uint8Array([1, 2, 3]) }]);
    await store.reserveBlocks('20209', ['261122'], 10);
    await store.close();

    const reopened = await PgStore.open({ connectionString: db.url, schema });
    expect(await reopened.readDoc(doc)).toEqual([new Uint8Array([1, 2, 3])]);
    expect(await reopened.headSeq()).toBe(ack.headSeq);
    expect(await reopened.lastBatch('d1')).toEqual({ batchId: 'batch-1', seqs: ack.seqs });
    expect(await reopened.appendBatch('d1', 'batch-1', [])).toMatchObject({ seqs: ack.seqs, duplicate: true });
    expect((await reopened.getDeviceByTokenHash('h1'))?.ordinal).toBe(0);
    expect(await reopened.reserveBlocks('20209', ['261122'], 10)).toEqual([{ day: '261122', start: 11, end: 20 }]);
    await reopened.close();
  });

  it('migrates once when two nodes start together, and records the schema version', async () => {
    const schema = `migrate_${++n}`;
    const [a, b] = await Promise.all([
      PgStore.open({ connectionString: db.url, schema }),
      PgStore.open({ connectionString: db.url, schema }),
    ]);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${schema}.schema_version`);
    await client.end();
    expect(rows).toEqual([{ version: PG_SCHEMA_VERSION }]);
    await Promise.all([a.close(), b.close()]);
  });

  it('refuses a database written by a newer schema', async () => {
    const schema = `newer_${++n}`;
    const store = await PgStore.open({ connectionString: db.url, schema });
    await store.pool.query(`UPDATE ${schema}.schema_version SET version = ${PG_SCHEMA_VERSION + 1}`);
    await store.close();
    await expect(PgStore.open({ connectionString: db.url, schema })).rejects.toMatchObject({ code: 'schema_too_new' });
  });
});
