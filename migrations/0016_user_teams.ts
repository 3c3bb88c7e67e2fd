import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Users belong to teams, and the inbox has a « Mon équipe » view.
// - users.teams: the team names a user belongs to (the free-text names processes carry in
//   processes.team). A handful per user and a few dozen users per tenant: an array beside the user reads
//   in the same row as the session's user, and needs no index (the team view resolves a tenant's members
//   by scanning that tenant's users, which is tiny).
// - The team view filters on `process_id IN (the team's processes) OR assignee_id IN (its members)`:
//   · the list index also carries process_id, so that a big team's page and capped count are read in
//     list order from the index alone, like every other inbox view;
//   · a small team (few complaints among many) is found through one index per side of the OR (bitmap OR),
//     instead of walking the whole tenant in list order. Both are (tenant, id) pairs with many duplicates,
//     which btree deduplication stores in a few bytes per row; the assignee one also serves « Mes
//     réclamations » for an agent with few complaints.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN teams text[] NOT NULL DEFAULT '{}'`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_list_idx`.execute(db);
  await sql`
    CREATE INDEX complaints_list_idx ON complaints (tenant_id, received_at DESC, id DESC)
      INCLUDE (status, kind, cause, product, channel, priority, assignee_id, process_id)`.execute(db);
  await sql`CREATE INDEX complaints_process_idx ON complaints (tenant_id, process_id)`.execute(db);
  await sql`CREATE INDEX complaints_assignee_idx ON complaints (tenant_id, assignee_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_assignee_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_process_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_list_idx`.execute(db);
  await sql`
    CREATE INDEX complaints_list_idx ON complaints (tenant_id, received_at DESC, id DESC)
      INCLUDE (status, kind, cause, product, channel, priority, assignee_id)`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN teams`.execute(db);
}
