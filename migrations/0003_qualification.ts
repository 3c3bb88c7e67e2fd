import { sql, type Kysely } from 'kysely';

// Qualification: what the model said of each inbound message (with its version and evidence), the
// agents' corrections (training labels), and the triage flag on complaints the model was unsure of.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE qualifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      complaint_id uuid NOT NULL,
      message_id uuid NOT NULL,
      model_version text NOT NULL,
      result jsonb NOT NULL,
      applied boolean NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      UNIQUE (tenant_id, message_id),
      FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints(tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX qualifications_complaint_idx ON qualifications (tenant_id, complaint_id, created_at)`.execute(db);
  await sql`ALTER TABLE complaints ADD COLUMN triage_reason text`.execute(db);
  await sql`CREATE INDEX complaints_triage_idx ON complaints (tenant_id) WHERE triage_reason IS NOT NULL`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE complaints DROP COLUMN triage_reason`.execute(db);
  await sql`DROP TABLE IF EXISTS qualifications`.execute(db);
}
