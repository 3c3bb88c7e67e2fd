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

// ---------------------------------------------------------------------------------------------------
// Batch ingestion

/** findIdentities for a whole batch of messages (one statement; exact pairs filtered here). */
export async function findIdentitiesMany(db: Db, tenantId: string, identities: readonly Identity[]): Promise<{ customerId: string; kind: IdentityKind; value: string }[]> {
  if (identities.length === 0) return [];
  const kinds = [...new Set(identities.map((i) => i.kind))];
  const values = [...new Set(identities.map((i) => i.value))];
  const wanted = new Set(identities.map((i) => `${i.kind}\u0000${i.value}`));
  const rows = await db
    .selectFrom('customer_identities')
    .select(['customer_id', 'kind', 'value'])
    .where('tenant_id', '=', tenantId)
    .where('kind', 'in', kinds)
    .where('value', 'in', values)
    .execute();
  return rows.filter((r) => wanted.has(`${r.kind}\u0000${r.value}`)).map((r) => ({ customerId: r.customer_id, kind: r.kind, value: r.value }));
}

/** Multi-row insert of customers whose ids the caller chose. */
export async function insertCustomers(db: Db, tenantId: string, rows: readonly { id: string; displayName: string; complainantType: string; at: Date }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('customers')
      .values(rows.slice(i, i + 500).map((r) => ({ id: r.id, tenant_id: tenantId, display_name: r.displayName, complainant_type: r.complainantType, created_at: r.at, updated_at: r.at })))
      .execute();
  }
}

/**
 * addIdentities for many customers in one statement; an identity already held (by anyone in the tenant)
 * is left as it is. Returns the identities actually inserted, so that a caller can tell a concurrent
 * writer took one first.
 */
export async function addIdentitiesMany(db: Db, tenantId: string, rows: readonly { customerId: string; kind: IdentityKind; value: string }[]): Promise<Set<string>> {
  const inserted = new Set<string>();
  for (let i = 0; i < rows.length; i += 500) {
    const out = await db
      .insertInto('customer_identities')
      .values(rows.slice(i, i + 500).map((r) => ({ tenant_id: tenantId, customer_id: r.customerId, kind: r.kind, value: r.value })))
      .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'value']).doNothing())
      .returning(['kind', 'value'])
      .execute();
    for (const r of out) inserted.add(`${r.kind}\u0000${r.value}`);
  }
  return inserted;
}

/**
 * insertMergeSuggestion for a batch, in one statement: a pair that already has a pending suggestion
 * (either order, in the table or earlier in the batch) is left as it is.
 */
export async function insertMergeSuggestionsMany(
  db: Db,
  rows: readonly { tenantId: string; customerId: string; otherCustomerId: string; reason: string; evidence: Record<string, unknown>; complaintId?: string | null; messageId?: string | null; at: Date }[],
): Promise<void> {
  const valid = rows.filter((s) => s.customerId !== s.otherCustomerId);
  for (let i = 0; i < valid.length; i += 500) {
    await db
      .insertInto('merge_suggestions')
      .values(
        valid.slice(i, i + 500).map((s) => ({
          tenant_id: s.tenantId,
          customer_id: s.customerId,
          other_customer_id: s.otherCustomerId,
          reason: s.reason,
          evidence: JSON.stringify(s.evidence),
          complaint_id: s.complaintId ?? null,
          message_id: s.messageId ?? null,
          created_at: s.at,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}
