/**
 * The year's log copied from the SQLite file into a PostgreSQL store, rows and seqs as they are, so
 * both stores are compacted from the same log (writing it through appendBatch again would time the
 * appends, not the compaction).
 */
import Database from 'better-sqlite3';
import type { PgStore } from '../../sync-server/store/pg.ts';

const CHUNK = 5_000;

interface Row {
  seq: number;
  doc: string;
  unit: string;
  device: string;
  batch_id: string;
  data: Buffer;
  received_at: number;
}

export async function copyLog(sqlitePath: string, store: PgStore): Promise<void> {
  const db = new Database(sqlitePath, { readonly: true });
  try {
    const page = db.prepare<[number, number], Row>('SELECT seq, doc, unit, device, batch_id, data, received_at FROM updates WHERE seq > ? ORDER BY seq LIMIT ?');
    let last = 0;
    for (;;) {
      const rows = page.all(last, CHUNK);
      if (rows.length === 0) break;
      await store.pool.query(
        `INSERT INTO updates (seq, doc, unit, device, batch_id, data, received_at)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::bigint[])`,
        [rows.map((r) => r.seq), rows.map((r) => r.doc), rows.map((r) => r.unit), rows.map((r) => r.device), rows.map((r) => r.batch_id), rows.map((r) => r.data), rows.map((r) => r.received_at)],
      );
      last = rows[rows.length - 1]?.seq ?? last;
    }
    await store.pool.query('UPDATE log_head SET seq = $1 WHERE id = 1', [last]);
    await store.pool.query('VACUUM ANALYZE updates');
  } finally {
    db.close();
  }
}

/** The log table's size after VACUUM (dead rows' space reusable) and after VACUUM FULL (rewritten). */
export async function vacuumSizes(store: PgStore): Promise<{ afterVacuum: number; afterVacuumFull: number }> {
  const size = async (): Promise<number> =>
    (await store.pool.query<{ n: number }>("SELECT pg_total_relation_size('updates'::regclass) AS n")).rows[0]?.n ?? 0;
  await store.pool.query('VACUUM updates');
  const afterVacuum = await size();
  await store.pool.query('VACUUM FULL updates');
  return { afterVacuum, afterVacuumFull: await size() };
}
