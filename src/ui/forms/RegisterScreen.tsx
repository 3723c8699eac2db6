/**
 * The daily register (Mẫu 07): the day's dossiers from the projection, printed (A4 landscape) or
 * downloaded as CSV for other systems. The day is typed dd/mm/yyyy; arrows move a day.
 */
import { useState } from 'preact/hooks';
import type { DossierRow } from '../../db/schema.ts';
import { toCsv } from '../../domain/csv.ts';
import { formatVnDate, vnDayKey } from '../../domain/time.ts';
import type { DeviceSummary } from '../../worker/types.ts';
import { PrintButtons } from '../components/PrintButtons.tsx';
import { parseVnDateTime } from '../vn-date.ts';
import { useLive } from '../live.ts';
import { vnDayStart } from '../search.ts';
import { Form07, REGISTER_COLUMNS, registerLine } from './Form07.tsx';
import { tr } from './messages.ts';

const DAY = 24 * 3600_000;

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

export function RegisterScreen({ device }: { device: DeviceSummary }) {
  const [day, setDay] = useState(() => vnDayStart(Date.now()));
  const [typed, setTyped] = useState(() => formatVnDate(Date.now()));
  const [error, setError] = useState<string | null>(null);
  const rows = useLive<DossierRow[]>(
    (db) =>
      db.dossiers.where('receivedAt')
        .between(day, day + DAY, true, false)
        .sortBy('receivedAt'),
    [day],
    [],
  );
  const go = (start: number): void => {
    setDay(start);
    setTyped(formatVnDate(start));
    setError(null);
  };
  const csv = (): void => {
    const text = toCsv([[...REGISTER_COLUMNS], ...rows.map(registerLine)], { bom: true });
    download(`so-theo-doi-${device.unit}-${vnDayKey(day)}.csv`, text);
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
      <div class="actions no-print">
        <PrintButtons testId="register-print" landscape />
        <button type="button" class="secondary" data-testid="register-csv" onClick={csv}>
          {tr('register.csv')}
        </button>
        <span class="muted" data-testid="register-count">
          {tr('register.count', { n: rows.length })}
        </span>
      </div>
      <Form07 unitName={device.unitName} day={day} rows={rows} />
    </main>
  );
}
