import { sql, type Kysely } from 'kysely';

// Learning from agents: their corrections become labels; a tenant model is trained from the base corpus
// plus those labels, versioned, and one version is active (rollback = activating an older one).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE training_labels (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      complaint_id uuid,
      message_id uuid,
      text text NOT NULL,
      task text NOT NULL CHECK (task IN ('kind', 'cause', 'product', 'priority')),
      label text NOT NULL,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  await sql`CREATE INDEX training_labels_tenant_idx ON training_labels (tenant_id, created_at)`.execute(db);
  await sql`
    CREATE TABLE tenant_models (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      version integer NOT NULL,
      model_version text NOT NULL,
      base_version text NOT NULL,
      labels integer NOT NULL,
      model bytea NOT NULL,
      active boolean NOT NULL DEFAULT false,
      created_by uuid,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, version)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX tenant_models_active ON tenant_models (tenant_id) WHERE active`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS tenant_models`.execute(db);
  await sql`DROP TABLE IF EXISTS training_labels`.execute(db);
}
