import type { Kysely, Selectable } from 'kysely';
import type { Database, QualificationsTable } from '../types.ts';

type Db = Kysely<Database>;
export type QualificationRow = Selectable<QualificationsTable>;

/** One qualification per message (a replayed job writes nothing new). */
export async function insertQualification(
  db: Db,
  q: { tenantId: string; complaintId: string; messageId: string; modelVersion: string; result: Record<string, unknown>; applied: boolean; at: Date },
): Promise<QualificationRow | undefined> {
  return db
    .insertInto('qualifications')
    .values({
      tenant_id: q.tenantId,
      complaint_id: q.complaintId,
      message_id: q.messageId,
      model_version: q.modelVersion,
      result: JSON.stringify(q.result),
      applied: q.applied,
      created_at: q.at,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'message_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function listComplaintQualifications(db: Db, tenantId: string, complaintId: string): Promise<QualificationRow[]> {
  return db
    .selectFrom('qualifications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', '=', complaintId)
    .orderBy('created_at')
    .execute();
}

/** insertQualification for a batch (one statement; a message already qualified keeps its row). */
export async function insertQualifications(
  db: Db,
  rows: readonly { tenantId: string; complaintId: string; messageId: string; modelVersion: string; result: Record<string, unknown>; applied: boolean; at: Date }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('qualifications')
    .values(rows.map((q) => ({ tenant_id: q.tenantId, complaint_id: q.complaintId, message_id: q.messageId, model_version: q.modelVersion, result: JSON.stringify(q.result), applied: q.applied, created_at: q.at })))
    .onConflict((oc) => oc.columns(['tenant_id', 'message_id']).doNothing())
    .execute();
}
