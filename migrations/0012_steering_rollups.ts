import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Steering rollups: what the managers' dashboard reads instead of scanning complaints.
//
// complaints ──(statement triggers, transition tables)──▶ complaint_facts: one narrow row per complaint
//   with the fields the dashboard groups and filters by, and its deadline dates as Europe/Paris dates.
// complaint_facts ──(statement triggers, deltas)──▶ steering_weekly + steering_weekly_hist: per tenant,
//   ISO week (of receipt), kind, and ONE dimension value (all | channel | cause | product | process |
//   agent), the counts the dashboard shows and the histogram of handling days (exact percentiles).
//
// Statement-level triggers see every row of a multi-row INSERT/UPDATE/DELETE at once (batched ingest, bulk
// updates) and apply one grouped delta per rollup key, in key order (no deadlock between two writers).
// A facts row is only rewritten when one of its fields changes, so the many updates that touch nothing the
// dashboard shows (updated_at, triage, search text) never reach the rollups.

/** The fact row of a complaint `c` (a complaints row or transition-table row). */
const FACT_COLUMNS = `complaint_id, tenant_id, customer_id, kind, channel, cause, product, process_id, assignee_id,
  status, outcome, is_open, received_on, ack_due_on, answer_due_on, ack_on, answer_on`;
const FACT_VALUES = `c.id, c.tenant_id, c.customer_id, c.kind, c.channel, c.cause, c.product, c.process_id, c.assignee_id,
  c.status, c.outcome, c.status IN ('nouvelle', 'en_cours', 'en_attente'),
  (c.received_at AT TIME ZONE 'Europe/Paris')::date, c.ack_due_on, c.answer_due_on,
  coalesce(least((c.acknowledged_at AT TIME ZONE 'Europe/Paris')::date, (c.answered_at AT TIME ZONE 'Europe/Paris')::date),
           (c.closed_at AT TIME ZONE 'Europe/Paris')::date),
  coalesce((c.answered_at AT TIME ZONE 'Europe/Paris')::date, (c.closed_at AT TIME ZONE 'Europe/Paris')::date)`;

/** One signed contribution per fact row and dimension: the rows the rollup deltas are grouped from. */
const CONTRIBUTIONS = `
  SELECT d.tenant_id, date_trunc('week', d.received_on)::date AS week, d.kind, dv.dim, dv.val, d.sign,
         d.ack_on, d.ack_due_on, d.answer_on, d.answer_due_on, d.outcome, d.received_on
  FROM d CROSS JOIN LATERAL (VALUES
    ('all', ''), ('channel', d.channel), ('cause', coalesce(d.cause, '')), ('product', coalesce(d.product, '')),
    ('process', coalesce(d.process_id::text, '')), ('agent', coalesce(d.assignee_id::text, ''))
  ) AS dv(dim, val)`;

const APPLY_DELTAS = `
  WITH d AS (${'$ROWS'}), x AS (${CONTRIBUTIONS}), w AS (
    SELECT tenant_id, week, kind, dim, val,
      sum(sign) AS received,
      sum(CASE WHEN ack_on <= ack_due_on THEN sign ELSE 0 END) AS ack_met,
      sum(CASE WHEN ack_on > ack_due_on THEN sign ELSE 0 END) AS ack_late,
      sum(CASE WHEN answer_on <= answer_due_on THEN sign ELSE 0 END) AS answer_met,
      sum(CASE WHEN answer_on > answer_due_on THEN sign ELSE 0 END) AS answer_late,
      sum(CASE WHEN outcome = 'accepte' THEN sign ELSE 0 END) AS outcome_accepte,
      sum(CASE WHEN outcome = 'partiel' THEN sign ELSE 0 END) AS outcome_partiel,
      sum(CASE WHEN outcome = 'refuse' THEN sign ELSE 0 END) AS outcome_refuse
    FROM x GROUP BY tenant_id, week, kind, dim, val
  )
  INSERT INTO steering_weekly AS s (tenant_id, week, kind, dim, val, received, ack_met, ack_late, answer_met, answer_late,
    outcome_accepte, outcome_partiel, outcome_refuse)
  SELECT * FROM w
  WHERE received <> 0 OR ack_met <> 0 OR ack_late <> 0 OR answer_met <> 0 OR answer_late <> 0
     OR outcome_accepte <> 0 OR outcome_partiel <> 0 OR outcome_refuse <> 0
  ORDER BY tenant_id, dim, val, week, kind
  ON CONFLICT (tenant_id, dim, val, week, kind) DO UPDATE SET
    received = s.received + excluded.received,
    ack_met = s.ack_met + excluded.ack_met,
    ack_late = s.ack_late + excluded.ack_late,
    answer_met = s.answer_met + excluded.answer_met,
    answer_late = s.answer_late + excluded.answer_late,
    outcome_accepte = s.outcome_accepte + excluded.outcome_accepte,
    outcome_partiel = s.outcome_partiel + excluded.outcome_partiel,
    outcome_refuse = s.outcome_refuse + excluded.outcome_refuse;

  WITH d AS (${'$ROWS'}), x AS (${CONTRIBUTIONS}), h AS (
    SELECT tenant_id, week, kind, dim, val, answer_on - received_on AS days, sum(sign) AS n
    FROM x WHERE answer_on IS NOT NULL
    GROUP BY tenant_id, week, kind, dim, val, answer_on - received_on
  )
  INSERT INTO steering_weekly_hist AS s (tenant_id, week, kind, dim, val, days, n)
  SELECT * FROM h WHERE n <> 0
  ORDER BY tenant_id, dim, val, week, kind, days
  ON CONFLICT (tenant_id, dim, val, week, kind, days) DO UPDATE SET n = s.n + excluded.n;`;

