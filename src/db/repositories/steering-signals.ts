import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SteeringSignalsTable } from '../types.ts';

type Db = Kysely<Database>;
export type Signal = Selectable<SteeringSignalsTable>;

/** Ids of every tenant (the daily jobs walk them). */
export async function listTenantIds(db: Db): Promise<{ id: string; slug: string }[]> {
  return db.selectFrom('tenants').select(['id', 'slug']).orderBy('created_at').execute();
}

export interface ComplaintText {
  id: string;
  reference: string;
  subject: string;
  description: string;
  cause: string | null;
  product: string | null;
  receivedOn: string;
}

/** Complaints (kind reclamation) received in [from, toExclusive) (Paris dates), newest first, at most `limit`. */
export async function complaintTexts(
  db: Db,
  tenantId: string,
  q: { from: string; toExclusive: string; limit: number; cause?: string | undefined; product?: string | undefined },
): Promise<ComplaintText[]> {
  const { rows } = await sql<Record<string, unknown>>`
    SELECT c.id, c.reference, c.subject, c.description, c.cause, c.product, f.received_on
    FROM complaint_facts f JOIN complaints c ON c.tenant_id = f.tenant_id AND c.id = f.complaint_id
    WHERE f.tenant_id = ${tenantId} AND f.kind = 'reclamation'
      AND f.received_on >= ${q.from}::date AND f.received_on < ${q.toExclusive}::date
      ${q.cause ? sql`AND f.cause = ${q.cause}` : sql``} ${q.product ? sql`AND f.product = ${q.product}` : sql``}
    ORDER BY f.received_on DESC, c.reference DESC
    LIMIT ${q.limit}`.execute(db);
  return rows.map((r) => ({
    id: String(r.id),
    reference: String(r.reference),
    subject: String(r.subject),
    description: String(r.description),
    cause: (r.cause as string | null) ?? null,
    product: (r.product as string | null) ?? null,
    receivedOn: String(r.received_on),
  }));
}

export type NewSignal = Omit<Signal, 'id' | 'created_at' | 'updated_at'>;

/** Creates or refreshes the signals of one analysed week, and removes those of that week that no longer hold. */
export async function saveWeekSignals(db: Db, tenantId: string, week: string, signals: readonly NewSignal[], now: Date): Promise<{ created: number; updated: number; removed: number }> {
  return db.transaction().execute(async (trx) => {
    let created = 0;
    let updated = 0;
    for (const s of signals) {
      const row = await trx
        .insertInto('steering_signals')
        .values({ ...s, trend: JSON.stringify(s.trend), examples: JSON.stringify(s.examples), created_at: now, updated_at: now })
        .onConflict((oc) =>
          oc.columns(['tenant_id', 'kind', 'week', 'key']).doUpdateSet((eb) => ({
            label: eb.ref('excluded.label'),
            count: eb.ref('excluded.count'),
            baseline_mean: eb.ref('excluded.baseline_mean'),
            baseline_sd: eb.ref('excluded.baseline_sd'),
            threshold: eb.ref('excluded.threshold'),
            trend: eb.ref('excluded.trend'),
            examples: eb.ref('excluded.examples'),
            updated_at: now,
          })),
        )
        .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
        .executeTakeFirstOrThrow();
      // xmax is 0 on a freshly inserted row, set on one updated by ON CONFLICT.
      if (row.inserted) created++;
      else updated++;
    }
    let del = trx.deleteFrom('steering_signals').where('tenant_id', '=', tenantId).where('week', '=', week);
    const keys = signals.map((s) => `${s.kind}/${s.key}`);
    if (keys.length > 0) del = del.where(sql<string>`kind || '/' || key`, 'not in', keys);
    const removed = await del.executeTakeFirst();
    return { created, updated, removed: Number(removed.numDeletedRows) };
  });
}

export async function listSignals(db: Db, tenantId: string, q: { fromWeek: string; createdSince?: Date | undefined; limit: number }): Promise<Signal[]> {
  let query = db.selectFrom('steering_signals').selectAll().where('tenant_id', '=', tenantId).where('week', '>=', q.fromWeek);
  if (q.createdSince) query = query.where('created_at', '>=', q.createdSince);
  return query.orderBy('week', 'desc').orderBy('count', 'desc').orderBy('id').limit(q.limit).execute();
}

export async function getSignal(db: Db, tenantId: string, id: string): Promise<Signal | undefined> {
  return db.selectFrom('steering_signals').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}
