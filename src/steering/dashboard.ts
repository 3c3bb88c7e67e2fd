import type { Deps } from '../deps.ts';
import { addDays, localDateOf } from '../domain/calendar.ts';
import { ValidationError } from '../domain/errors.ts';
import { label, type Status } from '../domain/taxonomy.ts';
import type { Actor } from '../services/actor.ts';
import {
  backlogByProcess,
  backlogFromRollup,
  histogramFromFacts,
  histogramFromRollup,
  listFacts,
  pendingDeadlines,
  pendingFromRollup,
  repeatComplainants,
  repeatComplainantsFromLinks,
  rollupKey,
  waitingKey,
  weeklyFromFacts,
  weeklyFromRollup,
  type ListMetric,
  type SteeringFilters,
  type WeeklyCounts,
} from '../db/repositories/steering.ts';
import { isoWeekLabel, meanOf, percentileOf, rate, weekEnd, weekStart, weeksBetween } from './stats.ts';

export interface DashboardQuery {
  from?: string | undefined;
  to?: string | undefined;
  channel?: string | undefined;
  cause?: string | undefined;
  product?: string | undefined;
  process?: string | undefined;
  agent?: string | undefined;
}

/** Default period: the 26 ISO weeks ending with the current one. Longest period: 3 years. */
const DEFAULT_WEEKS = 26;
const MAX_WEEKS = 157;

export interface Period {
  /** Monday of the first week. */
  from: string;
  /** Sunday of the last week. */
  to: string;
  today: string;
  /** Sunday of the current week: "at risk this week" means due from today to that day. */
  weekEnd: string;
}

/** The dashboard counts whole ISO weeks of receipt: the period is widened to Monday … Sunday. */
export function periodOf(query: Pick<DashboardQuery, 'from' | 'to'>, now: Date): Period {
  const today = localDateOf(now);
  const to = query.to ?? today;
  const from = query.from ?? addDays(weekStart(to), -7 * (DEFAULT_WEEKS - 1));
  if (from > to) throw new ValidationError('Période invalide.', { from: 'La date de début doit précéder la date de fin.' });
  const weeks = weeksBetween(from, to).length;
  if (weeks > MAX_WEEKS) throw new ValidationError('Période trop longue.', { from: 'Trois ans au plus.' });
  return { from: weekStart(from), to: weekEnd(to), today, weekEnd: weekEnd(today) };
}

export function filtersOf(query: DashboardQuery): SteeringFilters {
  return { channel: query.channel, cause: query.cause, product: query.product, processId: query.process, agentId: query.agent };
}

function sum(rows: readonly WeeklyCounts[], kind: string, field: keyof Omit<WeeklyCounts, 'week' | 'kind'>): number {
  return rows.reduce((s, r) => (r.kind === kind ? s + r[field] : s), 0);
}

const OPEN_STATUSES: Status[] = ['nouvelle', 'en_cours', 'en_attente'];

