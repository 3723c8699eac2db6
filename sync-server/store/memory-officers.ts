/** The memory store's officers and their per-unit list versions (S23), kept apart from memory.ts. */
import { applyOfficerChange } from './officer-change.ts';
import { StoreError, type NewOfficer, type Officer, type OfficerChange, type OfficerList } from './types.ts';

const byUsername = (a: Officer, b: Officer): number => a.username.localeCompare(b.username);

export class MemoryOfficers {
  /** By id. */
  private readonly officers = new Map<string, Officer>();
  private readonly versions = new Map<string, number>();

  private find(unit: string, username: string): Officer | undefined {
    for (const o of this.officers.values()) if (o.unit === unit && o.username === username) return o;
    return undefined;
  }

  private bump(unit: string): void {
    this.versions.set(unit, (this.versions.get(unit) ?? 0) + 1);
  }

  put(o: NewOfficer): void {
    const prev = this.find(o.unit, o.username);
    this.officers.set(prev?.id ?? o.id, { ...o, id: prev?.id ?? o.id, disabledAt: prev?.disabledAt ?? null });
    this.bump(o.unit);
  }

  create(o: NewOfficer): Officer {
    if (this.find(o.unit, o.username) !== undefined || this.officers.has(o.id)) throw new StoreError('duplicate', 'officer exists');
    const officer: Officer = { ...o, disabledAt: null };
    this.officers.set(o.id, officer);
    this.bump(o.unit);
    return officer;
  }

  get(id: string): Officer | null {
    return this.officers.get(id) ?? null;
  }

  update(id: string, change: OfficerChange): Officer | null {
    const prev = this.officers.get(id);
    if (prev === undefined) return null;
    const next = applyOfficerChange(prev, change);
    this.officers.set(id, next);
    this.bump(prev.unit);
    return next;
  }

  list(unit: string): OfficerList {
    const officers = [...this.officers.values()].filter((o) => o.unit === unit).sort(byUsername);
    return { version: this.versions.get(unit) ?? 0, officers };
  }
}
