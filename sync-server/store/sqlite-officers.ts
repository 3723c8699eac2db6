/**
 * The SQLite store's officers (S23): each write moves its unit's officer-list version in the same
 * transaction, so a device revalidating by that version never keeps a list older than a change.
 */
import type Database from 'better-sqlite3';
import { applyOfficerChange } from './officer-change.ts';
import { toOfficer, type OfficerRow } from './sqlite-rows.ts';
import { StoreError, type NewOfficer, type Officer, type OfficerChange, type OfficerList } from './types.ts';

const BUMP = `INSERT INTO officer_lists (unit, version) VALUES (?, 1)
  ON CONFLICT(unit) DO UPDATE SET version = officer_lists.version + 1`;
const WRITE = `UPDATE officers SET display_name = ?, role = ?, salt = ?, hash = ?, iterations = ?, disabled_at = ? WHERE id = ?`;

export class SqliteOfficers {
  constructor(private readonly db: Database.Database) {}

  private byName(unit: string, username: string): OfficerRow | undefined {
    return this.db.prepare<[string, string], OfficerRow>('SELECT * FROM officers WHERE unit = ? AND username = ?').get(unit, username);
  }

  private byId(id: string): OfficerRow | undefined {
    return this.db.prepare<[string], OfficerRow>('SELECT * FROM officers WHERE id = ?').get(id);
  }

  private insert(o: NewOfficer): void {
    this.db
      .prepare(
        `INSERT INTO officers (id, unit, username, display_name, role, salt, hash, iterations, disabled_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
      )
      .run(o.id, o.unit, o.username, o.displayName, o.role, o.salt, o.hash, o.iterations);
    this.db.prepare(BUMP).run(o.unit);
  }

  private write(o: Officer): void {
    this.db.prepare(WRITE).run(o.displayName, o.role, o.salt, o.hash, o.iterations, o.disabledAt, o.id);
    this.db.prepare(BUMP).run(o.unit);
  }

  put(o: NewOfficer): void {
    this.db
      .transaction(() => {
        const prev = this.byName(o.unit, o.username);
        if (prev === undefined) this.insert(o);
        else this.write({ ...o, id: prev.id, disabledAt: prev.disabled_at });
      })
      .immediate();
  }

  create(o: NewOfficer): Officer {
    return this.db
      .transaction(() => {
        if (this.byName(o.unit, o.username) !== undefined || this.byId(o.id) !== undefined) throw new StoreError('duplicate', 'officer exists');
        this.insert(o);
        return { ...o, disabledAt: null };
      })
      .immediate();
  }

  get(id: string): Officer | null {
    const row = this.byId(id);
    return row === undefined ? null : toOfficer(row);
  }

  update(id: string, change: OfficerChange): Officer | null {
    return this.db
      .transaction(() => {
        const row = this.byId(id);
        if (row === undefined) return null;
        const next = applyOfficerChange(toOfficer(row), change);
        this.write(next);
        return next;
      })
      .immediate();
  }

  list(unit: string): OfficerList {
    return this.db
      .transaction(() => {
        const version = this.db.prepare<[string], { version: number }>('SELECT version FROM officer_lists WHERE unit = ?').get(unit)?.version ?? 0;
        const rows = this.db.prepare<[string], OfficerRow>('SELECT * FROM officers WHERE unit = ? ORDER BY username').all(unit);
        return { version, officers: rows.map(toOfficer) };
      })
      .deferred();
  }
}
