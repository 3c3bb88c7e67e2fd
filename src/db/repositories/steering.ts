import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, SteeringDimension } from '../types.ts';

type Db = Kysely<Database>;

/** Dashboard filters, as stored on complaint_facts (ids as uuids). */
export interface SteeringFilters {
  channel?: string | undefined;
  cause?: string | undefined;
  product?: string | undefined;
  processId?: string | undefined;
  agentId?: string | undefined;
}

export interface WeeklyCounts {
  week: string;
  kind: string;
  received: number;
  ackMet: number;
  ackLate: number;
  answerMet: number;
  answerLate: number;
  accepte: number;
  partiel: number;
  refuse: number;
}

export interface HistogramBin {
  days: number;
  n: number;
}

/** The one rollup row set that answers these filters, when there is one (no filter, or a single one). */
export function rollupKey(filters: SteeringFilters): { dim: SteeringDimension; val: string } | null {
  const set: [SteeringDimension, string][] = [];
  if (filters.channel) set.push(['channel', filters.channel]);
  if (filters.cause) set.push(['cause', filters.cause]);
  if (filters.product) set.push(['product', filters.product]);
  if (filters.processId) set.push(['process', filters.processId]);
  if (filters.agentId) set.push(['agent', filters.agentId]);
  if (set.length === 0) return { dim: 'all', val: '' };
  if (set.length === 1) return { dim: set[0]![0], val: set[0]![1] };
  return null;
}

/** The key of steering_pending / steering_backlog (migration 0014) for these filters: none, one or two of them. */
export function waitingKey(filters: SteeringFilters): { dim: string; val: string } | null {
  const set: [string, string][] = [];
  if (filters.channel) set.push(['channel', filters.channel]);
  if (filters.cause) set.push(['cause', filters.cause]);
  if (filters.product) set.push(['product', filters.product]);
  if (filters.processId) set.push(['process', filters.processId]);
  if (filters.agentId) set.push(['agent', filters.agentId]);
  if (set.length === 0) return { dim: 'all', val: '' };
  if (set.length === 1) return { dim: set[0]![0], val: set[0]![1] };
  if (set.length === 2) return { dim: `${set[0]![0]}+${set[1]![0]}`, val: `${set[0]![1]}|${set[1]![1]}` };
  return null;
}

function factConditions(filters: SteeringFilters, alias = 'f'): RawBuilder<unknown>[] {
  const col = (name: string) => sql.ref(`${alias}.${name}`);
  const out: RawBuilder<unknown>[] = [];
  if (filters.channel) out.push(sql`${col('channel')} = ${filters.channel}`);
  if (filters.cause) out.push(sql`${col('cause')} = ${filters.cause}`);
  if (filters.product) out.push(sql`${col('product')} = ${filters.product}`);
  if (filters.processId) out.push(sql`${col('process_id')} = ${filters.processId}::uuid`);
  if (filters.agentId) out.push(sql`${col('assignee_id')} = ${filters.agentId}::uuid`);
  return out;
}

function and(conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` AND `);
}

const toInt = (v: unknown): number => Number(v ?? 0);

function weeklyRow(r: Record<string, unknown>): WeeklyCounts {
  return {
    week: String(r.week),
    kind: String(r.kind),
    received: toInt(r.received),
    ackMet: toInt(r.ack_met),
    ackLate: toInt(r.ack_late),
    answerMet: toInt(r.answer_met),
    answerLate: toInt(r.answer_late),
    accepte: toInt(r.outcome_accepte),
    partiel: toInt(r.outcome_partiel),
    refuse: toInt(r.outcome_refuse),
  };
}

/** Weekly counts of both kinds from the rollups (weeks are Mondays, both bounds included). */
export async function weeklyFromRollup(db: Db, tenantId: string, fromWeek: string, toWeek: string, dim: SteeringDimension, val: string): Promise<WeeklyCounts[]> {
  const rows = await db
    .selectFrom('steering_weekly')
    .select(['week', 'kind', 'received', 'ack_met', 'ack_late', 'answer_met', 'answer_late', 'outcome_accepte', 'outcome_partiel', 'outcome_refuse'])
    .where('tenant_id', '=', tenantId)
    .where('dim', '=', dim)
    .where('val', '=', val)
    .where('week', '>=', fromWeek)
    .where('week', '<=', toWeek)
    .execute();
  return rows.map((r) => weeklyRow(r as unknown as Record<string, unknown>));
}

