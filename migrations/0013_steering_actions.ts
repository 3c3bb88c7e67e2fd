import { sql, type Kysely } from 'kysely';

// Frozen once shipped. Continual improvement (ISO 10002 §9, EIOPA guidelines 4–5): the recurring causes
// found in the complaints (signals), the corrective and preventive actions taken on them, and the weekly
// digest sent to the managers.
export async function up(db: Kysely<any>): Promise<void> {
  // One row per (tenant, analysed week, key): recomputed daily, so the same finding is updated in place.
  // kind volume: key `cause:<key>` or `product:<key>`; kind cluster: key = the cluster's top terms.
  await sql`
    CREATE TABLE steering_signals (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      kind text NOT NULL CHECK (kind IN ('volume', 'cluster')),
      week date NOT NULL,
      key text NOT NULL,
      dimension text,
      value text,
      label text NOT NULL,
      count integer NOT NULL,
      baseline_mean double precision,
      baseline_sd double precision,
      threshold double precision,
      trend jsonb NOT NULL DEFAULT '[]'::jsonb,
      examples jsonb NOT NULL DEFAULT '[]'::jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      UNIQUE (tenant_id, kind, week, key)
    )`.execute(db);
  await sql`CREATE INDEX steering_signals_recent_idx ON steering_signals (tenant_id, week DESC, created_at DESC)`.execute(db);

  await sql`
    CREATE TABLE steering_actions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      title text NOT NULL,
      type text NOT NULL CHECK (type IN ('corrective', 'preventive')),
      root_cause text NOT NULL,
      cause text,
      product text,
      signal_id uuid,
      owner_id uuid,
      due_on date,
      status text NOT NULL DEFAULT 'ouverte' CHECK (status IN ('ouverte', 'en_cours', 'terminee', 'abandonnee')),
      completed_on date,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, id),
      FOREIGN KEY (tenant_id, owner_id) REFERENCES users(tenant_id, id),
      FOREIGN KEY (tenant_id, signal_id) REFERENCES steering_signals(tenant_id, id) ON DELETE SET NULL (signal_id)
    )`.execute(db);
  await sql`CREATE INDEX steering_actions_tenant_idx ON steering_actions (tenant_id, status, due_on)`.execute(db);
  await sql`
    CREATE TABLE steering_action_complaints (
      tenant_id uuid NOT NULL,
      action_id uuid NOT NULL,
      complaint_id uuid NOT NULL,
      PRIMARY KEY (tenant_id, action_id, complaint_id),
      FOREIGN KEY (tenant_id, action_id) REFERENCES steering_actions(tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints(tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX steering_action_complaints_complaint_idx ON steering_action_complaints (tenant_id, complaint_id)`.execute(db);

  // The Monday digest: one row per tenant and ISO week, taken before sending (the row is the idempotency).
  await sql`
    CREATE TABLE steering_digests (
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      week date NOT NULL,
      status text NOT NULL CHECK (status IN ('sending', 'sent', 'no_channel', 'failed')),
      recipients jsonb NOT NULL DEFAULT '[]'::jsonb,
      subject text NOT NULL,
      body text NOT NULL,
      error text,
      created_at timestamptz NOT NULL DEFAULT now(),
      sent_at timestamptz,
      PRIMARY KEY (tenant_id, week)
    )`.execute(db);
  // The audit view filters the history by type and actor.
  await sql`CREATE INDEX events_tenant_type_idx ON events (tenant_id, type, id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS events_tenant_type_idx`.execute(db);
  await sql`DROP TABLE IF EXISTS steering_digests, steering_action_complaints, steering_actions, steering_signals`.execute(db);
}
