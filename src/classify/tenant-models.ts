import { gunzipSync } from 'node:zlib';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../domain/errors.ts';
import {
  activateTenantModel,
  activeTenantModelInfo,
  insertTenantModel,
  listTenantModels,
  listTrainingLabels,
  loadTenantModelBytes,
  nextModelVersion,
} from '../db/repositories/models.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { loadCorpus } from './corpus.ts';
import { Qualifier, shippedQualifier, type Example, type SerializedModel } from './qualifier.ts';
import { trainGzippedInThread } from './train-thread.ts';

/** A correction weighs as much as this many corpus examples: the tenant's own words must win. */
export const CORRECTION_WEIGHT = 12;

const cache = new Map<string, Qualifier>();

/** The tenant's active model, or the shipped base model when it has none. */
export async function modelFor(deps: Deps, tenantId: string): Promise<Qualifier> {
  const info = await activeTenantModelInfo(deps.db, tenantId);
  if (!info) return shippedQualifier();
  const key = `${tenantId}:${info.version}`;
  let q = cache.get(key);
  if (!q) {
    const bytes = await loadTenantModelBytes(deps.db, tenantId, info.version);
    if (!bytes) return shippedQualifier();
    q = Qualifier.deserialize(JSON.parse(gunzipSync(bytes).toString('utf8')) as SerializedModel);
    if (cache.size > 50) cache.clear();
    cache.set(key, q);
  }
  return q;
}

/**
 * Trains a new version of the tenant's model: the shipped corpus plus every correction its agents made,
 * weighted so that they count; the new version becomes active (an older one can be re-activated).
 */
export async function retrainTenant(deps: Deps, tenantId: string, by: string | null = null) {
  const labels = await listTrainingLabels(deps.db, tenantId);
  if (labels.length === 0) return null;
  const { examples, digest } = loadCorpus();
  const own: Example[] = labels.map((l) => ({ text: l.text, kind: '', cause: '', product: '', priority: '', [l.task]: l.label }));
  const weighted = [...examples, ...Array.from({ length: CORRECTION_WEIGHT }, () => own).flat()];
  const version = await nextModelVersion(deps.db, tenantId);
  const modelVersion = `tenant-${tenantId.slice(0, 8)}-v${version}-base-${digest}`;
  const model = await trainGzippedInThread({ examples: weighted, version: modelVersion });
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const info = await insertTenantModel(trx, {
      tenantId,
      version,
      modelVersion,
      baseVersion: `base-${digest}`,
      labels: labels.length,
      model,
      by,
      at: now,
    });
    await activateTenantModel(trx, tenantId, version);
    await insertEvents(trx, [{ tenantId, actorKind: by ? 'user' : 'system', actorUserId: by, type: 'model.trained', data: { version, modelVersion, labels: labels.length }, at: now }]);
    return { ...info, active: true };
  });
}

/** Rollback (or forward): activate a version, or null to return to the shipped base model. */
export async function activateModel(deps: Deps, tenantId: string, version: number | null, by: string) {
  await deps.db.transaction().execute(async (trx) => {
    if (!(await activateTenantModel(trx, tenantId, version))) throw new NotFoundError('Version de modèle introuvable.');
    await insertEvents(trx, [{ tenantId, actorKind: 'user', actorUserId: by, type: 'model.activated', data: { version }, at: deps.clock.now() }]);
  });
}

export async function modelVersions(deps: Deps, tenantId: string) {
  const rows = await listTenantModels(deps.db, tenantId);
  return {
    base: shippedQualifier().version,
    items: rows.map((r) => ({ version: r.version, modelVersion: r.model_version, baseVersion: r.base_version, labels: r.labels, active: r.active, createdAt: r.created_at.toISOString() })),
  };
}
