/** The dossier's events in order: who, when on the device, when the server stored it, what. */
import type { DossierConflict } from '../../domain/dossier.ts';
import { formatVnDateTime } from '../../domain/time.ts';
import type { ViewEvent } from '../../worker/types.ts';
import { dataNum, dataStr, missingOf } from './event-data.ts';
import { td, type DossierKey } from './messages.ts';

export function eventText(type: string): string {
  const key = `event.${type}`;
  return td(key as DossierKey) === key ? type : td(key as DossierKey);
}

/** What a step says beyond its name, in the UI language (the printed Mẫu 06 has its own, in Vietnamese). */
function detail(e: ViewEvent): string {
  const parts: string[] = [];
  const name = dataStr(e, 'name');
  if (name !== '') parts.push(td('detail.to', { name }));
  const missing = missingOf(e);
  if (missing.length > 0) parts.push(td('detail.missing', { list: missing.join('; ') }));
  const no = dataStr(e, 'documentNo');
  if (no !== '') parts.push(td('detail.doc', { no }));
  if (dataStr(e, 'outcome') === 'denied') parts.push(td('detail.denied'));
  const reason = dataStr(e, 'reason');
  if (reason !== '') parts.push(td('detail.reason', { reason }));
  const due = dataNum(e, 'newDueAt');
  if (due !== null) parts.push(td('detail.newDue', { due: formatVnDateTime(due) }));
  const rating = dataStr(e, 'rating');
  if (rating !== '') parts.push(td('detail.rating', { rating: ratingText(rating) }));
  if (e.note !== undefined && e.note !== '') parts.push(e.note);
  return parts.join('. ');
}

export function ratingText(r: string): string {
  return r === 'very_satisfied' || r === 'satisfied' || r === 'unsatisfied' ? td(`rating.${r}`) : r;
}

export function Timeline({ events, conflicts }: { events: ViewEvent[]; conflicts: DossierConflict[] }) {
  const conflicted = new Set(conflicts.map((c) => c.eventId));
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{td('timeline.title')}</h2>
      <table data-testid="timeline">
        <thead>
          <tr>
            <th scope="col">{td('timeline.col.time')}</th>
            <th scope="col">{td('timeline.col.server')}</th>
            <th scope="col">{td('timeline.col.step')}</th>
            <th scope="col">{td('timeline.col.officer')}</th>
            <th scope="col">{td('timeline.col.detail')}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr
              key={e.id}
              data-testid="timeline-event"
              data-type={e.type}
              data-synced={e.serverAt !== null ? 'true' : 'false'}
              class={conflicted.has(e.id) ? 'conflict' : undefined}
            >
              <td>{formatVnDateTime(e.at)}</td>
              <td data-testid="timeline-server-at">{e.serverAt !== null ? formatVnDateTime(e.serverAt) : <span class="muted">{td('timeline.notSynced')}</span>}</td>
              <td>
                {eventText(e.type)}
                {conflicted.has(e.id) && <span class="badge warn"> {td('timeline.conflict')}</span>}
              </td>
              <td data-testid="timeline-officer">{e.officerName}</td>
              <td>{detail(e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
