/**
 * The changes the data center refused (rule S22): the device set them aside so everything else keeps
 * syncing. Read from the database, like the pending count, so every tab shows it, online or not.
 */
import type { MotcuaDb } from '../../db/schema.ts';
import { parseDocName } from '../../protocol/doc-names.ts';
import { refusalReason, ta } from '../i18n/refusals.ts';
import { useLive } from '../live.ts';

interface Aside {
  rows: number;
  codes: number[];
  /** The dossier codes affected, where the device holds the dossier's row. */
  dossiers: string[];
}

const NONE: Aside = { rows: 0, codes: [], dossiers: [] };

async function readAside(db: MotcuaDb): Promise<Aside> {
  const rows = await db.aside.toArray();
  if (rows.length === 0) return NONE;
  const ids = [...new Set(rows.map((r) => parseDocName(r.doc)).flatMap((n) => (n?.kind === 'dossier' ? [n.id] : [])))];
  const dossiers = (await db.dossiers.bulkGet(ids)).flatMap((d) => (d === undefined ? [] : [d.code]));
  return { rows: rows.length, codes: [...new Set(rows.map((r) => r.code))].sort((a, b) => a - b), dossiers };
}

/** The header's count, next to the pending one: shown only when something is set aside. */
export function SetAsideCount() {
  const n = useLive((db) => db.aside.count(), [], 0, true);
  if (n === 0) return null;
  return (
    <div class="pending" title={ta('aside.countTitle')}>
      {ta('aside.count')} <strong data-testid="set-aside-count">{n}</strong>
    </div>
  );
}

/** The notice under the header: how many, why (in words), which dossiers. */
export function SetAsideNotice() {
  const aside = useLive(readAside, [], NONE, true);
  if (aside.rows === 0) return null;
  return (
    <p class="warning no-print" role="alert" data-testid="set-aside">
      <strong>{ta('aside.title', { n: aside.rows })}</strong>. {ta('aside.reasons', { reasons: aside.codes.map(refusalReason).join('; ') })}{' '}
      {aside.dossiers.length > 0 && `${ta('aside.dossiers', { codes: aside.dossiers.join(', ') })} `}
      {ta('aside.kept')}
    </p>
  );
}
