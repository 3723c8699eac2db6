/**
 * A tiny message catalog: Vietnamese first, English second. Each screen module owns its catalog
 * (`defineMessages`), so a lazy screen brings its strings with it and the first screen stays small.
 * The English table must have every key of the Vietnamese one (checked by the compiler).
 *
 * Dates stay dd/mm/yyyy in both locales (domain time.ts formatters): they are read off official forms.
 */
import { useEffect, useState } from 'preact/hooks';

export type Locale = 'vi' | 'en';
export const LOCALES: readonly Locale[] = ['vi', 'en'];

const STORAGE_KEY = 'motcua.locale';

function stored(): Locale {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

let current: Locale = stored();
const listeners = new Set<() => void>();

export function locale(): Locale {
  return current;
}

/** Switches the UI language for this browser profile (kept across reloads). */
export function setLocale(l: Locale): void {
  if (l === current) return;
  current = l;
  try {
    localStorage.setItem(STORAGE_KEY, l);
  } catch {
    // A profile without storage still switches for this session.
  }
  document.documentElement.lang = l;
  for (const f of listeners) f();
}

/** Re-renders the caller when the language changes; the app's root uses it so every screen follows. */
export function useLocale(): Locale {
  const [l, setL] = useState(current);
  useEffect(() => {
    const on = (): void => setL(current);
    listeners.add(on);
    document.documentElement.lang = current;
    return () => {
      listeners.delete(on);
    };
  }, []);
  return l;
}

export type Params = Readonly<Record<string, string | number>>;

function interpolate(text: string, params?: Params): string {
  if (params === undefined) return text;
  return text.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export type Translate<K extends string> = (key: K, params?: Params) => string;

/**
 * A translate function over one catalog. `{name}` placeholders are filled from params. `fixed`
 * pins a locale: the printed forms are legal documents and always print in Vietnamese.
 */
export function defineMessages<K extends string>(vi: Readonly<Record<K, string>>, en: Readonly<Record<K, string>>, fixed?: Locale): Translate<K> {
  return (key, params) => interpolate(((fixed ?? current) === 'en' ? en : vi)[key], params);
}

/** Vietnamese collation for names of people, procedures and units, whatever the UI language. */
export const viCollator = new Intl.Collator('vi', { sensitivity: 'base', numeric: true });

export function formatNumber(n: number, opts?: Intl.NumberFormatOptions): string {
  return new Intl.NumberFormat(current === 'en' ? 'en-GB' : 'vi-VN', opts).format(n);
}
