/**
 * The PostgreSQL store's officers (S23): each write moves its unit's officer-list version in the same
 * transaction, under the officer_lists row's lock, so two nodes changing one unit's officers at once
 * each move it.
 */
import type { Pool, PoolClient } from 'pg';
import { applyOfficerChange } from './officer-change.ts';
import { inTransaction } from './pg-pool.ts';
import { toOfficer, type OfficerRow } from './sqlite-rows.ts';
import { StoreError, type NewOfficer, type Officer, type OfficerChange, type OfficerList } from './types.ts';

const BUMP = `INSERT INTO officer_lists (unit, version) VALUES ($1, 1)
  ON CONFLICT (unit) DO UPDATE SET version = officer_lists.version + 1`;
const WRITE = `UPDATE officers SET display_name = $1, role = $2, salt = $3, hash = $4, iterations = $5, disabled_at = $6 WHERE id = $7`;

async function byName(c: PoolClient, unit: string, username: string): Promise<OfficerRow | undefined> {
  return (await c.query<OfficerRow>('SELECT * FROM officers WHERE unit = $1 AND username = $2 FOR UPDATE', [unit, username])).rows[0];
}

async function insert(c: PoolClient, o: NewOfficer): Promise<void> {
  await c.query(
    `INSERT INTO officers (id, unit, username, display_name, role, salt, hash, iterations, disabled_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)`,
    [o.id, o.unit, o.username, o.displayName, o.role, o.salt, o.hash, o.iterations],
  );
}

async function write(c: PoolClient, o: Officer): Promise<void> {
  await c.query(WRITE, [o.displayName, o.role, o.salt, o.hash, o.iterations, o.disabledAt, o.id]);
}

export class PgOfficers {
  constructor(private readonly pool: Pool) {}

  /** The version row is taken first: writes of one unit's officers queue behind each other. */
  private change<T>(unit: string, fn: (c: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (c) => {
      await c.query(BUMP, [unit]);
      return fn(c);
    });
  }

  async put(o: NewOfficer): Promise<void> {
    await this.change(o.unit, async (c) => {
      const prev = await byName(c, o.unit, o.username);
      if (prev === undefined) await insert(c, o);
      else await write(c, { ...o, id: prev.id, disabledAt: prev.disabled_at });
    });
  }

  create(o: NewOfficer): Promise<Officer> {
    return this.change(o.unit, async (c) => {
      const taken = await c.query('SELECT 1 FROM officers WHERE (unit = $1 AND username = $2) OR id = $3', [o.unit, o.username, o.id]);
      if ((taken.rowCount ?? 0) > 0) throw new StoreError('duplicate', 'officer exists');
      await insert(c, o);
      return { ...o, disabledAt: null };
    });
  }

  async get(id: string): Promise<Officer | null> {
    const row = (await this.pool.query<OfficerRow>('SELECT * FROM officers WHERE id = $1', [id])).rows[0];
    return row === undefined ? null : toOfficer(row);
  }

  async update(id: string, change: OfficerChange): Promise<Officer | null> {
    const found = await this.get(id);
    if (found === null) return null;
    return this.change(found.unit, async (c) => {
      const row = (await c.query<OfficerRow>('SELECT * FROM officers WHERE id = $1 FOR UPDATE', [id])).rows[0];
      if (row === undefined) return null;
      const next = applyOfficerChange(toOfficer(row), change);
      await write(c, next);
      return next;
    });
  }

  list(unit: string): Promise<OfficerList> {
    // One snapshot: the version and the rows it counts.
    return inTransaction(
      this.pool,
      async (c) => {
        const version = (await c.query<{ version: number }>('SELECT version FROM officer_lists WHERE unit = $1', [unit])).rows[0]?.version ?? 0;
        const rows = (await c.query<OfficerRow>('SELECT * FROM officers WHERE unit = $1 ORDER BY username', [unit])).rows;
        return { version, officers: rows.map(toOfficer) };
      },
      'repeatable read',
      true,
    );
  }
}
