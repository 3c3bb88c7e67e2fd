import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Customer, Database } from '../types.ts';

type Db = Kysely<Database>;
export type IdentityKind = 'email' | 'phone' | 'slack' | 'contract';
export interface Identity {
  kind: IdentityKind;
  value: string;
}

/** Identity rows of this tenant matching any of the given (already normalised) identities. */
export async function findIdentities(
  db: Db,
  tenantId: string,
  identities: readonly Identity[],
): Promise<{ customerId: string; kind: IdentityKind; value: string }[]> {
  if (identities.length === 0) return [];
  const rows = await db
    .selectFrom('customer_identities')
    .select(['customer_id', 'kind', 'value'])
    .where('tenant_id', '=', tenantId)
    .where((eb) => eb.or(identities.map((i) => eb.and([eb('kind', '=', i.kind), eb('value', '=', i.value)]))))
    .execute();
  return rows.map((r) => ({ customerId: r.customer_id, kind: r.kind, value: r.value }));
}

export async function insertCustomer(
  db: Db,
  tenantId: string,
  row: { displayName: string; complainantType: string },
): Promise<Customer> {
  return db
    .insertInto('customers')
    .values({ tenant_id: tenantId, display_name: row.displayName, complainant_type: row.complainantType })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Adds identities to a customer; an identity already held (by anyone in the tenant) is left as it is. */
export async function addIdentities(db: Db, tenantId: string, customerId: string, identities: readonly Identity[]): Promise<void> {
  if (identities.length === 0) return;
  await db
    .insertInto('customer_identities')
    .values(identities.map((i) => ({ tenant_id: tenantId, customer_id: customerId, kind: i.kind, value: i.value })))
    .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doNothing())
    .execute();
}

export async function getCustomer(db: Db, tenantId: string, customerId: string): Promise<Customer | undefined> {
  return db.selectFrom('customers').selectAll().where('tenant_id', '=', tenantId).where('id', '=', customerId).executeTakeFirst();
}

export async function listIdentities(db: Db, tenantId: string, customerId: string): Promise<Identity[]> {
  const rows = await db
    .selectFrom('customer_identities')
    .select(['kind', 'value'])
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .orderBy('kind')
    .orderBy('value')
    .execute();
  return rows;
}

export interface CustomerMatch {
  id: string;
  displayName: string;
  complainantType: string;
  score: number;
}

/**
 * Customers whose name is close to `q` (trigram similarity, typo-tolerant), or who hold an identity
 * equal to the normalised `identity`; best first.
 */
export async function searchCustomers(
  db: Db,
  tenantId: string,
  q: string,
  identity: Identity | null,
  limit: number,
): Promise<CustomerMatch[]> {
  const rows = await db
    .selectFrom('customers as c')
    .select(['c.id', 'c.display_name', 'c.complainant_type'])
    .select(sql<number>`greatest(similarity(c.display_name, ${q}), word_similarity(${q}, c.display_name))`.as('score'))
    .where('c.tenant_id', '=', tenantId)
    .where('c.merged_into_id', 'is', null)
    .where((eb) => {
      const parts: Expression<SqlBool>[] = [sql<SqlBool>`c.display_name % ${q}`, sql<SqlBool>`${q} <% c.display_name`];
      if (identity) {
        parts.push(
          eb.exists(
            eb
              .selectFrom('customer_identities as i')
              .select('i.id')
              .whereRef('i.customer_id', '=', 'c.id')
              .where('i.kind', '=', identity.kind)
              .where('i.value', '=', identity.value),
          ),
        );
      }
      return eb.or(parts);
    })
    .orderBy('score', 'desc')
    .orderBy('c.display_name')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, complainantType: r.complainant_type, score: Number(r.score) }));
}
