import { sql, type Kysely } from 'kysely';

// Intake: threading keys on messages, merge suggestions and audited (undoable) customer merges.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE messages ADD COLUMN conversation_key text`.execute(db);
  await sql`ALTER TABLE messages ADD COLUMN journal_id uuid`.execute(db);
  /** Why an agent must look at this message before anything is sent to its sender (null: nothing to check). */
  await sql`ALTER TABLE messages ADD COLUMN review_reason text`.execute(db);
  await sql`
    CREATE UNIQUE INDEX messages_inbound_external_key ON messages (tenant_id, channel, external_id)
    WHERE direction = 'inbound' AND external_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX messages_external_idx ON messages (tenant_id, external_id) WHERE external_id IS NOT NULL`.execute(db);
  await sql`CREATE INDEX messages_conversation_idx ON messages (tenant_id, conversation_key, created_at DESC)
    WHERE conversation_key IS NOT NULL`.execute(db);

  await sql`
    CREATE TABLE merge_suggestions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      customer_id uuid NOT NULL,
      other_customer_id uuid NOT NULL,
      reason text NOT NULL,
      evidence jsonb NOT NULL DEFAULT '{}'::jsonb,
      complaint_id uuid,
      message_id uuid,
      status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
      created_at timestamptz NOT NULL DEFAULT now(),
      decided_at timestamptz,
      decided_by uuid,
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, customer_id) REFERENCES customers(tenant_id, id),
      FOREIGN KEY (tenant_id, other_customer_id) REFERENCES customers(tenant_id, id),
      CHECK (customer_id <> other_customer_id)
    )`.execute(db);
  // One open suggestion per pair, whatever the order.
  await sql`
    CREATE UNIQUE INDEX merge_suggestions_pending_pair ON merge_suggestions
      (tenant_id, least(customer_id, other_customer_id), greatest(customer_id, other_customer_id))
    WHERE status = 'pending'`.execute(db);

  await sql`
    CREATE TABLE customer_merges (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kept_customer_id uuid NOT NULL,
      merged_customer_id uuid NOT NULL,
      moved jsonb NOT NULL,
      suggestion_id uuid,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      undone_at timestamptz,
      undone_by uuid,
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, kept_customer_id) REFERENCES customers(tenant_id, id),
      FOREIGN KEY (tenant_id, merged_customer_id) REFERENCES customers(tenant_id, id)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS customer_merges`.execute(db);
  await sql`DROP TABLE IF EXISTS merge_suggestions`.execute(db);
  await sql`DROP INDEX IF EXISTS messages_conversation_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS messages_external_idx`.execute(db);
  await sql`DROP INDEX IF EXISTS messages_inbound_external_key`.execute(db);
  await sql`ALTER TABLE messages DROP COLUMN review_reason, DROP COLUMN journal_id, DROP COLUMN conversation_key`.execute(db);
}
