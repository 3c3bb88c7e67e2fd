import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Users belong to teams, and the inbox has a « Mon équipe » view.
// - users.teams: the team names a user belongs to (the free-text names processes carry in
//   processes.team). A handful per user and a few dozen users per tenant: an array beside the user reads
//   in the same row as the session's user, and needs no index (the team view resolves a tenant's members
//   by scanning that tenant's users, which is tiny).
// - the list index also carries process_id, so that the team view (process of the team OR assignee in
//   the team) filters a page and its capped count from the index alone, like every other inbox view.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE users ADD COLUMN teams text[] NOT NULL DEFAULT '{}'`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_list_idx`.execute(db);
  await sql`
    CREATE INDEX complaints_list_idx ON complaints (tenant_id, received_at DESC, id DESC)
      INCLUDE (status, kind, cause, product, channel, priority, assignee_id, process_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_list_idx`.execute(db);
  await sql`
    CREATE INDEX complaints_list_idx ON complaints (tenant_id, received_at DESC, id DESC)
      INCLUDE (status, kind, cause, product, channel, priority, assignee_id)`.execute(db);
  await sql`ALTER TABLE users DROP COLUMN teams`.execute(db);
}
