import { sql, type Insertable, type Kysely } from 'kysely';
import type { Database, Tenant, TenantsTable } from '../types.ts';

type Db = Kysely<Database>;

export async function insertTenant(db: Db, row: Insertable<TenantsTable>): Promise<Tenant> {
  return db.insertInto('tenants').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getTenant(db: Db, tenantId: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').selectAll().where('id', '=', tenantId).executeTakeFirst();
}

export async function findTenantBySlug(db: Db, slug: string): Promise<Tenant | undefined> {
  return db.selectFrom('tenants').selectAll().where('slug', '=', slug).executeTakeFirst();
}

export async function slugsStartingWith(db: Db, prefix: string): Promise<string[]> {
  const rows = await db.selectFrom('tenants').select('slug').where('slug', 'like', `${prefix}%`).execute();
  return rows.map((r) => r.slug);
}

export async function countTenants(db: Db): Promise<number> {
  const row = await db.selectFrom('tenants').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Any fixed number: signups take this transaction lock so that two of them never pick the same slug. */
const SLUG_LOCK = 7_294_001;

export async function lockSlugAllocation(db: Db): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(${SLUG_LOCK})`.execute(db);
}

/** The tenant's plan, with its row locked until the transaction ends (seat checks queue up). */
export async function lockTenantPlan(db: Db, tenantId: string): Promise<Tenant['plan']> {
  const row = await db.selectFrom('tenants').select('plan').where('id', '=', tenantId).forUpdate().executeTakeFirstOrThrow();
  return row.plan;
}

export async function updateTenant(db: Db, tenantId: string, patch: { zone?: string; settings?: Record<string, unknown> }): Promise<Tenant> {
  return db
    .updateTable('tenants')
    .set({ ...(patch.zone ? { zone: patch.zone } : {}), ...(patch.settings ? { settings: JSON.stringify(patch.settings) } : {}) })
    .where('id', '=', tenantId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateTenantProfile(
  db: Db,
  tenantId: string,
  profile: Pick<Insertable<TenantsTable>, 'name' | 'orias' | 'manager_name' | 'email' | 'phone' | 'plan' | 'zone'>,
): Promise<void> {
  await db.updateTable('tenants').set(profile).where('id', '=', tenantId).execute();
}
