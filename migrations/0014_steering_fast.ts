import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Steering rollups for what 0012 still read from complaint_facts at every dashboard:
//
// complaint_facts ──(statement triggers, signed deltas)──▶
//   steering_pending: per tenant, dimension value (as steering_weekly, and pairs of them), ISO week of receipt, deadline (ack |
//     answer) and due date, the complaints (kind reclamation) still waiting for it: today's overdue / due this
//     week / due later are sums over due dates, so no scan of the facts however long the period.
//   steering_backlog: per tenant, dimension value (and pairs), process and status, the open complaints (both kinds).
//   steering_repeat: one row per complaint (kind reclamation) with the receipt dates of the same customer's
//     previous two (in order of receipt date, then id). Within any period, a customer's complaints are
//     consecutive, so, counting the complaints of the period whose previous one is in it too (P1) and those
//     whose second previous one is (P2): repeat customers = P1 − P2 and their complaints = P1 + (P1 − P2);
//     the customers with three or more are those with a P2 row (their count: 2 + their P2 rows). No grouping
//     of the whole period: the unfiltered dashboard reads a partial index of the few rows concerned.
// And, for dashboards with several filters and for repeat complainants with one filter, a covering index per
// dimension on the facts, so those read only the index entries of the filter value.
//
// Both rollups only hold the small share of facts that wait (pending) or are open (backlog): their triggers
// cost little on ingest. Multi-row statements are applied as one grouped delta per key, in key order.

/** The filters of a fact, in the dashboard's order. */
const FILTER_VALUES = `(VALUES
    (1, 'channel', d.channel), (2, 'cause', coalesce(d.cause, '')), (3, 'product', coalesce(d.product, '')),
    (4, 'process', coalesce(d.process_id::text, '')), (5, 'agent', coalesce(d.assignee_id::text, ''))
  )`;
/** Every key a fact counts under: all, each filter alone (as steering_weekly), each pair of filters ('channel+cause', 'email|delai'). */
const DIMS = `(
    SELECT 'all' AS dim, '' AS val
    UNION ALL SELECT f.dim, f.val FROM ${FILTER_VALUES} AS f(i, dim, val)
    UNION ALL SELECT a.dim || '+' || b.dim, a.val || '|' || b.val FROM ${FILTER_VALUES} AS a(i, dim, val) JOIN ${FILTER_VALUES} AS b(i, dim, val) ON a.i < b.i
  ) AS dv`;

const APPLY_DELTAS = `
  WITH d AS (${'$ROWS'}), x AS (
    SELECT d.tenant_id, dv.dim, dv.val, date_trunc('week', d.received_on)::date AS week, w.what, w.due_on, d.sign
    FROM d CROSS JOIN LATERAL ${DIMS}
    CROSS JOIN LATERAL (VALUES ('ack', d.ack_due_on, d.ack_on IS NULL), ('answer', d.answer_due_on, d.answer_on IS NULL)) AS w(what, due_on, waits)
    WHERE d.kind = 'reclamation' AND w.waits
  ), g AS (
    SELECT tenant_id, dim, val, week, what, due_on, sum(sign)::integer AS n FROM x GROUP BY 1, 2, 3, 4, 5, 6
  )
  INSERT INTO steering_pending AS s (tenant_id, dim, val, week, what, due_on, n)
  SELECT * FROM g WHERE n <> 0
  ORDER BY tenant_id, dim, val, week, what, due_on
  ON CONFLICT (tenant_id, dim, val, week, what, due_on) DO UPDATE SET n = s.n + excluded.n;

  WITH d AS (${'$ROWS'}), g AS (
    SELECT d.tenant_id, dv.dim, dv.val, coalesce(d.process_id::text, '') AS process_id, d.status, sum(d.sign)::integer AS n
    FROM d CROSS JOIN LATERAL ${DIMS}
    WHERE d.is_open
    GROUP BY 1, 2, 3, 4, 5
  )
  INSERT INTO steering_backlog AS s (tenant_id, dim, val, process_id, status, n)
  SELECT * FROM g WHERE n <> 0
  ORDER BY tenant_id, dim, val, process_id, status
  ON CONFLICT (tenant_id, dim, val, process_id, status) DO UPDATE SET n = s.n + excluded.n;`;

function deltas(rows: string): string {
  return APPLY_DELTAS.split('$ROWS').join(rows);
}

