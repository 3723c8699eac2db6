/**
 * In-app alert when dossiers become due within one working day (and a system notification where the
 * officer allowed it, asked from a button, never on load). Leaders and processing officers see every
 * dossier of the device; a counter officer sees the ones they took in. Permission is asked from the
 * shell's button (NotifyButton).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatVnDateTime } from '../../domain/time.ts';
import type { DueAlertsView, Session } from '../../worker/types.ts';
import { worker } from '../bridge.ts';
import { useClock } from '../due.ts';
import { t } from '../i18n/core.ts';
import { useLive } from '../live.ts';
import { RUNNING } from '../search.ts';

const canNotify = (): boolean => 'Notification' in window && Notification.permission === 'granted';

const NONE: DueAlertsView = { nearDue: [], overdue: 0 };

export function DueAlerts({ session }: { session: Session }) {
  const clock = useClock();
  const mine = session.role === 'counter';
  // The page only watches the running dossiers to know when to ask again: a write to any of them wakes
  // this query, whatever it changed. The rows are read and filtered in the worker (here, at every
  // intake, hundreds of same-day dossiers made main-thread tasks of 50-100 ms on a slow laptop).
  // One native count per status: watching every past due date counted a whole stored year at each
  // change, and Dexie counts an anyOf() with a cursor on this thread, a step per running dossier.
  const changed = useLive(
    (db) => Promise.all([...RUNNING].map((s) => db.dossiers.where('status').equals(s).count())).then((n) => ({ n })),
    [clock.dueSoonUntil],
    null,
    true,
  );
  const [alerts, setAlerts] = useState<DueAlertsView>(NONE);
  useEffect(() => {
    if (changed === null) return;
    let live = true;
    worker()
      .dueAlerts({ officer: mine ? session.officerId : null, now: clock.now, until: clock.dueSoonUntil, running: [...RUNNING] })
      .then(
        (a) => live && setAlerts(a),
        (e: unknown) => console.error('due alerts not read', e),
      );
    return () => {
      live = false;
    };
  }, [changed, clock.now, clock.dueSoonUntil, mine, session.officerId]);
  const nearDue = alerts.nearDue;
  const overdue = alerts.overdue;
  // Ids already announced in this tab: an alert is news only once.
  const seen = useRef(new Set<string>());
  const [fresh, setFresh] = useState(0);

  useEffect(() => {
    const news = nearDue.filter((r) => !seen.current.has(r.id));
    if (news.length === 0) return;
    for (const r of news) seen.current.add(r.id);
    setFresh((n) => n + news.length);
    if (canNotify()) {
      for (const r of news.slice(0, 3)) {
        try {
          new Notification(t('alert.notificationTitle'), {
            body: t('alert.notificationBody', { code: r.code, name: r.applicantName, due: formatVnDateTime(r.dueAt) }),
            tag: `near-due-${r.id}`,
          });
        } catch {
          // Some platforms only allow notifications from a service worker: the in-app alert remains.
        }
      }
    }
  }, [nearDue]);

  if (!(fresh > 0 && nearDue.length > 0) && overdue === 0) return null;
  return (
    <div class="alerts no-print" data-testid="due-alerts">
      {fresh > 0 && nearDue.length > 0 && (
        <p class="warning" role="alert" data-testid="near-due-alert">
          {t('alert.nearDue', { n: nearDue.length })} <a href="#/list/due_soon">{t('alert.show')}</a>{' '}
          <button type="button" class="link" data-testid="near-due-dismiss" onClick={() => setFresh(0)}>
            {t('alert.dismiss')}
          </button>
        </p>
      )}
      {overdue > 0 && (
        <p class="warning" data-testid="overdue-alert">
          {t('alert.overdue', { n: overdue })} <a href="#/list/overdue">{t('alert.show')}</a>
        </p>
      )}
    </div>
  );
}
