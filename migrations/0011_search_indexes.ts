import { sql, type Kysely } from 'kysely';

// Frozen once shipped. The inbox stays index-driven at a million rows:
// - the list index carries the columns the inbox filters on, so that a filtered page and its capped
//   count are read from the index alone (no table access for the rows that do not match);
// - partial reference and contract-number matches use trigram indexes (full text and customer names
//   already have theirs).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_list_idx`.execute(db);
  await sql`
    CREATE INDEX complaints_list_idx ON complaints (tenant_id, received_at DESC, id DESC)
      INCLUDE (status, kind, cause, product, channel, priority, assignee_id)`.execute(db);
  await sql`CREATE INDEX complaints_reference_trgm ON complaints USING gin (reference gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX complaints_contract_trgm ON complaints USING gin (contract_number gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_contract_trgm`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_reference_trgm`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_list_idx`.execute(db);
  await sql`CREATE INDEX complaints_list_idx ON complaints (tenant_id, received_at DESC, id DESC)`.execute(db);
}
