import { sql, type Insertable, type Kysely, type Selectable, type Updateable } from 'kysely';
import type { Database, SteeringActionsTable } from '../types.ts';

type Db = Kysely<Database>;
export type Action = Selectable<SteeringActionsTable>;

export interface ActionRow extends Action {
  owner_name: string | null;
  complaint_count: number;
}

export async function insertAction(db: Db, row: Insertable<SteeringActionsTable>): Promise<Action> {
  return db.insertInto('steering_actions').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getAction(db: Db, tenantId: string, id: string): Promise<Action | undefined> {
  return db.selectFrom('steering_actions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/** The actions opened from these signals, oldest first. */
export async function actionsOfSignals(db: Db, tenantId: string, signalIds: readonly string[]): Promise<Pick<Action, 'id' | 'signal_id' | 'title' | 'status'>[]> {
  if (signalIds.length === 0) return [];
  return db
    .selectFrom('steering_actions')
    .select(['id', 'signal_id', 'title', 'status'])
    .where('tenant_id', '=', tenantId)
    .where('signal_id', 'in', [...signalIds])
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function getActionForUpdate(db: Db, tenantId: string, id: string): Promise<Action | undefined> {
  return db.selectFrom('steering_actions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateAction(db: Db, tenantId: string, id: string, patch: Updateable<SteeringActionsTable>): Promise<Action> {
  return db.updateTable('steering_actions').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export interface ActionFilters {
  status?: string[] | undefined;
  /** Open (ouverte, en_cours) and due before this date. */
  overdueOn?: string | undefined;
  /** Open and due on or before this date (digest). */
  dueBy?: string | undefined;
  ownerId?: string | undefined;
}

export async function listActions(db: Db, tenantId: string, f: ActionFilters, limit: number, offset: number): Promise<{ rows: ActionRow[]; total: number }> {
  let q = db
    .selectFrom('steering_actions as a')
    .leftJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'a.tenant_id').onRef('u.id', '=', 'a.owner_id'))
    .selectAll('a')
    .select('u.name as owner_name')
    .select(sql<number>`(SELECT count(*) FROM steering_action_complaints l WHERE l.tenant_id = a.tenant_id AND l.action_id = a.id)`.as('complaint_count'))
    .select(sql<number>`count(*) OVER ()`.as('total'))
    .where('a.tenant_id', '=', tenantId);
  if (f.status?.length) q = q.where('a.status', 'in', f.status as Action['status'][]);
  if (f.ownerId) q = q.where('a.owner_id', '=', f.ownerId);
  if (f.overdueOn) q = q.where('a.status', 'in', ['ouverte', 'en_cours']).where('a.due_on', '<', f.overdueOn);
  if (f.dueBy) q = q.where('a.status', 'in', ['ouverte', 'en_cours']).where('a.due_on', '<=', f.dueBy);
  const rows = await q.orderBy(sql`a.due_on ASC NULLS LAST`).orderBy('a.created_at', 'desc').orderBy('a.id').limit(limit).offset(offset).execute();
  return {
    total: rows.length > 0 ? Number(rows[0]!.total) : 0,
    rows: rows.map(({ total: _total, ...r }) => ({ ...r, complaint_count: Number(r.complaint_count) }) as ActionRow),
  };
}

/** Links complaints to an action; returns the ids newly linked. */
export async function linkComplaints(db: Db, tenantId: string, actionId: string, complaintIds: readonly string[]): Promise<string[]> {
  if (complaintIds.length === 0) return [];
  const rows = await db
    .insertInto('steering_action_complaints')
    .values(complaintIds.map((id) => ({ tenant_id: tenantId, action_id: actionId, complaint_id: id })))
    .onConflict((oc) => oc.doNothing())
    .returning('complaint_id')
    .execute();
  return rows.map((r) => r.complaint_id);
}

export async function unlinkComplaints(db: Db, tenantId: string, actionId: string, complaintIds: readonly string[]): Promise<string[]> {
  if (complaintIds.length === 0) return [];
  const rows = await db
    .deleteFrom('steering_action_complaints')
    .where('tenant_id', '=', tenantId)
    .where('action_id', '=', actionId)
    .where('complaint_id', 'in', [...complaintIds])
    .returning('complaint_id')
    .execute();
  return rows.map((r) => r.complaint_id);
}

export async function actionComplaints(db: Db, tenantId: string, actionId: string): Promise<{ id: string; reference: string; subject: string; status: string; cause: string | null }[]> {
  return db
    .selectFrom('steering_action_complaints as l')
    .innerJoin('complaints as c', (j) => j.onRef('c.tenant_id', '=', 'l.tenant_id').onRef('c.id', '=', 'l.complaint_id'))
    .select(['c.id', 'c.reference', 'c.subject', 'c.status', 'c.cause'])
    .where('l.tenant_id', '=', tenantId)
    .where('l.action_id', '=', actionId)
    .orderBy('c.received_at')
    .execute();
}

/** Which of these ids are complaints of the tenant. */
export async function existingComplaintIds(db: Db, tenantId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('complaints').select('id').where('tenant_id', '=', tenantId).where('id', 'in', [...ids]).execute();
  return new Set(rows.map((r) => r.id));
}