export async function dashboard(deps: Deps, actor: Actor, query: DashboardQuery) {
  const period = periodOf(query, deps.clock.now());
  const filters = filtersOf(query);
  const key = rollupKey(filters);
  const wait = waitingKey(filters);
  const { db } = deps;
  const t = actor.tenantId;
  const [weekly, histogram, pending, backlog, repeat] = await Promise.all([
    key ? weeklyFromRollup(db, t, period.from, period.to, key.dim, key.val) : weeklyFromFacts(db, t, period.from, period.to, filters),
    key ? histogramFromRollup(db, t, period.from, period.to, key.dim, key.val) : histogramFromFacts(db, t, period.from, period.to, filters),
    wait
      ? pendingFromRollup(db, t, period.from, period.to, wait.dim, wait.val, period.today, period.weekEnd)
      : pendingDeadlines(db, t, period.from, period.to, filters, period.today, period.weekEnd),
    wait ? backlogFromRollup(db, t, wait.dim, wait.val) : backlogByProcess(db, t, filters),
    key?.dim === 'all' ? repeatComplainantsFromLinks(db, t, period.from, period.to, 10) : repeatComplainants(db, t, period.from, period.to, filters, 10),
  ]);

  const byWeek = new Map<string, { reclamations: number; demandes: number }>();
  for (const w of weeksBetween(period.from, period.to)) byWeek.set(w, { reclamations: 0, demandes: 0 });
  for (const r of weekly) {
    const slot = byWeek.get(r.week);
    if (!slot) continue;
    if (r.kind === 'reclamation') slot.reclamations += r.received;
    else slot.demandes += r.received;
  }
  const reclamations = sum(weekly, 'reclamation', 'received');
  const demandes = sum(weekly, 'demande', 'received');
  const ackMet = sum(weekly, 'reclamation', 'ackMet');
  const ackLateDone = sum(weekly, 'reclamation', 'ackLate');
  const answerMet = sum(weekly, 'reclamation', 'answerMet');
  const answerLateDone = sum(weekly, 'reclamation', 'answerLate');
  const deadline = (met: number, lateDone: number, overdue: number, atRisk: number, pendingLater: number) => ({
    met,
    late: lateDone + overdue,
    lateStillOpen: overdue,
    atRiskThisWeek: atRisk,
    pending: pendingLater,
    complianceRate: rate(met, met + lateDone + overdue),
  });

  const processes = new Map<string, { processId: string | null; processName: string; total: number; byStatus: Record<string, number> }>();
  for (const b of backlog) {
    const id = b.processId ?? '';
    let p = processes.get(id);
    if (!p) {
      p = { processId: b.processId, processName: b.processName ?? 'Sans processus', total: 0, byStatus: Object.fromEntries(OPEN_STATUSES.map((s) => [s, 0])) };
      processes.set(id, p);
    }
    p.total += b.n;
    p.byStatus[b.status] = (p.byStatus[b.status] ?? 0) + b.n;
  }
  const accepte = sum(weekly, 'reclamation', 'accepte');
  const partiel = sum(weekly, 'reclamation', 'partiel');
  const refuse = sum(weekly, 'reclamation', 'refuse');
  const answered = histogram.reduce((s, b) => s + b.n, 0);

  return {
    period,
    source: key ? ('rollup' as const) : ('facts' as const),
    volumes: [...byWeek].map(([week, v]) => ({ week, isoWeek: isoWeekLabel(week), ...v })),
    deadlines: {
      acknowledgement: deadline(ackMet, ackLateDone, pending.ackOverdue, pending.ackAtRisk, pending.ackPending),
      answer: deadline(answerMet, answerLateDone, pending.answerOverdue, pending.answerAtRisk, pending.answerPending),
    },
    handling: { answered, averageDays: meanOf(histogram), p90Days: percentileOf(histogram, 0.9) },
    backlog: {
      total: backlog.reduce((s, b) => s + b.n, 0),
      statuses: OPEN_STATUSES.map((s) => ({ status: s, label: label('status', s) })),
      byProcess: [...processes.values()],
    },
    outcomes: {
      total: accepte + partiel + refuse,
      items: (['accepte', 'partiel', 'refuse'] as const).map((o) => ({ outcome: o, label: label('outcome', o), count: { accepte, partiel, refuse }[o] })),
    },
    repeatComplainants: repeat,
    share: { reclamations, demandes, reclamationRate: rate(reclamations, reclamations + demandes) },
  };
}

export async function dashboardList(deps: Deps, actor: Actor, metric: ListMetric, query: DashboardQuery & { page?: number | undefined; pageSize?: number | undefined }) {
  const period = periodOf(query, deps.clock.now());
  const pageSize = Math.min(Math.max(query.pageSize ?? 50, 1), 200);
  const page = Math.max(query.page ?? 1, 1);
  const { rows, total } = await listFacts(deps.db, actor.tenantId, {
    metric,
    from: period.from,
    to: period.to,
    filters: filtersOf(query),
    today: period.today,
    weekEnd: period.weekEnd,
    limit: pageSize,
    offset: (page - 1) * pageSize,
  });
  return { metric, period, page, pageSize, total, items: rows };
}
