import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

type Db = Kysely<Database>;

/**
 * Benchmark data (src/bench/dashboard.ts): `count` customers and complaints `from`..`to` of a tenant in one
 * INSERT … SELECT generate_series each, spread over two years before now, with deadlines, acknowledgements,
 * answers, outcomes, processes and assignees. The statement triggers keep the rollups as they would in use.
 */
export async function seedBenchCustomers(db: Db, tenantId: string, count: number): Promise<void> {
  await sql`
    INSERT INTO customers (id, tenant_id, display_name)
    SELECT md5(${tenantId} || ':c' || g)::uuid, ${tenantId}, 'Client banc ' || g FROM generate_series(1, ${count}::int) g`.execute(db);
}

export async function seedBenchComplaints(db: Db, tenantId: string, q: { from: number; to: number; customers: number; assignees: string[] }): Promise<void> {
  await sql`
    WITH p AS (SELECT array_agg(id ORDER BY key) AS ids FROM processes WHERE tenant_id = ${tenantId}),
    s AS (
      SELECT g, random() AS r_kind, random() AS r_channel, random() AS r_cause, random() AS r_product, random() AS r_process,
        random() AS r_assignee, random() AS r_ack, random() AS r_answer, random() AS r_outcome, random() AS r_status,
        random() AS r_customer, now() - random() * interval '730 days' AS received
      FROM generate_series(${q.from}::int, ${q.to}::int) g
    ),
    t AS (
      SELECT s.*, (s.received AT TIME ZONE 'Europe/Paris')::date AS sent_on,
        s.received + (r_ack * 16) * interval '1 day' AS ack_at,
        s.received + (1 + r_answer * 80) * interval '1 day' AS answer_at
      FROM s
    )
    INSERT INTO complaints (tenant_id, reference, customer_id, channel, kind, cause, product, priority, status, outcome, subject,
      description, process_id, assignee_id, sent_on, sent_on_source, received_at, ack_due_on, answer_due_on, acknowledged_at,
      answered_at, closed_at, tracking_token, created_at, updated_at)
    SELECT ${tenantId}, 'BENCH-' || g, md5(${tenantId} || ':c' || (1 + floor(r_customer * ${q.customers}::int))::int)::uuid,
      (ARRAY['email', 'webform', 'sms', 'letter', 'phone'])[1 + floor(r_channel * 5)::int],
      CASE WHEN r_kind < 0.85 THEN 'reclamation' ELSE 'demande' END,
      (ARRAY['accueil', 'vente', 'information', 'refus_souscription', 'tarification', 'delai', 'qualite_reponse', 'indemnisation', 'resiliation', 'gestion_contrat', 'autre'])[1 + floor(r_cause * 11)::int],
      (ARRAY['auto', 'moto', 'habitation', 'sante', 'prevoyance', 'vie', 'credit', 'animaux', 'rc_pro', 'voyage', 'protection_juridique', 'autre'])[1 + floor(r_product * 12)::int],
      'normale',
      CASE WHEN answer_at < now() THEN (CASE WHEN r_status < 0.6 THEN 'cloturee' ELSE 'resolue' END)
           ELSE (ARRAY['nouvelle', 'en_cours', 'en_attente'])[1 + floor(r_status * 3)::int] END,
      CASE WHEN answer_at < now() THEN (ARRAY['accepte', 'partiel', 'refuse'])[1 + floor(r_outcome * 3)::int] END,
      'Réclamation de banc d’essai ' || g, 'Texte de la réclamation ' || g || ' : sinistre, expert, délai, remboursement.',
      (SELECT ids[1 + floor(r_process * array_length(ids, 1))::int] FROM p),
      CASE WHEN r_assignee < 0.85 THEN (${sql.val(q.assignees)}::uuid[])[1 + floor(r_assignee / 0.85 * ${q.assignees.length}::int)::int] END,
      sent_on, 'sent', received, sent_on + 14, (sent_on + interval '2 months')::date,
      CASE WHEN ack_at < now() AND r_ack < 0.9 THEN ack_at END,
      CASE WHEN answer_at < now() THEN answer_at END,
      CASE WHEN answer_at < now() AND r_status < 0.6 THEN answer_at + interval '3 days' END,
      md5(${tenantId} || ':t' || g), received, received
    FROM t`.execute(db);
}

export async function analyzeBench(db: Db): Promise<void> {
  // As autovacuum would have by then: statistics, and the visibility map that index-only scans rely on.
  await sql`VACUUM ANALYZE`.execute(db);
}