/** The same weekly counts computed from the facts (several filters at once). */
export async function weeklyFromFacts(db: Db, tenantId: string, from: string, to: string, filters: SteeringFilters): Promise<WeeklyCounts[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT date_trunc('week', f.received_on)::date AS week, f.kind,
      count(*) AS received,
      count(*) FILTER (WHERE f.ack_on <= f.ack_due_on) AS ack_met,
      count(*) FILTER (WHERE f.ack_on > f.ack_due_on) AS ack_late,
      count(*) FILTER (WHERE f.answer_on <= f.answer_due_on) AS answer_met,
      count(*) FILTER (WHERE f.answer_on > f.answer_due_on) AS answer_late,
      count(*) FILTER (WHERE f.outcome = 'accepte') AS outcome_accepte,
      count(*) FILTER (WHERE f.outcome = 'partiel') AS outcome_partiel,
      count(*) FILTER (WHERE f.outcome = 'refuse') AS outcome_refuse
    FROM complaint_facts f
    WHERE f.tenant_id = ${tenantId} AND f.kind IN ('reclamation', 'demande')
      AND f.received_on BETWEEN ${from}::date AND ${to}::date AND ${and(factConditions(filters))}
    GROUP BY 1, 2`.execute(db);
  return rows.map(weeklyRow);
}

/** Handling days (answer − receipt) of the complaints (kind reclamation) of these weeks, from the rollups. */
export async function histogramFromRollup(db: Db, tenantId: string, fromWeek: string, toWeek: string, dim: SteeringDimension, val: string): Promise<HistogramBin[]> {
  const rows = await db
    .selectFrom('steering_weekly_hist')
    .select(['days', (eb) => eb.fn.sum<number>('n').as('n')])
    .where('tenant_id', '=', tenantId)
    .where('dim', '=', dim)
    .where('val', '=', val)
    .where('week', '>=', fromWeek)
    .where('week', '<=', toWeek)
    .where('kind', '=', 'reclamation')
    .groupBy('days')
    .execute();
  return rows.map((r) => ({ days: Number(r.days), n: Number(r.n) })).filter((b) => b.n !== 0);
}

export async function histogramFromFacts(db: Db, tenantId: string, from: string, to: string, filters: SteeringFilters): Promise<HistogramBin[]> {
  const { rows } = await sql<{ days: number; n: number }>`
    SELECT f.answer_on - f.received_on AS days, count(*) AS n
    FROM complaint_facts f
    WHERE f.tenant_id = ${tenantId} AND f.kind = 'reclamation' AND f.answer_on IS NOT NULL
      AND f.received_on BETWEEN ${from}::date AND ${to}::date AND ${and(factConditions(filters))}
    GROUP BY 1`.execute(db);
  return rows.map((r) => ({ days: Number(r.days), n: Number(r.n) }));
}

export interface PendingDeadlines {
  ackOverdue: number;
  ackAtRisk: number;
  ackPending: number;
  answerOverdue: number;
  answerAtRisk: number;
  answerPending: number;
}

/**
 * What is not acknowledged / answered yet (depends on today, so never rolled up): overdue, due by the end
 * of this week (at risk), due later. Read through the partial index of pending facts: a small share.
 */
export async function pendingDeadlines(db: Db, tenantId: string, from: string, to: string, filters: SteeringFilters, today: string, weekEnd: string): Promise<PendingDeadlines> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT
      count(*) FILTER (WHERE f.ack_on IS NULL AND f.ack_due_on < ${today}::date) AS ack_overdue,
      count(*) FILTER (WHERE f.ack_on IS NULL AND f.ack_due_on BETWEEN ${today}::date AND ${weekEnd}::date) AS ack_at_risk,
      count(*) FILTER (WHERE f.ack_on IS NULL AND f.ack_due_on > ${weekEnd}::date) AS ack_pending,
      count(*) FILTER (WHERE f.answer_on IS NULL AND f.answer_due_on < ${today}::date) AS answer_overdue,
      count(*) FILTER (WHERE f.answer_on IS NULL AND f.answer_due_on BETWEEN ${today}::date AND ${weekEnd}::date) AS answer_at_risk,
      count(*) FILTER (WHERE f.answer_on IS NULL AND f.answer_due_on > ${weekEnd}::date) AS answer_pending
    FROM complaint_facts f
    WHERE f.tenant_id = ${tenantId} AND (f.ack_on IS NULL OR f.answer_on IS NULL) AND f.kind = 'reclamation'
      AND f.received_on BETWEEN ${from}::date AND ${to}::date AND ${and(factConditions(filters))}`.execute(db);
  const r = rows[0] ?? {};
  return {
    ackOverdue: toInt(r.ack_overdue),
    ackAtRisk: toInt(r.ack_at_risk),
    ackPending: toInt(r.ack_pending),
    answerOverdue: toInt(r.answer_overdue),
    answerAtRisk: toInt(r.answer_at_risk),
    answerPending: toInt(r.answer_pending),
  };
}

