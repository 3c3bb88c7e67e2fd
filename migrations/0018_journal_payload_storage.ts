import { sql, type Kysely } from 'kysely';

// Frozen once shipped. How the journal's raw payloads are stored, decided once in the schema.
// - Where the server has lz4 (PostgreSQL builds usually do): the payload column is compressed with lz4.
//   pglz, the default, spent more than half of the INSERT of a mail backlog; lz4 costs a fraction of it.
//   Until now each journal transaction asked for lz4 (set_config), one more round trip per batch and
//   per webhook group; the column setting replaces that. Values already stored keep their compression.
// - Without lz4 (the embedded PGlite, or such a server): pglz would be the only compression, and it took
//   a tenth to a quarter of the embedded INSERT's time, for mails that are mostly small text (stored
//   inline anyway) or base64 of already compressed files. There the column is stored out of line without
//   compression (STORAGE EXTERNAL).
// Both read the same. The statements run through EXECUTE: a server without lz4 refuses even to plan the
// first one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        EXECUTE 'ALTER TABLE inbound_journal ALTER COLUMN payload SET COMPRESSION lz4';
      ELSE
        EXECUTE 'ALTER TABLE inbound_journal ALTER COLUMN payload SET STORAGE EXTERNAL';
      END IF;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE inbound_journal ALTER COLUMN payload SET STORAGE EXTENDED`.execute(db);
  await sql`ALTER TABLE inbound_journal ALTER COLUMN payload SET COMPRESSION DEFAULT`.execute(db);
}