function deltas(rows: string): string {
  return APPLY_DELTAS.split('$ROWS').join(rows);
}

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE complaint_facts (
      complaint_id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      kind text NOT NULL,
      channel text NOT NULL,
      cause text,
      product text,
      process_id uuid,
      assignee_id uuid,
      status text NOT NULL,
      outcome text,
      is_open boolean NOT NULL,
      received_on date NOT NULL,
      ack_due_on date NOT NULL,
      answer_due_on date NOT NULL,
      -- first of acknowledgement and answer (the answer within the delay stands for it), else closure
      ack_on date,
      -- answer, else closure
      answer_on date
    )`.execute(db);
  // Period scans (multi-filter dashboards, repeat complainants, lists) read this index only.
  await sql`CREATE INDEX complaint_facts_period_idx ON complaint_facts (tenant_id, kind, received_on) INCLUDE (customer_id)`.execute(db);
  // What still waits for an acknowledgement or an answer: a small share of the complaints.
  await sql`CREATE INDEX complaint_facts_pending_idx ON complaint_facts (tenant_id, received_on) WHERE ack_on IS NULL OR answer_on IS NULL`.execute(db);
  await sql`CREATE INDEX complaint_facts_open_idx ON complaint_facts (tenant_id, process_id, status) WHERE is_open`.execute(db);

  await sql`
    CREATE TABLE steering_weekly (
      tenant_id uuid NOT NULL,
      week date NOT NULL,
      kind text NOT NULL,
      dim text NOT NULL CHECK (dim IN ('all', 'channel', 'cause', 'product', 'process', 'agent')),
      val text NOT NULL,
      received integer NOT NULL DEFAULT 0,
      ack_met integer NOT NULL DEFAULT 0,
      ack_late integer NOT NULL DEFAULT 0,
      answer_met integer NOT NULL DEFAULT 0,
      answer_late integer NOT NULL DEFAULT 0,
      outcome_accepte integer NOT NULL DEFAULT 0,
      outcome_partiel integer NOT NULL DEFAULT 0,
      outcome_refuse integer NOT NULL DEFAULT 0,
      PRIMARY KEY (tenant_id, dim, val, week, kind)
    )`.execute(db);
  await sql`
    CREATE TABLE steering_weekly_hist (
      tenant_id uuid NOT NULL,
      week date NOT NULL,
      kind text NOT NULL,
      dim text NOT NULL,
      val text NOT NULL,
      days integer NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (tenant_id, dim, val, week, kind, days)
    )`.execute(db);

  // complaints → complaint_facts
  await sql.raw(`
    CREATE FUNCTION steering_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO complaint_facts (${FACT_COLUMNS}) SELECT ${FACT_VALUES} FROM new_rows c;
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION steering_facts_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE complaint_facts f SET (${FACT_COLUMNS}) = ROW(${FACT_VALUES})
      FROM new_rows c
      WHERE f.complaint_id = c.id AND ROW(${FACT_COLUMNS.replace(/(\w+)/g, 'f.$1')}) IS DISTINCT FROM ROW(${FACT_VALUES});
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION steering_facts_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM complaint_facts f USING old_rows c WHERE f.complaint_id = c.id;
      RETURN NULL;
    END $$`).execute(db);
  // Transition tables allow one event per trigger: three triggers.
  await sql`CREATE TRIGGER complaints_facts_insert AFTER INSERT ON complaints REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION steering_facts_insert()`.execute(db);
  await sql`CREATE TRIGGER complaints_facts_update AFTER UPDATE ON complaints REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION steering_facts_update()`.execute(db);
  await sql`CREATE TRIGGER complaints_facts_delete AFTER DELETE ON complaints REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION steering_facts_delete()`.execute(db);

  // complaint_facts → rollups (signed deltas)
  await sql.raw(`
    CREATE FUNCTION steering_rollup_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${deltas('SELECT n.*, 1 AS sign FROM new_facts n')}
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION steering_rollup_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${deltas('SELECT n.*, 1 AS sign FROM new_facts n UNION ALL SELECT o.*, -1 AS sign FROM old_facts o')}
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION steering_rollup_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${deltas('SELECT o.*, -1 AS sign FROM old_facts o')}
      RETURN NULL;
    END $$`).execute(db);
  await sql`CREATE TRIGGER complaint_facts_rollup_insert AFTER INSERT ON complaint_facts REFERENCING NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_rollup_insert()`.execute(db);
  await sql`CREATE TRIGGER complaint_facts_rollup_update AFTER UPDATE ON complaint_facts REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_rollup_update()`.execute(db);
  await sql`CREATE TRIGGER complaint_facts_rollup_delete AFTER DELETE ON complaint_facts REFERENCING OLD TABLE AS old_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_rollup_delete()`.execute(db);

  // Complaints that exist already.
  await sql.raw(`INSERT INTO complaint_facts (${FACT_COLUMNS}) SELECT ${FACT_VALUES} FROM complaints c`).execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS complaints_facts_insert ON complaints`.execute(db);
  await sql`DROP TRIGGER IF EXISTS complaints_facts_update ON complaints`.execute(db);
  await sql`DROP TRIGGER IF EXISTS complaints_facts_delete ON complaints`.execute(db);
  await sql`DROP TABLE IF EXISTS complaint_facts, steering_weekly, steering_weekly_hist`.execute(db);
  for (const f of ['steering_facts_insert', 'steering_facts_update', 'steering_facts_delete', 'steering_rollup_insert', 'steering_rollup_update', 'steering_rollup_delete']) {
    await sql`DROP FUNCTION IF EXISTS ${sql.raw(f)}()`.execute(db);
  }
}
