/**
 * What every chaos scenario reports, and the table `npm run chaos` prints. A scenario fails when
 * anything confirmed is missing, anything is duplicated, or replicas differ.
 */
export interface Report {
  scenario: string;
  /** Faults injected, by kind. */
  faults: Record<string, number>;
  /** Batches (or receipts) the server confirmed with a PushAck. */
  confirmed: number;
  missing: number;
  duplicates: number;
  /** Replicas compared (devices and the server), and whether all were identical. */
  replicas: number;
  identical: boolean;
  /** From the end of the last fault to all replicas identical. */
  convergeMs: number;
  /** Anything else worth reading (outcomes by kind, findings). */
  notes: string[];
  /** Why it failed, if it did. */
  failures: string[];
}

export function emptyReport(scenario: string): Report {
  return { scenario, faults: {}, confirmed: 0, missing: 0, duplicates: 0, replicas: 0, identical: true, convergeMs: 0, notes: [], failures: [] };
}

export function passed(r: Report): boolean {
  return r.missing === 0 && r.duplicates === 0 && r.identical && r.failures.length === 0;
}

export function count(faults: Record<string, number>, kind: string, by = 1): void {
  faults[kind] = (faults[kind] ?? 0) + by;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

/** A plain-text table, one row per scenario, then the fault kinds and notes of each. */
export function formatTable(reports: readonly Report[]): string {
  const head = ['scenario', 'faults', 'confirmed', 'missing', 'dups', 'replicas', 'identical', 'converge ms', 'result'];
  const rows = reports.map((r) => [
    r.scenario,
    String(Object.values(r.faults).reduce((a, b) => a + b, 0)),
    String(r.confirmed),
    String(r.missing),
    String(r.duplicates),
    String(r.replicas),
    r.identical ? 'yes' : 'NO',
    String(Math.round(r.convergeMs)),
    passed(r) ? 'PASS' : 'FAIL',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string => '| ' + cells.map((c, i) => pad(c, widths[i] ?? 0)).join(' | ') + ' |';
  const out = [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line), ''];
  for (const r of reports) {
    const kinds = Object.entries(r.faults)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    out.push(`${r.scenario}: faults ${kinds || 'none'}`);
    for (const n of r.notes) out.push(`  - ${n}`);
    for (const f of r.failures) out.push(`  ! ${f}`);
  }
  return out.join('\n');
}