/** Syncs steering_repeat with changed facts `ch` (complaint_id, tenant_id, customer_id, kind, received_on, side old | new), then recounts the previous dates of their customers. */
const REPEAT_SYNC = `
  WITH ch AS (${'$ROWS'})
  DELETE FROM steering_repeat r USING ch WHERE ch.side = 'old' AND r.complaint_id = ch.complaint_id;

  WITH ch AS (${'$ROWS'})
  INSERT INTO steering_repeat (complaint_id, tenant_id, customer_id, received_on)
  SELECT complaint_id, tenant_id, customer_id, received_on FROM ch WHERE ch.side = 'new' AND ch.kind = 'reclamation';

  -- Concurrent writers for the same customer wait for each other, so that the recount below, a new statement,
  -- sees what the other committed: per customer (exclusive, under the tenant's lock shared), or for a statement
  -- of many customers (bulk ingest) the tenant's lock exclusive: lock slots are bounded. Always the tenant
  -- first, then customers in order: no deadlock.
  SELECT count(DISTINCT (tenant_id, customer_id)) INTO touched FROM (${'$ROWS'}) ch WHERE kind = 'reclamation';
  IF touched > 500 THEN
    PERFORM pg_advisory_xact_lock(l.k) FROM (
      SELECT DISTINCT hashtextextended('steering_repeat ' || tenant_id::text, 0) AS k FROM (${'$ROWS'}) ch WHERE kind = 'reclamation' ORDER BY 1
    ) l;
  ELSIF touched > 0 THEN
    PERFORM pg_advisory_xact_lock_shared(l.k) FROM (
      SELECT DISTINCT hashtextextended('steering_repeat ' || tenant_id::text, 0) AS k FROM (${'$ROWS'}) ch WHERE kind = 'reclamation' ORDER BY 1
    ) l;
    PERFORM pg_advisory_xact_lock(l.k) FROM (
      SELECT DISTINCT hashtextextended(tenant_id::text || customer_id::text, 0) AS k FROM (${'$ROWS'}) ch WHERE kind = 'reclamation' ORDER BY 1
    ) l;
  END IF;

  WITH ch AS (${'$ROWS'}), a AS (SELECT DISTINCT tenant_id, customer_id FROM ch WHERE kind = 'reclamation'), x AS (
    SELECT g.complaint_id, lag(g.received_on) OVER w AS p1, lag(g.received_on, 2) OVER w AS p2
    FROM steering_repeat g JOIN a ON a.tenant_id = g.tenant_id AND a.customer_id = g.customer_id
    WINDOW w AS (PARTITION BY g.tenant_id, g.customer_id ORDER BY g.received_on, g.complaint_id)
  )
  UPDATE steering_repeat r SET prev_on = x.p1, prev2_on = x.p2
  FROM x WHERE r.complaint_id = x.complaint_id AND (r.prev_on IS DISTINCT FROM x.p1 OR r.prev2_on IS DISTINCT FROM x.p2);`;

function repeatSync(rows: string): string {
  return REPEAT_SYNC.split('$ROWS').join(rows);
}

const CH = 'complaint_id, tenant_id, customer_id, kind, received_on';

