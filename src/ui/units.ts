/**
 * Đà Nẵng's 94 commune-level units (precached data file), for the applicant's residence and for
 * transfers to another commune. Sorted with Vietnamese collation, grouped by type.
 */
import { useEffect, useState } from 'preact/hooks';
import { viCollator } from './i18n/index.ts';

export interface Unit {
  code: string;
  name: string;
  type: 'phuong' | 'xa' | 'dac_khu' | string;
}

let loading: Promise<Unit[]> | null = null;

export function loadUnits(): Promise<Unit[]> {
  loading ??= fetch('/data/units.json')
    .then((r) => {
      if (!r.ok) throw new Error(`units.json: HTTP ${r.status}`);
      return r.json() as Promise<Unit[]>;
    })
    .then((units) => units.filter((u) => typeof u.code === 'string' && typeof u.name === 'string').sort((a, b) => viCollator.compare(a.name, b.name)))
    .catch((e: unknown) => {
      loading = null;
      throw e;
    });
  return loading;
}

/** The units, [] until loaded (or when the file is missing: a free-text place still works). */
export function useUnits(): Unit[] {
  const [units, setUnits] = useState<Unit[]>([]);
  useEffect(() => {
    let live = true;
    loadUnits().then(
      (u) => live && setUnits(u),
      (e: unknown) => console.error('units not loaded', e),
    );
    return () => {
      live = false;
    };
  }, []);
  return units;
}

export const UNIT_TYPES = ['phuong', 'xa', 'dac_khu'] as const;
