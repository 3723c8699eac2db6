/** The leader's dashboard (#/dashboard): counts, on-time rate, near-due and overdue per officer. */
import { useEffect, useState } from 'preact/hooks';
import { worker } from '../bridge.ts';
import { useClock } from '../due.ts';
import { statusText } from '../i18n/core.ts';
import { formatNumber, viCollator } from '../i18n/index.ts';
import { useLive } from '../live.ts';
import { tdb } from './messages.ts';
import { readStats, STATUSES, type Stats } from './stats.ts';

const pct = (ok: number, n: number): string => (n === 0 ? '—' : formatNumber(ok / n, { style: 'percent', maximumFractionDigits: 1 }));

export function DashboardScreen() {
  const clock = useClock();
  const [names, setNames] = useState<Record<string, string>>({});
  useEffect(() => {
    worker()
      .officerNames()
      .then(setNames, () => setNames({}));
  }, []);
  const stats = useLive<Stats | null>((db) => readStats(db, clock), [clock.now, clock.dueSoonUntil], null);

  if (stats === null) {
    return (
      <main class="card">
        <h1>{tdb('dash.title')}</h1>
        <p class="loading">{tdb('dash.loading')}</p>
      </main>
    );
  }
  const nameOf = (id: string): string => names[id] ?? id;
  const officers = [...stats.perOfficer].sort((a, b) => viCollator.compare(nameOf(a.officer), nameOf(b.officer)));
  return (
    <main class="card wide" data-testid="dashboard">
      <h1>{tdb('dash.title')}</h1>
      <div class="tiles">
        <div class="tile">
          <div class="tile-label">{tdb('dash.total')}</div>
          <div class="tile-value" data-testid="dash-total">{formatNumber(stats.total)}</div>
        </div>
        <div class="tile">
          <div class="tile-label">{tdb('dash.today')}</div>
          <div class="tile-value" data-testid="dash-today">{formatNumber(stats.today)}</div>
        </div>
        <div class="tile">
          <div class="tile-label">{tdb('dash.onTime')}</div>
          <div class="tile-value" data-testid="dash-on-time">{pct(stats.finishedOnTime + stats.runningOnTime, stats.finished + stats.running)}</div>
        </div>
        <a class="tile warn" href="#/list/due_soon">
          <div class="tile-label">{tdb('dash.nearDue')}</div>
          <div class="tile-value" data-testid="dash-near-due">{formatNumber(stats.nearDue)}</div>
        </a>
        <a class="tile bad" href="#/list/overdue">
          <div class="tile-label">{tdb('dash.overdue')}</div>
          <div class="tile-value" data-testid="dash-overdue">{formatNumber(stats.overdue)}</div>
        </a>
      </div>
      <p class="muted">
        {stats.finished > 0 ? tdb('dash.onTimeMonth', { ok: stats.finishedOnTime, n: stats.finished }) : tdb('dash.onTimeNoData')}
        {' · '}
        {tdb('dash.running', { ok: stats.runningOnTime, n: stats.running })}
      </p>
      <div class="grid2">
        <section aria-labelledby="dash-status-title">
          <h2 id="dash-status-title">{tdb('dash.byStatus')}</h2>
          <table data-testid="dash-by-status">
            <thead>
              <tr>
                <th scope="col">{tdb('dash.status')}</th>
                <th scope="col" class="num">{tdb('dash.count')}</th>
              </tr>
            </thead>
            <tbody>
              {STATUSES.map((s) => (
                <tr key={s} data-status={s}>
                  <td>{statusText(s)}</td>
                  <td class="num" data-testid={`dash-status-${s}`}>
                    {formatNumber(stats.byStatus[s] ?? 0)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="dash-officer-title">
          <h2 id="dash-officer-title">{tdb('dash.perOfficer')}</h2>
          {officers.length === 0 ? (
            <p class="muted">{tdb('dash.none')}</p>
          ) : (
            <table data-testid="dash-per-officer">
              <thead>
                <tr>
                  <th scope="col">{tdb('dash.col.officer')}</th>
                  <th scope="col" class="num">{tdb('dash.col.nearDue')}</th>
                  <th scope="col" class="num">{tdb('dash.col.overdue')}</th>
                </tr>
              </thead>
              <tbody>
                {officers.map((o) => (
                  <tr key={o.officer} data-testid="dash-officer" data-officer={o.officer}>
                    <td>{nameOf(o.officer)}</td>
                    <td class="num">{o.nearDue}</td>
                    <td class="num">{o.overdue}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      </div>
    </main>
  );
}
