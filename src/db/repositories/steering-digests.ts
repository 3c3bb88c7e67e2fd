import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, SteeringDigestsTable } from '../types.ts';

type Db = Kysely<Database>;
export type Digest = Selectable<SteeringDigestsTable>;

/**
 * Takes the digest of (tenant, week): true when this caller must send it. A digest already sending, sent
 * or recorded is never taken again; a failed one is retried.
 */
export async function claimDigest(db: Db, row: { tenantId: string; week: string; subject: string; body: string; recipients: string[]; now: Date }): Promise<boolean> {
  const taken = await db
    .insertInto('steering_digests')
    .values({ tenant_id: row.tenantId, week: row.week, status: 'sending', subject: row.subject, body: row.body, recipients: JSON.stringify(row.recipients), created_at: row.now })
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'week'])
        .doUpdateSet({ status: 'sending', subject: row.subject, body: row.body, recipients: JSON.stringify(row.recipients), error: null })
        .where('steering_digests.status', '=', 'failed'),
    )
    .returning('week')
    .executeTakeFirst();
  return taken !== undefined;
}

export async function finishDigest(db: Db, tenantId: string, week: string, status: 'sent' | 'no_channel' | 'failed', at: Date, error: string | null = null): Promise<void> {
  await db
    .updateTable('steering_digests')
    .set({ status, error, sent_at: status === 'sent' ? at : null })
    .where('tenant_id', '=', tenantId)
    .where('week', '=', week)
    .execute();
}

export async function getDigest(db: Db, tenantId: string, week: string): Promise<Digest | undefined> {
  return db.selectFrom('steering_digests').selectAll().where('tenant_id', '=', tenantId).where('week', '=', week).executeTakeFirst();
}

/** When the previous digest (before this week) was made: new signals are those found since. */
export async function previousDigestAt(db: Db, tenantId: string, week: string): Promise<Date | null> {
  const row = await db
    .selectFrom('steering_digests')
    .select(sql<Date>`max(created_at)`.as('at'))
    .where('tenant_id', '=', tenantId)
    .where('week', '<', week)
    .executeTakeFirst();
  return row?.at ? new Date(row.at) : null;
}