/** The same counts from the rollup of waiting complaints (no filter, one or two): sums over due dates. */
export async function pendingFromRollup(db: Db, tenantId: string, fromWeek: string, toWeek: string, dim: string, val: string, today: string, weekEnd: string): Promise<PendingDeadlines> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT
      sum(p.n) FILTER (WHERE p.what = 'ack' AND p.due_on < ${today}::date) AS ack_overdue,
      sum(p.n) FILTER (WHERE p.what = 'ack' AND p.due_on BETWEEN ${today}::date AND ${weekEnd}::date) AS ack_at_risk,
      sum(p.n) FILTER (WHERE p.what = 'ack' AND p.due_on > ${weekEnd}::date) AS ack_pending,
      sum(p.n) FILTER (WHERE p.what = 'answer' AND p.due_on < ${today}::date) AS answer_overdue,
      sum(p.n) FILTER (WHERE p.what = 'answer' AND p.due_on BETWEEN ${today}::date AND ${weekEnd}::date) AS answer_at_risk,
      sum(p.n) FILTER (WHERE p.what = 'answer' AND p.due_on > ${weekEnd}::date) AS answer_pending
    FROM steering_pending p
    WHERE p.tenant_id = ${tenantId} AND p.dim = ${dim} AND p.val = ${val}
      AND p.week BETWEEN ${fromWeek}::date AND ${toWeek}::date`.execute(db);
  const r = rows[0] ?? {};
  return {
    ackOverdue: toInt(r.ack_overdue),
    ackAtRisk: toInt(r.ack_at_risk),
    ackPending: toInt(r.ack_pending),
    answerOverdue: toInt(r.answer_overdue),
    answerAtRisk: toInt(r.answer_at_risk),
    answerPending: toInt(r.answer_pending),
  };
}

export interface BacklogRow {
  processId: string | null;
  processName: string | null;
  status: string;
  n: number;
}

/** Open complaints today (both kinds: the work waiting), per process and status. */
export async function backlogByProcess(db: Db, tenantId: string, filters: SteeringFilters): Promise<BacklogRow[]> {
  const { rows } = await sql<{ process_id: string | null; name: string | null; status: string; n: number }>`
    SELECT f.process_id, p.name, f.status, count(*) AS n
    FROM complaint_facts f LEFT JOIN processes p ON p.tenant_id = f.tenant_id AND p.id = f.process_id
    WHERE f.tenant_id = ${tenantId} AND f.is_open AND ${and(factConditions(filters))}
    GROUP BY f.process_id, p.name, f.status
    ORDER BY p.name NULLS LAST, f.status`.execute(db);
  return rows.map((r) => ({ processId: r.process_id, processName: r.name, status: r.status, n: Number(r.n) }));
}

/** The same backlog from its rollup (no filter, one or two). */
export async function backlogFromRollup(db: Db, tenantId: string, dim: string, val: string): Promise<BacklogRow[]> {
  const { rows } = await sql<{ process_id: string; name: string | null; status: string; n: number }>`
    SELECT b.process_id, p.name, b.status, b.n
    FROM steering_backlog b LEFT JOIN processes p ON p.tenant_id = b.tenant_id AND p.id = nullif(b.process_id, '')::uuid
    WHERE b.tenant_id = ${tenantId} AND b.dim = ${dim} AND b.val = ${val} AND b.n <> 0
    ORDER BY p.name NULLS LAST, b.status`.execute(db);
  return rows.map((r) => ({ processId: r.process_id === '' ? null : r.process_id, processName: r.name, status: r.status, n: Number(r.n) }));
}

export interface RepeatComplainants {
  customers: number;
  complaints: number;
  top: { customerId: string; name: string; count: number }[];
}

/** Customers with at least two complaints (kind reclamation) received in the period. */
export async function repeatComplainants(db: Db, tenantId: string, from: string, to: string, filters: SteeringFilters, limit: number): Promise<RepeatComplainants> {
  const { rows } = await sql<{ customers: number; complaints: number; top: { customerId: string; name: string; count: number }[] | null }>`
    WITH r AS (
      SELECT f.customer_id, count(*) AS n
      FROM complaint_facts f
      WHERE f.tenant_id = ${tenantId} AND f.kind = 'reclamation'
        AND f.received_on BETWEEN ${from}::date AND ${to}::date AND ${and(factConditions(filters))}
      GROUP BY f.customer_id HAVING count(*) >= 2
    ),
    -- The top is ordered by count first: only the customers with at least the count of the last place need
    -- their name (ties on it included), not every repeat complainant.
    best AS (SELECT customer_id, n FROM r ORDER BY n DESC FETCH FIRST ${limit} ROWS WITH TIES)
    SELECT (SELECT count(*) FROM r) AS customers, (SELECT coalesce(sum(n), 0) FROM r) AS complaints,
      (SELECT json_agg(json_build_object('customerId', t.customer_id, 'name', t.display_name, 'count', t.n) ORDER BY t.n DESC, t.display_name, t.customer_id)
       FROM (SELECT b.customer_id, c.display_name, b.n FROM best b JOIN customers c ON c.tenant_id = ${tenantId} AND c.id = b.customer_id
             ORDER BY b.n DESC, c.display_name, b.customer_id LIMIT ${limit}) t) AS top`.execute(db);
  const r = rows[0];
  const top = typeof r?.top === 'string' ? (JSON.parse(r.top) as RepeatComplainants['top']) : (r?.top ?? []);
  return { customers: Number(r?.customers ?? 0), complaints: Number(r?.complaints ?? 0), top: top.map((t) => ({ ...t, count: Number(t.count) })) };
}

/**
 * The same, unfiltered, from steering_repeat (migration 0014): P1 = complaints of the period whose customer's
 * previous one is in it too, P2 = those whose second previous one is. Customers = P1 − P2, complaints =
 * P1 + customers; the top is grouped from the P2 rows (customers with 3 or more) when there are enough of
 * them, else from the P1 rows. `from` is the first day of the period.
 */
export async function repeatComplainantsFromLinks(db: Db, tenantId: string, from: string, to: string, limit: number): Promise<RepeatComplainants> {
  const counts = sql<{ p1: number; p2: number }>`
    SELECT count(*) AS p1, count(*) FILTER (WHERE r.prev2_on >= ${from}::date) AS p2
    FROM steering_repeat r
    WHERE r.tenant_id = ${tenantId} AND r.prev_on >= ${from}::date AND r.received_on <= ${to}::date`.execute(db);
  const top = async (which: 'prev_on' | 'prev2_on', base: number) => {
    const { rows } = await sql<{ customer_id: string; display_name: string; n: number }>`
      WITH g AS (
        SELECT r.customer_id, count(*) + ${base}::int AS n FROM steering_repeat r
        WHERE r.tenant_id = ${tenantId} AND ${sql.ref(`r.${which}`)} >= ${from}::date AND r.received_on <= ${to}::date
        GROUP BY r.customer_id
      ), best AS (SELECT customer_id, n FROM g ORDER BY n DESC FETCH FIRST ${limit} ROWS WITH TIES)
      SELECT best.customer_id, c.display_name, best.n FROM best JOIN customers c ON c.tenant_id = ${tenantId} AND c.id = best.customer_id
      ORDER BY best.n DESC, c.display_name, best.customer_id LIMIT ${limit}`.execute(db);
    return rows.map((r) => ({ customerId: String(r.customer_id), name: String(r.display_name), count: Number(r.n) }));
  };
  const [c, top3] = await Promise.all([counts, top('prev2_on', 2)]);
  const p1 = Number(c.rows[0]?.p1 ?? 0);
  const p2 = Number(c.rows[0]?.p2 ?? 0);
  const customers = p1 - p2;
  // Fewer than `limit` customers with 3 or more: the top includes some with 2.
  const list = top3.length >= limit || customers === top3.length ? top3 : await top('prev_on', 1);
  return { customers, complaints: p1 + customers, top: list };
}

export const LIST_METRICS = [
  'received', 'demandes', 'ack_met', 'ack_late', 'ack_overdue', 'ack_at_risk', 'ack_pending',
  'answer_met', 'answer_late', 'answer_overdue', 'answer_at_risk', 'answer_pending', 'answered', 'backlog', 'repeat',
] as const;
export type ListMetric = (typeof LIST_METRICS)[number];

function metricCondition(metric: ListMetric, today: string, weekEnd: string): RawBuilder<unknown> {
  switch (metric) {
    case 'received':
    case 'repeat':
      return sql`f.kind = 'reclamation'`;
    case 'demandes':
      return sql`f.kind = 'demande'`;
    case 'ack_met':
      return sql`f.kind = 'reclamation' AND f.ack_on <= f.ack_due_on`;
    case 'ack_late':
      return sql`f.kind = 'reclamation' AND (f.ack_on > f.ack_due_on OR (f.ack_on IS NULL AND f.ack_due_on < ${today}::date))`;
    case 'ack_overdue':
      return sql`f.kind = 'reclamation' AND f.ack_on IS NULL AND f.ack_due_on < ${today}::date`;
    case 'ack_at_risk':
      return sql`f.kind = 'reclamation' AND f.ack_on IS NULL AND f.ack_due_on BETWEEN ${today}::date AND ${weekEnd}::date`;
    case 'ack_pending':
      return sql`f.kind = 'reclamation' AND f.ack_on IS NULL AND f.ack_due_on > ${weekEnd}::date`;
    case 'answer_met':
      return sql`f.kind = 'reclamation' AND f.answer_on <= f.answer_due_on`;
    case 'answer_late':
      return sql`f.kind = 'reclamation' AND (f.answer_on > f.answer_due_on OR (f.answer_on IS NULL AND f.answer_due_on < ${today}::date))`;
    case 'answer_overdue':
      return sql`f.kind = 'reclamation' AND f.answer_on IS NULL AND f.answer_due_on < ${today}::date`;
    case 'answer_at_risk':
      return sql`f.kind = 'reclamation' AND f.answer_on IS NULL AND f.answer_due_on BETWEEN ${today}::date AND ${weekEnd}::date`;
    case 'answer_pending':
      return sql`f.kind = 'reclamation' AND f.answer_on IS NULL AND f.answer_due_on > ${weekEnd}::date`;
    case 'answered':
      return sql`f.kind = 'reclamation' AND f.answer_on IS NOT NULL`;
    case 'backlog':
      return sql`f.is_open`;
  }
}

export interface FactListRow {
  id: string;
  reference: string;
  subject: string;
  customerId: string;
  customerName: string;
  kind: string;
  status: string;
  cause: string | null;
  product: string | null;
  receivedOn: string;
  ackDueOn: string;
  answerDueOn: string;
  ackOn: string | null;
  answerOn: string | null;
  assigneeId: string | null;
}

/** The complaints behind one dashboard number, newest first (offset pages). */
export async function listFacts(
  db: Db,
  tenantId: string,
  q: { metric: ListMetric; from: string; to: string; filters: SteeringFilters; today: string; weekEnd: string; limit: number; offset: number },
): Promise<{ rows: FactListRow[]; total: number }> {
  const conditions = [metricCondition(q.metric, q.today, q.weekEnd), ...factConditions(q.filters)];
  // The backlog is today's, whatever the period.
  if (q.metric !== 'backlog') conditions.push(sql`f.received_on BETWEEN ${q.from}::date AND ${q.to}::date`);
  if (q.metric === 'repeat') {
    conditions.push(sql`f.customer_id IN (
      SELECT g.customer_id FROM complaint_facts g
      WHERE g.tenant_id = ${tenantId} AND g.kind = 'reclamation' AND g.received_on BETWEEN ${q.from}::date AND ${q.to}::date
        AND ${and(factConditions(q.filters, 'g'))}
      GROUP BY g.customer_id HAVING count(*) >= 2)`);
  }
  const { rows } = await sql<Record<string, unknown>>`
    SELECT c.id, c.reference, c.subject, c.customer_id, cu.display_name, f.kind, f.status, f.cause, f.product,
      f.received_on, f.ack_due_on, f.answer_due_on, f.ack_on, f.answer_on, f.assignee_id, count(*) OVER () AS total
    FROM complaint_facts f
    JOIN complaints c ON c.tenant_id = f.tenant_id AND c.id = f.complaint_id
    JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
    WHERE f.tenant_id = ${tenantId} AND ${and(conditions)}
    ORDER BY f.received_on DESC, c.reference DESC
    LIMIT ${q.limit} OFFSET ${q.offset}`.execute(db);
  let total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  if (rows.length === 0 && q.offset > 0) {
    const { rows: c } = await sql<{ n: number }>`SELECT count(*) AS n FROM complaint_facts f WHERE f.tenant_id = ${tenantId} AND ${and(conditions)}`.execute(db);
    total = Number(c[0]?.n ?? 0);
  }
  return {
    total,
    rows: rows.map((r) => ({
      id: String(r.id),
      reference: String(r.reference),
      subject: String(r.subject),
      customerId: String(r.customer_id),
      customerName: String(r.display_name),
      kind: String(r.kind),
      status: String(r.status),
      cause: (r.cause as string | null) ?? null,
      product: (r.product as string | null) ?? null,
      receivedOn: String(r.received_on),
      ackDueOn: String(r.ack_due_on),
      answerDueOn: String(r.answer_due_on),
      ackOn: (r.ack_on as string | null) ?? null,
      answerOn: (r.answer_on as string | null) ?? null,
      assigneeId: (r.assignee_id as string | null) ?? null,
    })),
  };
}

/** Weekly volumes of complaints (kind reclamation) by cause or product, from the rollups: signals read it. */
export async function weeklyByDimension(db: Db, tenantId: string, dim: 'cause' | 'product', fromWeek: string, toWeek: string): Promise<{ week: string; val: string; n: number }[]> {
  const rows = await db
    .selectFrom('steering_weekly')
    .select(['week', 'val', 'received'])
    .where('tenant_id', '=', tenantId)
    .where('dim', '=', dim)
    .where('kind', '=', 'reclamation')
    .where('week', '>=', fromWeek)
    .where('week', '<=', toWeek)
    .where('val', '<>', '')
    .execute();
  return rows.map((r) => ({ week: String(r.week), val: r.val, n: Number(r.received) }));
}

/** Complaints (kind reclamation) of a cause/product received in [from, to): the rate before/after an action. */
export async function countComplaints(db: Db, tenantId: string, q: { from: string; toExclusive: string; cause?: string | null | undefined; product?: string | null | undefined }): Promise<number> {
  let query = db
    .selectFrom('complaint_facts')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'reclamation')
    .where('received_on', '>=', q.from)
    .where('received_on', '<', q.toExclusive);
  if (q.cause) query = query.where('cause', '=', q.cause);
  if (q.product) query = query.where('product', '=', q.product);
  const row = await query.executeTakeFirst();
  return Number(row?.n ?? 0);
}
