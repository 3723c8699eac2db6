/** A due date with its state (on time, due within a working day, overdue). */
import { formatVnDateTime } from '../../domain/time.ts';
import { dueLevel } from '../due.ts';
import { t } from '../i18n/core.ts';
import type { Clock } from '../search.ts';

export function DueBadge({ dueAt, status, clock }: { dueAt: number; status: string; clock: Clock }) {
  if (!(dueAt > 0)) return <span class="muted">{t('due.none')}</span>;
  const level = dueLevel(dueAt, status, clock);
  return (
    <span class={`due due-${level}`} data-testid="due-badge" data-state={level}>
      {formatVnDateTime(dueAt)}
      {level !== 'none' && <span class="due-state"> · {t(`due.${level}`)}</span>}
    </span>
  );
}
