/**
 * Doc names: `{unit}/{kind}/{id}`. The unit (a commune's 5-digit code) is the doc's home scope, so
 * the server can refuse another commune's doc from the name alone, before loading anything.
 */

export const DOC_KINDS = ['dossier', 'queue'] as const;
export type DocKind = (typeof DOC_KINDS)[number];

export interface DocName {
  readonly unit: string;
  readonly kind: DocKind;
  readonly id: string;
}

const UNIT_RE = /^\d{5}$/;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isUnitCode(value: string): boolean {
  return UNIT_RE.test(value);
}

/** Parses a doc name; null for anything malformed, an unknown kind, or a path trick ("..", "%2e"). */
export function parseDocName(name: string): DocName | null {
  if (name.length > 128) return null;
  const parts = name.split('/');
  if (parts.length !== 3) return null;
  const [unit, kind, id] = parts as [string, string, string];
  if (!UNIT_RE.test(unit)) return null;
  if (kind === 'dossier') return UUID_RE.test(id) ? { unit, kind, id } : null;
  if (kind === 'queue') return DAY_RE.test(id) ? { unit, kind, id } : null;
  return null;
}

export function docName(unit: string, kind: DocKind, id: string): string {
  return `${unit}/${kind}/${id}`;
}

export const dossierDocName = (unit: string, dossierId: string): string => docName(unit, 'dossier', dossierId);
