import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Raw payloads stay uncompressed where the only TOAST compression is pglz.
// PostgreSQL compresses the journal's large payloads with lz4 (insertJournalMany asks for it per
// transaction). Where lz4 is not built in (the embedded PGlite, or such a server), pglz would be used:
// on a mail backlog it took a tenth to a quarter of the embedded INSERT's time, for mails that are mostly
// small text (stored inline anyway) or base64 of already compressed files. There the payload column is
// stored out of line without compression (STORAGE EXTERNAL); it reads the same.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    DO $$
    BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE inbound_journal ALTER COLUMN payload SET STORAGE EXTERNAL;
      END IF;
    END $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE inbound_journal ALTER COLUMN payload SET STORAGE EXTENDED`.execute(db);
}
