/**
 * What the server must hold after the load, worked out from the Push frames themselves, and the check
 * of it through the admin API (the same answer whichever store is behind it): every pushed dossier is
 * stored in its commune, every transferred dossier in the commune it was sent to, nothing more, and
 * every batch recorded once. With audit.ts (the content of each dossier) a configuration cannot pass
 * by dropping or duplicating data.
 */
import { MsgType } from '../../src/protocol/constants.ts';
import { decodeMessage } from '../../src/protocol/messages.ts';
import type { Backlog } from './backlog.ts';
import type { ServerNode } from './node.ts';

export interface Expected {
  /** Docs each unit's devices must end with: its own, and those granted to it. */
  readonly scope: ReadonlyMap<string, ReadonlySet<string>>;
  readonly home: ReadonlyMap<string, ReadonlySet<string>>;
  readonly items: number;
  readonly rows: number;
  readonly grants: number;
  readonly batches: number;
  readonly dossiers: number;
}

function add(map: Map<string, Set<string>>, unit: string, doc: string): void {
  let set = map.get(unit);
  if (set === undefined) map.set(unit, (set = new Set()));
  set.add(doc);
}

export function expectedOf(backlog: Backlog): Expected {
  const home = new Map<string, Set<string>>();
  const scope = new Map<string, Set<string>>();
  let items = 0;
  let rows = 0;
  let batches = 0;
  let dossiers = 0;
  const grants = new Set<string>();
  for (const d of backlog.devices) {
    dossiers += d.dossiers;
    for (const b of d.batches) {
      batches++;
      rows += b.rows;
      const msg = decodeMessage(b.frame);
      if (msg.type !== MsgType.Push) throw new Error('backlog: not a Push frame');
      for (const it of msg.items) {
        items++;
        add(home, d.unit, it.doc);
        add(scope, d.unit, it.doc);
      }
      for (const g of msg.grants ?? []) {
        grants.add(`${g.doc} ${g.unit}`);
        add(scope, g.unit, g.doc);
      }
    }
  }
  for (const c of backlog.communes) {
    if (!scope.has(c.code)) scope.set(c.code, new Set());
  }
  return { scope, home, items, rows, grants: grants.size, batches, dossiers };
}

/**
 * Problems found, empty when the store accounts for every update. `devices` is how many devices were
 * enrolled, `liveEdits` how many live updates the probe sent (each at most one batch of one row). Row counts
 * are bounds, not equalities: the compactor (S16) may merge a doc's rows at any time.
 */
export async function verifyStore(node: ServerNode, expected: Expected, devices: number, liveEdits: number): Promise<string[]> {
  const problems: string[] = [];
  const units = [...expected.scope.keys()];
  // A few units at a time: the admin API is served by the node under test.
  for (let i = 0; i < units.length; i += 8) {
    await Promise.all(
      units.slice(i, i + 8).map(async (unit) => {
        const stats = await node.docStats(unit);
        const want = expected.scope.get(unit) ?? new Set<string>();
        let found = 0;
        for (const s of stats) {
          if (s.doc.includes('/queue/')) continue;
          if (!want.has(s.doc)) problems.push(`${unit}: unexpected doc ${s.doc}`);
          else if (s.rows < 1) problems.push(`${unit}: ${s.doc} has no rows`);
          else found++;
        }
        if (found !== want.size) problems.push(`${unit}: ${found} of ${want.size} docs stored`);
      }),
    );
  }
  const stats = await node.stats();
  // Each pushed dossier: its row and one stamp row; each grant: one row of the merged state; each
  // live edit one row. Compaction can only lower that, never below one row per doc and unit.
  const most = 2 * expected.items + expected.grants + liveEdits;
  const least = expected.items + expected.grants;
  if (stats.rows > most || stats.rows < least) problems.push(`stats.rows ${stats.rows}, expected ${least}-${most}`);
  // A live client whose link dropped sends what it wrote meanwhile as one update on its return.
  const live = stats.batches - expected.batches;
  if (live < Math.min(1, liveEdits) || live > liveEdits) {
    problems.push(`stats.batches ${stats.batches}, expected ${expected.batches} pushed and 1-${liveEdits} live`);
  }
  if (stats.devices !== devices) problems.push(`stats.devices ${stats.devices}, expected ${devices}`);
  return problems.slice(0, 20);
}
