import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

type Db = Kysely<Database>;

export interface AuditQuery {
  /** Europe/Paris dates, both included. */
  from?: string | undefined;
  to?: string | undefined;
  actorUserId?: string | undefined;
  /** An exact type (`complaint.viewed`) or a family ending with a dot (`action.`). */
  type?: string | undefined;
  complaintId?: string | undefined;
  /** Keyset: events older than this id. */
  beforeId?: number | undefined;
  limit: number;
}

export interface AuditRow {
  id: number;
  type: string;
  actorKind: string;
  actorUserId: string | null;
  actorName: string | null;
  complaintId: string | null;
  reference: string | null;
  customerId: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** The history of a tenant, newest first. */
export async function listAuditEvents(db: Db, tenantId: string, q: AuditQuery): Promise<AuditRow[]> {
  let query = db
    .selectFrom('events as e')
    .leftJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'e.tenant_id').onRef('u.id', '=', 'e.actor_user_id'))
    .leftJoin('complaints as c', (j) => j.onRef('c.tenant_id', '=', 'e.tenant_id').onRef('c.id', '=', 'e.complaint_id'))
    .select(['e.id', 'e.type', 'e.actor_kind', 'e.actor_user_id', 'u.name as actor_name', 'e.complaint_id', 'c.reference', 'e.customer_id', 'e.data', 'e.created_at'])
    .where('e.tenant_id', '=', tenantId);
  if (q.from) query = query.where('e.created_at', '>=', sql<Date>`(${q.from}::date::timestamp AT TIME ZONE 'Europe/Paris')`);
  if (q.to) query = query.where('e.created_at', '<', sql<Date>`((${q.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`);
  if (q.actorUserId) query = query.where('e.actor_user_id', '=', q.actorUserId);
  if (q.type) query = q.type.endsWith('.') ? query.where('e.type', 'like', `${q.type.replace(/[%_\\]/g, '\\$&')}%`) : query.where('e.type', '=', q.type);
  if (q.complaintId) query = query.where('e.complaint_id', '=', q.complaintId);
  if (q.beforeId !== undefined) query = query.where('e.id', '<', q.beforeId);
  const rows = await query.orderBy('e.id', 'desc').limit(q.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    type: r.type,
    actorKind: r.actor_kind,
    actorUserId: r.actor_user_id,
    actorName: r.actor_name,
    complaintId: r.complaint_id,
    reference: r.reference,
    customerId: r.customer_id,
    data: r.data,
    createdAt: r.created_at,
  }));
}
