import { sql, type Kysely } from 'kysely';

// Frozen once shipped. The process checklist of each complaint, and complaints merged into another.
export async function up(db: Kysely<any>): Promise<void> {
  // Step key → { done, by, at }: the steps of the complaint's process that an agent ticked.
  await sql`ALTER TABLE complaints ADD COLUMN checklist jsonb NOT NULL DEFAULT '{}'::jsonb`.execute(db);
  // A complaint opened twice for one matter is merged into the other: closed, its messages moved.
  await sql`ALTER TABLE complaints ADD COLUMN merged_into_id uuid`.execute(db);
  await sql`CREATE INDEX complaints_merged_idx ON complaints (tenant_id, merged_into_id) WHERE merged_into_id IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_merged_idx`.execute(db);
  await sql`ALTER TABLE complaints DROP COLUMN merged_into_id, DROP COLUMN checklist`.execute(db);
}
