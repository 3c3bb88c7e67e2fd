import { sql, type Kysely } from 'kysely';

// Frozen once shipped. The reading state of each mailbox (IMAP channel).
export async function up(db: Kysely<any>): Promise<void> {
  // One row per email channel. The checkpoint (uid_validity, last_uid) moves in the same transaction as
  // the journal rows of the mails it covers, so a crash never skips nor loses a mail. The lease makes one
  // reader per mailbox across worker processes: a reader takes it with an atomic UPDATE when it has
  // expired (or is its own) and renews it while reading. The import_* columns show backlog progress.
  await sql`
    CREATE TABLE mailbox_state (
      channel_id uuid PRIMARY KEY,
      tenant_id uuid NOT NULL,
      folder text NOT NULL DEFAULT 'INBOX',
      uid_validity bigint,
      last_uid bigint NOT NULL DEFAULT 0,
      import_since date,
      import_total integer NOT NULL DEFAULT 0,
      import_done integer NOT NULL DEFAULT 0,
      import_started_at timestamptz,
      import_finished_at timestamptz,
      lease_owner text,
      lease_until timestamptz,
      updated_at timestamptz NOT NULL DEFAULT now(),
      FOREIGN KEY (tenant_id, channel_id) REFERENCES channels (tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS mailbox_state`.execute(db);
}
