/**
 * Where the procedure catalog comes from, best first: the version the data center publishes
 * (GET /api/catalog, revalidated by ETag), the last one received (kept in IndexedDB), and the seed
 * shipped with the app (precached by the service worker, so the first start offline still works).
 */
import { parseCatalog, type Procedure } from '../domain/catalog.ts';
import { META, type DeviceInfo, type LocalStore } from './local-store.ts';

interface CachedCatalog {
  version: string;
  procedures: unknown[];
}

export async function loadCatalog(
  store: LocalStore,
  origin: string,
  device: DeviceInfo | undefined,
  doFetch: typeof fetch,
): Promise<Procedure[]> {
  const cached = await store.getMeta<CachedCatalog>(META.catalog);
  if (device !== undefined) {
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${device.token}` };
      if (cached !== undefined) headers['if-none-match'] = `"${cached.version}"`;
      const res = await doFetch(`${origin}/api/catalog`, { headers });
      if (res.status === 200) {
        const body = (await res.json()) as CachedCatalog;
        const parsed = parseCatalog(body.procedures);
        // A catalog with bad rows is not taken: the officer keeps working with the last good one.
        if (parsed.errors.length === 0 && parsed.procedures.length > 0) {
          await store.setMeta(META.catalog, body);
          return parsed.procedures;
        }
      }
    } catch {
      // Offline: fall through to what the device already has.
    }
  }
  if (cached !== undefined) {
    const parsed = parseCatalog(cached.procedures);
    if (parsed.procedures.length > 0) return parsed.procedures;
  }
  const res = await doFetch(`${origin}/data/procedures.json`);
  return parseCatalog(await res.json()).procedures;
}
