import type { Kysely, Selectable } from 'kysely';
import type { Database, TenantModelsTable, TrainingLabelsTable } from '../types.ts';

type Db = Kysely<Database>;
export type TrainingLabel = Selectable<TrainingLabelsTable>;
export type TenantModelInfo = Omit<Selectable<TenantModelsTable>, 'model'>;

export async function insertTrainingLabels(db: Db, rows: { tenantId: string; complaintId: string; messageId: string | null; text: string; task: TrainingLabel['task']; label: string; by: string; at: Date }[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('training_labels')
    .values(rows.map((r) => ({ tenant_id: r.tenantId, complaint_id: r.complaintId, message_id: r.messageId, text: r.text, task: r.task, label: r.label, created_by: r.by, created_at: r.at })))
    .execute();
}

export async function listTrainingLabels(db: Db, tenantId: string): Promise<TrainingLabel[]> {
  return db.selectFrom('training_labels').selectAll().where('tenant_id', '=', tenantId).orderBy('created_at').orderBy('id').execute();
}

export async function nextModelVersion(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('tenant_models')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirst();
  return Number(row?.v ?? 0) + 1;
}

export async function insertTenantModel(db: Db, m: { tenantId: string; version: number; modelVersion: string; baseVersion: string; labels: number; model: Uint8Array; by: string | null; at: Date }): Promise<TenantModelInfo> {
  return db
    .insertInto('tenant_models')
    .values({ tenant_id: m.tenantId, version: m.version, model_version: m.modelVersion, base_version: m.baseVersion, labels: m.labels, model: m.model, created_by: m.by, created_at: m.at })
    .returning(['id', 'tenant_id', 'version', 'model_version', 'base_version', 'labels', 'active', 'created_by', 'created_at'])
    .executeTakeFirstOrThrow();
}

/** Makes one version the tenant's active model (null: back to the shipped base model). */
export async function activateTenantModel(db: Db, tenantId: string, version: number | null): Promise<boolean> {
  await db.updateTable('tenant_models').set({ active: false }).where('tenant_id', '=', tenantId).where('active', '=', true).execute();
  if (version === null) return true;
  const res = await db.updateTable('tenant_models').set({ active: true }).where('tenant_id', '=', tenantId).where('version', '=', version).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function activeTenantModelInfo(db: Db, tenantId: string): Promise<TenantModelInfo | undefined> {
  return db
    .selectFrom('tenant_models')
    .select(['id', 'tenant_id', 'version', 'model_version', 'base_version', 'labels', 'active', 'created_by', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('active', '=', true)
    .executeTakeFirst();
}

export async function loadTenantModelBytes(db: Db, tenantId: string, version: number): Promise<Uint8Array | undefined> {
  const row = await db.selectFrom('tenant_models').select('model').where('tenant_id', '=', tenantId).where('version', '=', version).executeTakeFirst();
  return row?.model;
}

export async function listTenantModels(db: Db, tenantId: string): Promise<TenantModelInfo[]> {
  return db
    .selectFrom('tenant_models')
    .select(['id', 'tenant_id', 'version', 'model_version', 'base_version', 'labels', 'active', 'created_by', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .orderBy('version', 'desc')
    .execute();
}
