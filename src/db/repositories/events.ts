import type { Kysely } from 'kysely';
import type { Database, Event } from '../types.ts';

type Db = Kysely<Database>;

export interface NewEvent {
  tenantId: string;
  complaintId?: string | null;
  customerId?: string | null;
  actorUserId?: string | null;
  actorKind: 'user' | 'system' | 'customer';
  type: string;
  data?: Record<string, unknown>;
  at?: Date;
}

export async function insertEvents(db: Db, events: readonly NewEvent[]): Promise<void> {
  if (events.length === 0) return;
  await db
    .insertInto('events')
    .values(
      events.map((e) => ({
        tenant_id: e.tenantId,
        complaint_id: e.complaintId ?? null,
        customer_id: e.customerId ?? null,
        actor_user_id: e.actorUserId ?? null,
        actor_kind: e.actorKind,
        type: e.type,
        data: JSON.stringify(e.data ?? {}),
        ...(e.at ? { created_at: e.at } : {}),
      })),
    )
    .execute();
}

export async function listComplaintEvents(db: Db, tenantId: string, complaintId: string, excludeTypes: string[] = []): Promise<Event[]> {
  let q = db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('complaint_id', '=', complaintId);
  if (excludeTypes.length > 0) q = q.where('type', 'not in', excludeTypes);
  return q.orderBy('id').execute();
}

/** Did a user (not the system) ever record one of these events on the complaint? */
export async function hasUserEvent(db: Db, tenantId: string, complaintId: string, types: string[]): Promise<boolean> {
  const row = await db
    .selectFrom('events')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', '=', complaintId)
    .where('type', 'in', types)
    .where('actor_kind', '=', 'user')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** hasUserEvent for many complaints: the ids of those on which a user recorded one of these events. */
export async function complaintsWithUserEvents(db: Db, tenantId: string, complaintIds: readonly string[], types: string[]): Promise<Set<string>> {
  if (complaintIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('events')
    .select('complaint_id')
    .distinct()
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', 'in', [...complaintIds])
    .where('type', 'in', types)
    .where('actor_kind', '=', 'user')
    .execute();
  return new Set(rows.map((r) => r.complaint_id!));
}
