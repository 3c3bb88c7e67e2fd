import type { Complaint } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';

type Tone = 'late' | 'soon' | 'ok' | 'done' | 'muted';

interface DeadlineProps {
  dueOn: string;
  daysLeft: number | null;
  overdue: boolean;
  /** The step is behind us (acknowledged, answered) or the complaint is closed. */
  done: boolean;
  compact?: boolean;
}

/** A deadline in jours ouvrables; the words carry the meaning, the colour only repeats it. */
export function DeadlineBadge({ dueOn, daysLeft, overdue, done, compact = false }: DeadlineProps) {
  const { t, date } = useI18n();
  let tone: Tone;
  let text: string;
  let full: string;
  if (overdue) {
    tone = 'late';
    full = daysLeft !== null && daysLeft < 0 ? t.deadline.overdueBy(-daysLeft) : t.deadline.overdue;
    text = compact ? t.deadline.overdue : full;
  } else if (daysLeft === null) {
    tone = done ? 'done' : 'muted';
    text = done ? t.deadline.done : t.deadline.closed;
    full = text;
  } else if (daysLeft <= 0) {
    tone = 'soon';
    text = t.deadline.dueToday;
    full = text;
  } else {
    tone = daysLeft <= 2 ? 'soon' : 'ok';
    text = compact ? t.deadline.daysLeftShort(daysLeft) : t.deadline.daysLeft(daysLeft);
    full = t.deadline.daysLeft(daysLeft);
  }
  return (
    <span className={`deadline deadline-${tone}`} title={`${full} — ${t.deadline.dueOn(date(dueOn))}`}>
      <span className={`badge badge-${tone}`}>
        {tone === 'late' && <span aria-hidden="true">⚠ </span>}
        {text}
      </span>
      {compact && text !== full && <span className="sr-only"> ({full})</span>}
      <span className="deadline-date">{compact ? date(dueOn) : t.deadline.dueOn(date(dueOn))}</span>
    </span>
  );
}

export function AckDeadline({ c, compact }: { c: Pick<Complaint, 'deadlines' | 'acknowledgedAt' | 'answeredAt'>; compact?: boolean }) {
  return (
    <DeadlineBadge
      dueOn={c.deadlines.ackDueOn}
      daysLeft={c.deadlines.ackDaysLeft}
      overdue={c.deadlines.ackOverdue}
      done={!!(c.acknowledgedAt || c.answeredAt)}
      compact={compact ?? false}
    />
  );
}

export function AnswerDeadline({ c, compact }: { c: Pick<Complaint, 'deadlines' | 'answeredAt'>; compact?: boolean }) {
  return (
    <DeadlineBadge
      dueOn={c.deadlines.answerDueOn}
      daysLeft={c.deadlines.answerDaysLeft}
      overdue={c.deadlines.answerOverdue}
      done={!!c.answeredAt}
      compact={compact ?? false}
    />
  );
}

export function StatusBadge({ status }: { status: string }) {
  const { t } = useI18n();
  return <span className={`badge status status-${status}`}>{label(t.taxonomy.status, status)}</span>;
}

export function PriorityBadge({ priority }: { priority: string }) {
  const { t } = useI18n();
  return (
    <span className={`badge priority priority-${priority}`}>
      {priority !== 'normale' && <span aria-hidden="true">▲ </span>}
      {label(t.taxonomy.priority, priority)}
    </span>
  );
}
