/** The dossier's fields: status, deadline and where it is, the applicant, the components. */
import { formatVnDateTime } from '../../domain/time.ts';
import type { DossierView } from '../../worker/types.ts';
import { DueBadge } from '../components/DueBadge.tsx';
import { useClock } from '../due.ts';
import { statusText } from '../i18n/core.ts';
import { copyText } from './copy.ts';
import { td } from './messages.ts';
import { ratingText } from './Timeline.tsx';

export function DossierFacts({ view }: { view: DossierView }) {
  const clock = useClock();
  const s = view.state;
  const a = view.applicant;
  return (
    <div class="facts">
      <dl class="facts-main">
        <dt>{td('dossier.status')}</dt>
        <dd data-testid="dossier-status" data-status={s.status}>
          <strong>{statusText(s.status)}</strong>
          {s.outcome === 'approved' && s.documentNo !== null && <div>{td('dossier.outcome.approved', { no: s.documentNo })}</div>}
          {s.outcome === 'denied' && <div>{td('dossier.outcome.denied')}</div>}
          {s.rating !== null && <div data-testid="dossier-rating">{td('dossier.rating', { rating: ratingText(s.rating) })}</div>}
        </dd>
        <dt>{td('dossier.due')}</dt>
        <dd data-testid="dossier-due">{view.dueAt === null ? td('dossier.noDue') : <DueBadge dueAt={view.dueAt} status={s.status} clock={clock} />}</dd>
        <dt>{td('dossier.handler')}</dt>
        <dd data-testid="dossier-handler">{s.handler?.name ?? td('dossier.atCenter')}</dd>
        <dt>{td('dossier.homeUnit')}</dt>
        <dd>{view.homeUnitName}</dd>
        <dt>{td('dossier.procedure')}</dt>
        <dd data-testid="dossier-procedure">{view.procedureName}</dd>
        <dt>{td('dossier.processingTime')}</dt>
        <dd>{view.processingDays === 0 ? td('dossier.sameDay') : td('dossier.days', { n: view.processingDays })}</dd>
        <dt>{td('dossier.receivedAt')}</dt>
        <dd>{view.receivedAt > 0 ? formatVnDateTime(view.receivedAt) : '—'}</dd>
        <dt>{td('dossier.receivedBy')}</dt>
        <dd>{view.receivedBy}</dd>
      </dl>
      <section aria-labelledby="applicant-title">
        <h2 id="applicant-title">{td('dossier.applicant')}</h2>
        <dl>
          <dt>{td('dossier.name')}</dt>
          <dd data-testid="dossier-applicant">{a.name}</dd>
          <dt>{td('dossier.cccd')}</dt>
          <dd>{a.cccd}</dd>
          <dt>{td('dossier.vneid')}</dt>
          <dd>{a.vneidVerified ? td('dossier.vneidYes') : td('dossier.vneidNo')}</dd>
          <dt>{td('dossier.phone')}</dt>
          <dd>{a.phone || '—'}</dd>
          <dt>{td('dossier.email')}</dt>
          <dd>{a.email || '—'}</dd>
          <dt>{td('dossier.address')}</dt>
          <dd>{a.address}</dd>
        </dl>
      </section>
      <section aria-labelledby="components-title">
        <h2 id="components-title">{td('dossier.components')}</h2>
        <ul class="components-list">
          {view.components.map((c) => (
            <li key={c.name} data-testid="dossier-component" data-received={c.received ? 'true' : 'false'}>
              {c.received ? '✓' : '✗'} {c.name}{' '}
              <span class="muted">
                ({c.received ? `${copyText(c.copyKind)} × ${c.count}` : td('dossier.componentMissing')})
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
