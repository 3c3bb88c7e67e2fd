import { sql, type Kysely } from 'kysely';

// Frozen once shipped. The complaint search stays index-driven at a million rows: partial reference and
// contract-number matches use trigram indexes (full text and customer names already have theirs).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX complaints_reference_trgm ON complaints USING gin (reference gin_trgm_ops)`.execute(db);
  await sql`CREATE INDEX complaints_contract_trgm ON complaints USING gin (contract_number gin_trgm_ops)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS complaints_contract_trgm`.execute(db);
  await sql`DROP INDEX IF EXISTS complaints_reference_trgm`.execute(db);
}