export interface NaiveFilters {
  channel?: string;
  cause?: string;
  product?: string;
  processId?: string;
  agentId?: string;
}

function conditions(f: NaiveFilters) {
  const out = [];
  if (f.channel) out.push(sql`c.channel = ${f.channel}`);
  if (f.cause) out.push(sql`c.cause = ${f.cause}`);
  if (f.product) out.push(sql`c.product = ${f.product}`);
  if (f.processId) out.push(sql`c.process_id = ${f.processId}::uuid`);
  if (f.agentId) out.push(sql`c.assignee_id = ${f.agentId}::uuid`);
  return out.length ? sql.join(out, sql` AND `) : sql`true`;
}

/**
 * The straightforward way to the dashboard's figures: grouping the complaints table itself, each figure its
 * own query (run concurrently, as the API does with its own). The reference the rollups are measured against.
 */
export async function naiveDashboard(db: Db, tenantId: string, q: { from: string; to: string; today: string; weekEnd: string; filters: NaiveFilters }): Promise<unknown[]> {
  const local = (col: string) => sql`(${sql.ref(col)} AT TIME ZONE 'Europe/Paris')::date`;
  const received = local('c.received_at');
  const ackOn = sql`coalesce(least(${local('c.acknowledged_at')}, ${local('c.answered_at')}), ${local('c.closed_at')})`;
  const answerOn = sql`coalesce(${local('c.answered_at')}, ${local('c.closed_at')})`;
  // Bounds on the indexed instant (complaints_list_idx), not on an expression of it: the fair version.
  const period = sql`c.tenant_id = ${tenantId} AND c.received_at >= (${q.from}::date::timestamp AT TIME ZONE 'Europe/Paris')
    AND c.received_at < ((${q.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris') AND ${conditions(q.filters)}`;
  const run = (query: ReturnType<typeof sql>) => query.execute(db).then((r) => r.rows);
  return Promise.all([
    run(sql`
      SELECT date_trunc('week', ${received})::date AS week, c.kind, count(*) AS received,
        count(*) FILTER (WHERE ${ackOn} <= c.ack_due_on) AS ack_met, count(*) FILTER (WHERE ${ackOn} > c.ack_due_on) AS ack_late,
        count(*) FILTER (WHERE ${answerOn} <= c.answer_due_on) AS answer_met, count(*) FILTER (WHERE ${answerOn} > c.answer_due_on) AS answer_late,
        count(*) FILTER (WHERE c.outcome = 'accepte') AS accepte, count(*) FILTER (WHERE c.outcome = 'partiel') AS partiel,
        count(*) FILTER (WHERE c.outcome = 'refuse') AS refuse
      FROM complaints c WHERE ${period} GROUP BY 1, 2`),
    run(sql`
      SELECT avg(${answerOn} - ${received}) AS mean, percentile_disc(0.9) WITHIN GROUP (ORDER BY ${answerOn} - ${received}) AS p90
      FROM complaints c WHERE ${period} AND c.kind = 'reclamation' AND ${answerOn} IS NOT NULL`),
    run(sql`
      SELECT count(*) FILTER (WHERE ${ackOn} IS NULL AND c.ack_due_on < ${q.today}::date) AS ack_overdue,
        count(*) FILTER (WHERE ${ackOn} IS NULL AND c.ack_due_on BETWEEN ${q.today}::date AND ${q.weekEnd}::date) AS ack_at_risk,
        count(*) FILTER (WHERE ${answerOn} IS NULL AND c.answer_due_on < ${q.today}::date) AS answer_overdue,
        count(*) FILTER (WHERE ${answerOn} IS NULL AND c.answer_due_on BETWEEN ${q.today}::date AND ${q.weekEnd}::date) AS answer_at_risk
      FROM complaints c WHERE ${period} AND c.kind = 'reclamation'`),
    run(sql`
      SELECT c.process_id, p.name, c.status, count(*) AS n FROM complaints c LEFT JOIN processes p ON p.id = c.process_id
      WHERE c.tenant_id = ${tenantId} AND c.status IN ('nouvelle', 'en_cours', 'en_attente') AND ${conditions(q.filters)}
      GROUP BY 1, 2, 3`),
    run(sql`
      SELECT count(*) AS customers, coalesce(sum(n), 0) AS complaints FROM (
        SELECT c.customer_id, count(*) AS n FROM complaints c WHERE ${period} AND c.kind = 'reclamation'
        GROUP BY c.customer_id HAVING count(*) >= 2) r`),
  ]);
}
