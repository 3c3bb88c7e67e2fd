import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Channels (mailboxes, Twilio numbers, Slack workspaces) and outbound delivery.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per connected channel. `address` selects the tenant of an inbound webhook (the Twilio `To`
  // number, the Slack team id) or names the mailbox; it is unique across tenants. Secrets are sealed
  // (AES-256-GCM under the service key) and never leave the server.
  await sql`
    CREATE TABLE channels (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('email', 'twilio', 'slack')),
      address text NOT NULL,
      name text NOT NULL,
      config jsonb NOT NULL DEFAULT '{}'::jsonb,
      sealed_secrets text,
      enabled boolean NOT NULL DEFAULT true,
      health jsonb NOT NULL DEFAULT '{}'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      UNIQUE (kind, address)
    )`.execute(db);

  // Outbound messages carry their delivery; inbound ones their new text without quoted history.
  await sql`
    ALTER TABLE messages
      ADD COLUMN body_new_text text,
      ADD COLUMN recipient text,
      ADD COLUMN purpose text,
      ADD COLUMN automatic boolean NOT NULL DEFAULT false,
      ADD COLUMN delivery_status text CHECK (delivery_status IN ('queued', 'sent', 'delivered', 'failed', 'suppressed')),
      ADD COLUMN delivery_error text,
      ADD COLUMN delivery_attempts integer NOT NULL DEFAULT 0,
      ADD COLUMN delivered_at timestamptz`.execute(db);
  await sql`CREATE INDEX messages_outbound_recipient_idx ON messages (tenant_id, recipient, created_at)
    WHERE direction = 'outbound'`.execute(db);

  // Customers who said STOP on a channel: nothing more is sent to that address on that channel.
  await sql`
    CREATE TABLE opt_outs (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      channel text NOT NULL,
      address text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_id, channel, address)
    )`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS opt_outs`.execute(db);
  await sql`DROP INDEX IF EXISTS messages_outbound_recipient_idx`.execute(db);
  await sql`
    ALTER TABLE messages
      DROP COLUMN body_new_text, DROP COLUMN recipient, DROP COLUMN purpose, DROP COLUMN automatic,
      DROP COLUMN delivery_status, DROP COLUMN delivery_error, DROP COLUMN delivery_attempts, DROP COLUMN delivered_at`.execute(db);
  await sql`DROP TABLE IF EXISTS channels`.execute(db);
}
