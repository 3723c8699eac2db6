/**
 * The daily register (Mẫu 07): the day's dossiers, printed (A4 landscape) or downloaded as CSV for
 * other systems (domain registerCsv). The day is typed dd/mm/yyyy; arrows move a day. Each dossier
 * of the day is read from the worker (the register needs more than the list's projection holds).
 */
import { useEffect, useState } from 'preact/hooks';
import { registerCsv, registerRows, type RegisterRow } from '../../domain/forms/index.ts';
import { formatVnDate, vnIsoDay } from '../../domain/time.ts';
import type { DeviceSummary, DossierView } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { PrintButtons } from '../components/PrintButtons.tsx';
import { useLive } from '../live.ts';
import { vnDayStart } from '../search.ts';
import { parseVnDateTime } from '../vn-date.ts';
import { Form07 } from './Forms.tsx';
import { tr } from './messages.ts';
import { snapshotOfView } from './snapshot.ts';

const DAY = 24 * 3600_000;
/** Dossiers read from the worker at once: enough to keep it busy, few enough to keep the page smooth. */
const BATCH = 20;

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function readViews(ids: string[], onProgress: (n: number) => void, alive: () => boolean): Promise<DossierView[]> {
  const views: DossierView[] = [];
  for (let i = 0; i < ids.length && alive(); i += BATCH) {
    const got = await Promise.all(ids.slice(i, i + BATCH).map((id) => worker().dossier(id)));
    for (const v of got) if (v !== null) views.push(v);
    onProgress(Math.min(ids.length, i + BATCH));
  }
  return views;
}

export function RegisterScreen({ device }: { device: DeviceSummary }) {
  const [day, setDay] = useState(() => vnDayStart(Date.now()));
  const [typed, setTyped] = useState(() => formatVnDate(Date.now()));
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<RegisterRow[] | null>(null);
  const [progress, setProgress] = useState(0);
  // The day's dossiers and when each last changed: the register is rebuilt when any of them does.
  const stamps = useLive(
    (db) =>
      db.dossiers
        .where('receivedAt')
        .between(day, day + DAY, true, false)
        .toArray()
        .then((rs) => rs.map((r) => `${r.id}:${r.updatedAt}`).join(',')),
    [day],
    null as string | null,
  );
  const iso = vnIsoDay(day + DAY / 2);

  useEffect(() => {
    if (stamps === null) return;
    let alive = true;
    const ids = stamps === '' ? [] : stamps.split(',').map((s) => s.slice(0, s.lastIndexOf(':')));
    setProgress(0);
    void readViews(ids, setProgress, () => alive).then((views) => {
      if (alive) setRows(registerRows(views.map(snapshotOfView), iso));
    });
    return () => {
      alive = false;
    };
  }, [stamps, iso]);

  const go = (start: number): void => {
    setDay(start);
    setTyped(formatVnDate(start));
    setRows(null);
    setError(null);
  };

  return (
    <main class="card wide" data-testid="register-screen">
      <h1 class="no-print">{tr('register.title')}</h1>
      <form
        class="filters no-print"
        onSubmit={(e) => {
          e.preventDefault();
          const ms = parseVnDateTime(typed, '12:00');
          if (ms === null) setError(tr('register.badDay'));
          else go(vnDayStart(ms));
        }}
      >
        <button type="button" class="secondary" data-testid="register-prev" onClick={() => go(day - DAY)} aria-label={tr('register.prev')}>
          ←
        </button>
        <label>
          {tr('register.day')}
          <input data-testid="register-day" inputMode="numeric" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
        </label>
        <button type="submit" class="secondary" data-testid="register-go">
          {tr('register.show')}
        </button>
        <button type="button" class="secondary" data-testid="register-next" onClick={() => go(day + DAY)} aria-label={tr('register.next')}>
          →
        </button>
      </form>
      {error !== null && (
        <p class="error no-print" role="alert" data-testid="form-error">
          {error}
        </p>
      )}
      {rows === null ? (
        <p class="loading" role="status">
          {tr('register.reading', { n: progress })}
        </p>
      ) : (
        <>
          <div class="actions no-print">
            <PrintButtons testId="register-print" landscape />
            <button type="button" class="secondary" data-testid="register-csv" onClick={() => download(`so-theo-doi-${device.unit}-${iso}.csv`, registerCsv(rows, iso))}>
              {tr('register.csv')}
            </button>
            <span class="muted" data-testid="register-count" data-count={rows.length}>
              {tr('register.count', { n: rows.length })}
            </span>
          </div>
          <Form07 rows={rows} day={iso} unitName={device.unitName} />
        </>
      )}
    </main>
  );
}
