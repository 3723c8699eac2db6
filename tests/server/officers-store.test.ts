/** The officer accounts of every store (S23): the same life cycle and list versions on each. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../sync-server/store/memory.ts';
import { PgStore } from '../../sync-server/store/pg.ts';
import { SqliteStore } from '../../sync-server/store/sqlite.ts';
import type { NewOfficer, SyncStore } from '../../sync-server/store/types.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

let db: TestDatabase;
const dir = mkdtempSync(join(tmpdir(), 'motcua-officers-'));
beforeAll(async () => {
  db = await createTestDatabase();
}, 60_000);
afterAll(async () => {
  await db.drop();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const stores: [string, () => Promise<SyncStore>][] = [
  ['memory', async () => new MemoryStore()],
  ['sqlite', async () => new SqliteStore(join(dir, `s${++n}.sqlite`))],
  ['postgresql', () => PgStore.open({ connectionString: db.url, schema: `officers_${++n}`, max: 4 })],
];

const A = '20209';
const B = '20194';
const officer = (id: string, username: string, unit = A): NewOfficer => ({
  id,
  unit,
  username,
  displayName: username,
  role: 'counter',
  salt: `s-${id}`,
  hash: `h-${id}`,
  iterations: 600_000,
});

describe.each(stores)('[S23] officers in the %s store', (_name, open) => {
  it('creates, refuses a taken username, changes, disables, and moves the unit version on every write', async () => {
    const store = await open();
    try {
      await store.putUnits([
        { code: A, name: 'A' },
        { code: B, name: 'B' },
      ]);
      expect(await store.officerList(A)).toEqual({ version: 0, officers: [] });
      const lan = await store.createOfficer(officer('o1', 'lan'));
      expect(lan.disabledAt).toBeNull();
      await store.createOfficer(officer('o2', 'hoa'));
      await expect(store.createOfficer(officer('o3', 'lan'))).rejects.toMatchObject({ code: 'duplicate' });
      await store.createOfficer(officer('o4', 'lan', B));
      expect((await store.officerList(A)).version).toBe(2);
      expect((await store.officerList(B)).version).toBe(1);

      expect(await store.updateOfficer('o1', { disabledAt: 1234, role: 'leader' })).toMatchObject({ id: 'o1', disabledAt: 1234, role: 'leader' });
      expect(await store.getOfficer('o1')).toMatchObject({ disabledAt: 1234, role: 'leader', hash: 'h-o1' });
      expect((await store.listOfficers(A)).map((o) => o.username)).toEqual(['hoa']);
      const list = await store.officerList(A);
      expect(list.version).toBe(3);
      expect(list.officers.map((o) => [o.username, o.disabledAt])).toEqual([
        ['hoa', null],
        ['lan', 1234],
      ]);

      await store.updateOfficer('o1', { disabledAt: null, password: { salt: 'ns', hash: 'nh', iterations: 600_000 }, displayName: 'Lan' });
      expect(await store.getOfficer('o1')).toMatchObject({ disabledAt: null, salt: 'ns', hash: 'nh', displayName: 'Lan', role: 'leader' });
      expect((await store.officerList(A)).version).toBe(4);
      expect(await store.updateOfficer('nobody', { disabledAt: 1 })).toBeNull();
      expect((await store.officerList(A)).version).toBe(4);

      // The seed's upsert keeps the id and the disabled state, and moves the version too.
      await store.updateOfficer('o2', { disabledAt: 99 });
      await store.putOfficer({ ...officer('other-id', 'hoa'), hash: 'h-new' });
      expect(await store.getOfficer('o2')).toMatchObject({ hash: 'h-new', disabledAt: 99 });
      expect(await store.getOfficer('other-id')).toBeNull();
      expect((await store.officerList(A)).version).toBe(6);
      expect((await store.officerList(B)).version).toBe(1);
    } finally {
      await store.close();
    }
  });
});
