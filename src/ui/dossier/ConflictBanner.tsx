/** Conflicts first and loud: two offline steps that cannot both stand, kept for a person to settle. */
import { formatVnDateTime } from '../../domain/time.ts';
import type { DossierView } from '../../worker/types.ts';
import { td } from './messages.ts';
import { eventText } from './Timeline.tsx';

export function ConflictBanner({ view }: { view: DossierView }) {
  if (view.conflicts.length === 0) return null;
  const byId = new Map(view.events.map((e) => [e.id, e]));
  return (
    <section class="conflict-banner" role="alert" data-testid="dossier-conflicts" aria-labelledby="conflict-title">
      <h2 id="conflict-title">⚠ {td('conflict.title')}</h2>
      <p>{td('conflict.explain')}</p>
      <ul>
        {view.conflicts.map((c) => {
          const e = byId.get(c.eventId);
          return (
            <li key={c.eventId} data-testid="dossier-conflict">
              {e === undefined
                ? c.reason
                : td('conflict.item', { event: eventText(e.type), officer: e.officerName, time: formatVnDateTime(e.at), reason: c.reason })}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
