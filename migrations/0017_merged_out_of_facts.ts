import { sql, type Kysely } from 'kysely';

// Frozen once shipped. A complaint merged into another (migration 0015, complaints.merged_into_id) is a
// duplicate of that one: it has no fact row, so the steering figures (rollups of 0012 and 0014, lists,
// signals, digest) no longer count it. The complaints → complaint_facts triggers of 0012 change so that:
// - an inserted complaint already merged gets no fact;
// - a merge deletes the fact (the complaint_facts DELETE triggers subtract it from every rollup);
// - an unmerge (merged_into_id back to null) inserts the fact again (the INSERT triggers add it back).
// The DELETE and INSERT only run when the statement touches a merged complaint (they would otherwise
// fire the six rollup statement triggers on complaint_facts for nothing at every update of complaints).

/** The fact row of a complaint `c`: the same as in 0012 (frozen there, so written again here). */
const FACT_COLUMNS = `complaint_id, tenant_id, customer_id, kind, channel, cause, product, process_id, assignee_id,
  status, outcome, is_open, received_on, ack_due_on, answer_due_on, ack_on, answer_on`;
const FACT_VALUES = `c.id, c.tenant_id, c.customer_id, c.kind, c.channel, c.cause, c.product, c.process_id, c.assignee_id,
  c.status, c.outcome, c.status IN ('nouvelle', 'en_cours', 'en_attente'),
  (c.received_at AT TIME ZONE 'Europe/Paris')::date, c.ack_due_on, c.answer_due_on,
  coalesce(least((c.acknowledged_at AT TIME ZONE 'Europe/Paris')::date, (c.answered_at AT TIME ZONE 'Europe/Paris')::date),
           (c.closed_at AT TIME ZONE 'Europe/Paris')::date),
  coalesce((c.answered_at AT TIME ZONE 'Europe/Paris')::date, (c.closed_at AT TIME ZONE 'Europe/Paris')::date)`;
const CHANGED = `ROW(${FACT_COLUMNS.replace(/(\w+)/g, 'f.$1')}) IS DISTINCT FROM ROW(${FACT_VALUES})`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
    CREATE OR REPLACE FUNCTION steering_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO complaint_facts (${FACT_COLUMNS}) SELECT ${FACT_VALUES} FROM new_rows c WHERE c.merged_into_id IS NULL;
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE OR REPLACE FUNCTION steering_facts_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM new_rows WHERE merged_into_id IS NOT NULL) THEN
        DELETE FROM complaint_facts f USING new_rows c WHERE f.complaint_id = c.id AND c.merged_into_id IS NOT NULL;
      END IF;
      UPDATE complaint_facts f SET (${FACT_COLUMNS}) = ROW(${FACT_VALUES})
      FROM new_rows c
      WHERE f.complaint_id = c.id AND c.merged_into_id IS NULL AND ${CHANGED};
      IF EXISTS (SELECT 1 FROM old_rows WHERE merged_into_id IS NOT NULL) THEN
        INSERT INTO complaint_facts (${FACT_COLUMNS})
        SELECT ${FACT_VALUES} FROM new_rows c JOIN old_rows o ON o.id = c.id
        WHERE c.merged_into_id IS NULL AND o.merged_into_id IS NOT NULL;
      END IF;
      RETURN NULL;
    END $$`).execute(db);
  // The update trigger now needs the rows as they were too (an unmerge).
  await sql`DROP TRIGGER complaints_facts_update ON complaints`.execute(db);
  await sql`CREATE TRIGGER complaints_facts_update AFTER UPDATE ON complaints REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION steering_facts_update()`.execute(db);

  // Complaints merged already: their facts go, and the rollup triggers subtract them.
  await sql`
    DELETE FROM complaint_facts f USING complaints c
    WHERE c.tenant_id = f.tenant_id AND c.id = f.complaint_id AND c.merged_into_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  // 0012's functions and trigger, and the facts of merged complaints back.
  await sql.raw(`
    CREATE OR REPLACE FUNCTION steering_facts_insert() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO complaint_facts (${FACT_COLUMNS}) SELECT ${FACT_VALUES} FROM new_rows c;
      RETURN NULL;
    END $$`).execute(db);
  await sql.raw(`
    CREATE OR REPLACE FUNCTION steering_facts_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      UPDATE complaint_facts f SET (${FACT_COLUMNS}) = ROW(${FACT_VALUES})
      FROM new_rows c
      WHERE f.complaint_id = c.id AND ${CHANGED};
      RETURN NULL;
    END $$`).execute(db);
  await sql`DROP TRIGGER complaints_facts_update ON complaints`.execute(db);
  await sql`CREATE TRIGGER complaints_facts_update AFTER UPDATE ON complaints REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION steering_facts_update()`.execute(db);
  await sql.raw(`INSERT INTO complaint_facts (${FACT_COLUMNS}) SELECT ${FACT_VALUES} FROM complaints c WHERE c.merged_into_id IS NOT NULL`).execute(db);
}