const FACT_DIMS = ['channel', 'cause', 'product', 'process_id', 'assignee_id'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE steering_pending (
      tenant_id uuid NOT NULL,
      dim text NOT NULL,
      val text NOT NULL,
      week date NOT NULL,
      what text NOT NULL CHECK (what IN ('ack', 'answer')),
      due_on date NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (tenant_id, dim, val, week, what, due_on)
    )`.execute(db);
  await sql`
    CREATE TABLE steering_backlog (
      tenant_id uuid NOT NULL,
      dim text NOT NULL,
      val text NOT NULL,
      -- '' for none
      process_id text NOT NULL,
      status text NOT NULL,
      n integer NOT NULL,
      PRIMARY KEY (tenant_id, dim, val, process_id, status)
    )`.execute(db);
  await sql`
    CREATE TABLE steering_repeat (
      complaint_id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      customer_id uuid NOT NULL,
      received_on date NOT NULL,
      prev_on date,
      prev2_on date
    )`.execute(db);
  await sql`CREATE INDEX steering_repeat_customer_idx ON steering_repeat (tenant_id, customer_id, received_on, complaint_id)`.execute(db);
  await sql`CREATE INDEX steering_repeat_prev_idx ON steering_repeat (tenant_id, prev_on) INCLUDE (received_on, prev2_on) WHERE prev_on IS NOT NULL`.execute(db);
  await sql`CREATE INDEX steering_repeat_prev2_idx ON steering_repeat (tenant_id, prev2_on) INCLUDE (received_on, customer_id) WHERE prev2_on IS NOT NULL`.execute(db);
  for (const col of FACT_DIMS) {
    // Covering: the multi-filter weekly counts, histogram and repeat complainants are index-only scans.
    const include = [...FACT_DIMS.filter((c) => c !== col), 'customer_id', 'ack_on', 'ack_due_on', 'answer_on', 'answer_due_on', 'outcome'];
    await sql.raw(`CREATE INDEX complaint_facts_${col}_idx ON complaint_facts (tenant_id, kind, ${col}, received_on) INCLUDE (${include.join(', ')})`).execute(db);
  }

  await sql.raw(`
    CREATE FUNCTION steering_waiting_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${deltas('SELECT n.*, 1 AS sign FROM new_facts n')}
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION steering_waiting_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${deltas('SELECT n.*, 1 AS sign FROM new_facts n UNION ALL SELECT o.*, -1 AS sign FROM old_facts o')}
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION steering_waiting_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      ${deltas('SELECT o.*, -1 AS sign FROM old_facts o')}
      RETURN NULL;
    END $$`).execute(db);
  await sql`CREATE TRIGGER complaint_facts_waiting_insert AFTER INSERT ON complaint_facts REFERENCING NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_waiting_insert()`.execute(db);
  await sql`CREATE TRIGGER complaint_facts_waiting_update AFTER UPDATE ON complaint_facts REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_waiting_update()`.execute(db);
  await sql`CREATE TRIGGER complaint_facts_waiting_delete AFTER DELETE ON complaint_facts REFERENCING OLD TABLE AS old_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_waiting_delete()`.execute(db);

  await sql.raw(`
    CREATE FUNCTION steering_repeat_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE touched bigint;
    BEGIN
      ${repeatSync(`SELECT ${CH}, 'new' AS side FROM new_facts`)}
      RETURN NULL;
    END $$`).execute(db);
  // Only the facts whose customer, kind or receipt date changed.
  await sql.raw(`
    CREATE FUNCTION steering_repeat_update() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE touched bigint;
    BEGIN
      ${repeatSync(`SELECT ${CH.replace(/(\w+)/g, 'o.$1')}, 'old' AS side FROM old_facts o JOIN new_facts n USING (complaint_id)
        WHERE (o.customer_id, o.kind, o.received_on) IS DISTINCT FROM (n.customer_id, n.kind, n.received_on)
        UNION ALL
        SELECT ${CH.replace(/(\w+)/g, 'n.$1')}, 'new' AS side FROM old_facts o JOIN new_facts n USING (complaint_id)
        WHERE (o.customer_id, o.kind, o.received_on) IS DISTINCT FROM (n.customer_id, n.kind, n.received_on)`)}
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE FUNCTION steering_repeat_delete() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE touched bigint;
    BEGIN
      ${repeatSync(`SELECT ${CH}, 'old' AS side FROM old_facts`)}
      RETURN NULL;
    END $$`).execute(db);
  await sql`CREATE TRIGGER complaint_facts_repeat_insert AFTER INSERT ON complaint_facts REFERENCING NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_repeat_insert()`.execute(db);
  await sql`CREATE TRIGGER complaint_facts_repeat_update AFTER UPDATE ON complaint_facts REFERENCING OLD TABLE AS old_facts NEW TABLE AS new_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_repeat_update()`.execute(db);
  await sql`CREATE TRIGGER complaint_facts_repeat_delete AFTER DELETE ON complaint_facts REFERENCING OLD TABLE AS old_facts
    FOR EACH STATEMENT EXECUTE FUNCTION steering_repeat_delete()`.execute(db);

  // Facts that exist already.
  for (const statement of deltas('SELECT f.*, 1 AS sign FROM complaint_facts f').split(';\n\n')) await sql.raw(statement).execute(db);
  await sql`
    INSERT INTO steering_repeat (complaint_id, tenant_id, customer_id, received_on, prev_on, prev2_on)
    SELECT complaint_id, tenant_id, customer_id, received_on, lag(received_on) OVER w, lag(received_on, 2) OVER w
    FROM complaint_facts WHERE kind = 'reclamation'
    WINDOW w AS (PARTITION BY tenant_id, customer_id ORDER BY received_on, complaint_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS complaint_facts_waiting_insert ON complaint_facts`.execute(db);
  await sql`DROP TRIGGER IF EXISTS complaint_facts_waiting_update ON complaint_facts`.execute(db);
  await sql`DROP TRIGGER IF EXISTS complaint_facts_waiting_delete ON complaint_facts`.execute(db);
  await sql`DROP TRIGGER IF EXISTS complaint_facts_repeat_insert ON complaint_facts`.execute(db);
  await sql`DROP TRIGGER IF EXISTS complaint_facts_repeat_update ON complaint_facts`.execute(db);
  await sql`DROP TRIGGER IF EXISTS complaint_facts_repeat_delete ON complaint_facts`.execute(db);
  for (const f of ['steering_waiting_insert', 'steering_waiting_update', 'steering_waiting_delete', 'steering_repeat_insert', 'steering_repeat_update', 'steering_repeat_delete']) {
    await sql`DROP FUNCTION IF EXISTS ${sql.raw(f)}()`.execute(db);
  }
  for (const col of FACT_DIMS) await sql.raw(`DROP INDEX IF EXISTS complaint_facts_${col}_idx`).execute(db);
  await sql`DROP TABLE IF EXISTS steering_pending, steering_backlog, steering_repeat`.execute(db);
}
