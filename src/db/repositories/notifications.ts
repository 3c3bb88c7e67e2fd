import type { Kysely, Selectable } from 'kysely';
import type { Complaint, Database, NotificationKind, NotificationsTable } from '../types.ts';

type Db = Kysely<Database>;
export type NotificationRow = Selectable<NotificationsTable>;

/** Inserts the notifications not sent yet (one per user, complaint and kind); returns those inserted. */
export async function insertNotifications(
  db: Db,
  rows: { tenantId: string; userId: string; complaintId: string; kind: NotificationKind; message: string; at: Date }[],
): Promise<NotificationRow[]> {
  if (rows.length === 0) return [];
  return db
    .insertInto('notifications')
    .values(rows.map((r) => ({ tenant_id: r.tenantId, user_id: r.userId, complaint_id: r.complaintId, kind: r.kind, message: r.message, created_at: r.at })))
    .onConflict((oc) => oc.columns(['tenant_id', 'user_id', 'complaint_id', 'kind']).doNothing())
    .returningAll()
    .execute();
}

export async function listUserNotifications(db: Db, tenantId: string, userId: string, limit: number): Promise<NotificationRow[]> {
  return db
    .selectFrom('notifications')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .orderBy('read_at', (ob) => ob.desc().nullsFirst())
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function markNotificationRead(db: Db, tenantId: string, userId: string, id: string, at: Date): Promise<boolean> {
  const res = await db
    .updateTable('notifications')
    .set({ read_at: at })
    .where('tenant_id', '=', tenantId)
    .where('user_id', '=', userId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

/** Open complaints with a deadline before `until` (acknowledgement still pending, or the answer). */
export async function openComplaintsDueBefore(db: Db, until: string, limit: number, afterId?: string): Promise<Complaint[]> {
  let q = db
    .selectFrom('complaints')
    .selectAll()
    .where('status', 'in', ['nouvelle', 'en_cours', 'en_attente'])
    .where((eb) => eb.or([eb('answer_due_on', '<=', until), eb.and([eb('acknowledged_at', 'is', null), eb('ack_due_on', '<=', until)])]));
  if (afterId) q = q.where('id', '>', afterId);
  return q.orderBy('id').limit(limit).execute();
}
