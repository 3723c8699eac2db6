/**
 * The procedure catalog the data center publishes to devices. An admin uploads JSON (an array in the
 * format of public/data/procedures.json) or CSV; it is checked with the domain's own parsers, so the
 * server accepts exactly what a device accepts, and published only when it has no error at all.
 *
 * What devices get (`procedures`) is always in the JSON catalog format, the one `parseCatalog` reads:
 * the uploaded array itself for JSON, and for CSV the entries of the parsed procedures, checked to
 * parse back to the same catalog version before anything is stored.
 */
import { readFileSync } from 'node:fs';
import { catalogVersion, parseCatalogCsv } from '../src/domain/catalog-import.ts';
import { parseCatalog, type Procedure } from '../src/domain/catalog.ts';
import type { StoredCatalog, SyncStore } from './store/types.ts';

/** Where the first catalog comes from: the one the PWA ships with. */
export const SEED_CATALOG_URL = new URL('../public/data/procedures.json', import.meta.url);

export type CatalogFormat = 'json' | 'csv';

export type CatalogCheck =
  | { readonly ok: true; readonly catalog: Omit<StoredCatalog, 'publishedAt'> }
  | { readonly ok: false; readonly errors: readonly string[] };

/** A procedure as an entry of the JSON catalog format: parseCatalog gives the same procedure back. */
export function catalogEntry(p: Procedure): Record<string, unknown> {
  const e: Record<string, unknown> = { name: p.name, field: p.field, level: p.level };
  if (p.processingUnit === 'hours') {
    e.processingDays = p.processingHours ?? 0;
    e.processingUnit = 'hours';
  } else {
    e.processingDays = p.processingDays;
    if (p.processingUnit !== undefined) e.processingUnit = p.processingUnit;
  }
  if (p.sameDay15h !== undefined) e.sameDay15h = p.sameDay15h;
  e.components = p.componentSpecs?.map((c) => ({ name: c.name, copyKind: c.copyKind, count: c.count })) ?? [...p.components];
  if (p.nationalCode !== undefined) e.code = p.nationalCode;
  if (p.processingRule !== undefined) e.processingRule = p.processingRule;
  if (p.authority !== undefined) e.authority = p.authority;
  if (p.extendedDaysIfVerification !== undefined) e.extendedDaysIfVerification = p.extendedDaysIfVerification;
  if (p.fee !== undefined) e.fee = p.fee;
  if (p.fees !== undefined) e.fees = p.fees;
  if (p.notes !== undefined) e.notes = p.notes;
  return e;
}

const EMPTY = 'Danh mục không có thủ tục nào';
const NOT_JSON = 'Dữ liệu không phải JSON hợp lệ';

/**
 * Checks an upload. Any error (a bad row, a duplicate code, an unknown CSV column) refuses the whole
 * catalog: publishing a catalog with a procedure silently missing would take it off every counter.
 */
export function checkCatalog(format: CatalogFormat, text: string): CatalogCheck {
  let entries: unknown;
  let parsed: { procedures: Procedure[]; errors: string[] };
  if (format === 'json') {
    try {
      entries = JSON.parse(text);
    } catch {
      return { ok: false, errors: [NOT_JSON] };
    }
    parsed = parseCatalog(entries);
  } else {
    parsed = parseCatalogCsv(text);
    entries = parsed.procedures.map(catalogEntry);
  }
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  if (parsed.procedures.length === 0) return { ok: false, errors: [EMPTY] };
  const version = catalogVersion(parsed.procedures);
  // What devices will parse must be the catalog that was checked, to the version.
  const again = parseCatalog(entries);
  if (again.errors.length > 0 || catalogVersion(again.procedures) !== version) {
    throw new Error(`catalog entries do not parse back to version ${version}`);
  }
  return { ok: true, catalog: { version, body: JSON.stringify(entries), count: parsed.procedures.length } };
}

/**
 * On a store with no catalog yet (a first start, or the first start of a server that has this
 * feature), publishes the catalog the PWA ships with. Returns what it published, or why it did not:
 * a missing or broken seed file does not stop the server, it leaves the catalog to an admin.
 */
export async function seedCatalog(
  store: SyncStore,
  source: URL | string = SEED_CATALOG_URL,
  now = Date.now(),
): Promise<{ readonly published: StoredCatalog | null; readonly problem: string | null }> {
  if ((await store.getCatalog()) !== null) return { published: null, problem: null };
  let text: string;
  try {
    text = readFileSync(source, 'utf8');
  } catch (e) {
    return { published: null, problem: `cannot read ${String(source)}: ${e instanceof Error ? e.message : String(e)}` };
  }
  const checked = checkCatalog('json', text);
  if (!checked.ok) return { published: null, problem: checked.errors.join('; ') };
  const published = { ...checked.catalog, publishedAt: now };
  await store.putCatalog(published);
  return { published, problem: null };
}

/** Whether an If-None-Match header names this version (`"v"`, `W/"v"`, lists, `*`). */
export function matchesEtag(header: string | undefined, version: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .some((t) => t === '*' || t === `"${version}"` || t === version);
}
