import { sql, type Kysely } from 'kysely';

// Escalations: what a manager (or the assignee) must know now — high priority, deadlines near or passed.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE TABLE notifications (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
      user_id uuid NOT NULL,
      complaint_id uuid NOT NULL,
      kind text NOT NULL CHECK (kind IN ('priority', 'ack_due', 'ack_overdue', 'answer_due', 'answer_overdue')),
      message text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      read_at timestamptz,
      UNIQUE (tenant_id, user_id, complaint_id, kind),
      FOREIGN KEY (tenant_id, complaint_id) REFERENCES complaints(tenant_id, id) ON DELETE CASCADE,
      FOREIGN KEY (tenant_id, user_id) REFERENCES users(tenant_id, id) ON DELETE CASCADE
    )`.execute(db);
  await sql`CREATE INDEX notifications_user_idx ON notifications (tenant_id, user_id, read_at, created_at DESC)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP TABLE IF EXISTS notifications`.execute(db);
}
