import type { Kysely } from 'kysely';
import type { Database } from '../types.ts';

type Db = Kysely<Database>;

/** Records that a user has the complaint open now (a console heartbeat). */
export async function touchPresence(db: Db, tenantId: string, complaintId: string, userId: string, at: Date): Promise<void> {
  await db
    .insertInto('complaint_presence')
    .values({ tenant_id: tenantId, complaint_id: complaintId, user_id: userId, since: at, seen_at: at })
    .onConflict((oc) => oc.columns(['tenant_id', 'complaint_id', 'user_id']).doUpdateSet({ seen_at: at }))
    .execute();
}

export async function leavePresence(db: Db, tenantId: string, complaintId: string, userId: string): Promise<void> {
  await db.deleteFrom('complaint_presence').where('tenant_id', '=', tenantId).where('complaint_id', '=', complaintId).where('user_id', '=', userId).execute();
}

/** Users seen on the complaint since `since`, with their names. */
export async function listPresence(db: Db, tenantId: string, complaintId: string, since: Date) {
  return db
    .selectFrom('complaint_presence as p')
    .innerJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'p.tenant_id').onRef('u.id', '=', 'p.user_id'))
    .select(['p.user_id', 'u.name', 'p.since', 'p.seen_at'])
    .where('p.tenant_id', '=', tenantId)
    .where('p.complaint_id', '=', complaintId)
    .where('p.seen_at', '>=', since)
    .orderBy('p.since')
    .execute();
}

/** Heartbeats older than `before` are forgotten (a closed tab). */
export async function prunePresence(db: Db, before: Date): Promise<void> {
  await db.deleteFrom('complaint_presence').where('seen_at', '<', before).execute();
}
