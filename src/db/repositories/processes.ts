import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, Process, ProcessesTable } from '../types.ts';

type Db = Kysely<Database>;

export async function insertProcesses(db: Db, rows: Insertable<ProcessesTable>[]): Promise<void> {
  if (rows.length > 0) await db.insertInto('processes').values(rows).execute();
}

export async function listProcesses(db: Db, tenantId: string): Promise<Process[]> {
  return db.selectFrom('processes').selectAll().where('tenant_id', '=', tenantId).orderBy('name').execute();
}

export async function getProcess(db: Db, tenantId: string, processId: string): Promise<Process | undefined> {
  return db.selectFrom('processes').selectAll().where('tenant_id', '=', tenantId).where('id', '=', processId).executeTakeFirst();
}

/** The active process for a kind and cause, falling back to the kind's process without a cause. */
export async function findProcessFor(db: Db, tenantId: string, kind: string, cause: string | null): Promise<Process | undefined> {
  const rows = await db
    .selectFrom('processes')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('active', '=', true)
    .where('kind', '=', kind as 'reclamation' | 'demande')
    .execute();
  return rows.find((p) => cause !== null && p.cause === cause) ?? rows.find((p) => p.cause === null);
}

/** Locks the process row: concurrent round-robin picks queue up instead of picking the same agent. */
export async function lockProcess(db: Db, tenantId: string, processId: string): Promise<Process | undefined> {
  return db.selectFrom('processes').selectAll().where('tenant_id', '=', tenantId).where('id', '=', processId).forUpdate().executeTakeFirst();
}

export async function updateProcess(db: Db, tenantId: string, processId: string, patch: Updateable<ProcessesTable>): Promise<Process | undefined> {
  return db.updateTable('processes').set(patch).where('tenant_id', '=', tenantId).where('id', '=', processId).returningAll().executeTakeFirst();
}

/** The tenant's active processes (one read per batch; pick with `processFor`). */
export async function listActiveProcesses(db: Db, tenantId: string): Promise<Process[]> {
  return db.selectFrom('processes').selectAll().where('tenant_id', '=', tenantId).where('active', '=', true).execute();
}

/** findProcessFor over an already read list of active processes. */
export function processFor(active: readonly Process[], kind: string, cause: string | null): Process | undefined {
  const rows = active.filter((p) => p.kind === kind);
  return rows.find((p) => cause !== null && p.cause === cause) ?? rows.find((p) => p.cause === null);
}

/** lockProcess for several processes at once. */
export async function lockProcesses(db: Db, tenantId: string, processIds: readonly string[]): Promise<Process[]> {
  if (processIds.length === 0) return [];
  return db.selectFrom('processes').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', [...processIds]).orderBy('id').forUpdate().execute();
}
