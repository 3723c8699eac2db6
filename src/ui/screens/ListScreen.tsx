/**
 * The dossiers on this device: search by name (diacritics ignored), CCCD, phone or code, filtered by
 * today, status, procedure, due within one working day or overdue. A row opens the dossier screen.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { DossierRow } from '../../db/schema.ts';
import type { Procedure } from '../../domain/catalog.ts';
import { formatVnDateTime } from '../../domain/time.ts';
import { worker } from '../bridge.ts';
import { DueBadge } from '../components/DueBadge.tsx';
import { useClock } from '../due.ts';
import { statusText, t } from '../i18n/core.ts';
import { useLocale, viCollator } from '../i18n/index.ts';
import { useLive } from '../live.ts';
import { href, navigate } from '../router.ts';
import { NO_FILTER, searchDossiers, type ListFilter, type When } from '../search.ts';
import { focusOnMount } from '../focus.ts';

const WHEN: readonly When[] = ['all', 'today', 'due_soon', 'overdue'];
const STATUSES = ['received', 'supplement_requested', 'processing', 'resolved', 'returned', 'refused', 'withdrawn', 'stopped'] as const;

const FILTER_KEY = 'motcua.listFilter';

function storedFilter(): ListFilter {
  try {
    const raw = sessionStorage.getItem(FILTER_KEY);
    if (raw === null) return NO_FILTER;
    const f = JSON.parse(raw) as Partial<ListFilter>;
    return {
      when: WHEN.includes(f.when as When) ? (f.when as When) : 'all',
      status: typeof f.status === 'string' ? f.status : '',
      procedure: typeof f.procedure === 'string' ? f.procedure : '',
    };
  } catch {
    return NO_FILTER;
  }
}

/** `when` comes from the route (#/list/due_soon, the alerts' link) and overrides the kept filter. */
export function ListScreen({ when }: { when?: string | undefined }) {
  const [query, setQuery] = useState('');
  const [filter, setFilterState] = useState<ListFilter>(storedFilter);
  const [procs, setProcs] = useState<Procedure[]>([]);
  const clock = useClock();
  useEffect(() => {
    worker()
      .procedures()
      .then((p) => setProcs([...p].sort((a, b) => viCollator.compare(a.name, b.name))), () => setProcs([]));
  }, []);
  const setFilter = (patch: Partial<ListFilter>): void =>
    setFilterState((f) => {
      const next = { ...f, ...patch };
      sessionStorage.setItem(FILTER_KEY, JSON.stringify(next));
      return next;
    });

  useEffect(() => {
    if (when !== undefined && WHEN.includes(when as When)) setFilter({ when: when as When });
  }, [when]);

  const total = useLive((db) => db.dossiers.count(), [], 0);
  const rows = useLive<DossierRow[]>(
    (db) => searchDossiers(db, query, filter, clock),
    [query, filter.when, filter.status, filter.procedure, clock.now, clock.dueSoonUntil],
    [],
  );

  const lang = useLocale();
  // Kept as built unless their inputs change: a keystroke in the search box then re-renders the box,
  // not the procedure list's options and fifty rows (tens of ms a keystroke at 4x, issue 4).
  const filters = useMemo(
    () => (
      <div class="filters" role="group" aria-label={t('list.filters')}>
        <label>
          {t('list.when')}
          <select data-testid="list-filter-when" value={filter.when} onChange={(e) => setFilter({ when: e.currentTarget.value as When })}>
            {WHEN.map((w) => (
              <option key={w} value={w}>
                {t(`list.when.${w}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('list.status')}
          <select data-testid="list-filter-status" value={filter.status} onChange={(e) => setFilter({ status: e.currentTarget.value })}>
            <option value="">{t('list.any')}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusText(s)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('list.procedure')}
          <select data-testid="list-filter-procedure" value={filter.procedure} onChange={(e) => setFilter({ procedure: e.currentTarget.value })}>
            <option value="">{t('list.any')}</option>
            {procs.map((p) => (
              <option key={p.code} value={p.code}>
                {p.name}
              </option>
            ))}
          </select>
        </label>
      </div>
    ),
    [filter, procs, lang],
  );
  const body = useMemo(
    () => (
        <tbody>
          {rows.map((r) => (
            <tr
              key={r.id}
              class="clickable"
              data-testid="dossier-row"
              data-code={r.code}
              data-id={r.id}
              onClick={(e) => {
                if ((e.target as HTMLElement).closest('a') === null) navigate({ name: 'dossier', id: r.id });
              }}
            >
              <td>
                <a href={href({ name: 'dossier', id: r.id })} data-testid="dossier-link">
                  {r.code}
                </a>
              </td>
              <td>{r.applicantName}</td>
              <td>{r.procedureName}</td>
              <td>{formatVnDateTime(r.receivedAt)}</td>
              <td>
                <DueBadge dueAt={r.dueAt} status={r.status} clock={clock} />
              </td>
              <td>
                {statusText(r.status)}
                {r.handler ? <span class="muted"> · {r.handler}</span> : null}
                {r.conflict > 0 && (
                  <span class="badge warn" data-testid="row-conflict">
                    {' '}
                    {t('list.conflict')}
                  </span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
    ),
    [rows, clock, lang],
  );

  return (
    <main class="card wide">
      <h1>{t('list.title')}</h1>
      <label>
        {t('list.search')}
        <input data-testid="list-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} ref={focusOnMount} />
      </label>
      {filters}
      <p>
        {t('list.total')} <strong data-testid="list-count">{total}</strong>
        {' · '}
        <span data-testid="list-shown">{t('list.shown', { n: rows.length })}</span>
      </p>
      <table data-testid="dossier-list">
        <caption class="sr-only">{t('list.caption')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('list.col.code')}</th>
            <th scope="col">{t('list.col.applicant')}</th>
            <th scope="col">{t('list.col.procedure')}</th>
            <th scope="col">{t('list.col.received')}</th>
            <th scope="col">{t('list.col.due')}</th>
            <th scope="col">{t('list.col.status')}</th>
          </tr>
        </thead>
        {body}
      </table>
      {rows.length === 0 && <p class="muted">{t('list.empty')}</p>}
    </main>
  );
}
