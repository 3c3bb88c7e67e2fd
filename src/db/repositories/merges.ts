import type { Kysely } from 'kysely';
import type { CustomerMerge, CustomerMergeMoves, Database, MergeSuggestion } from '../types.ts';

type Db = Kysely<Database>;

/** Raises a suggestion unless the same pair already has one pending (either order). */
export async function insertMergeSuggestion(
  db: Db,
  s: {
    tenantId: string;
    customerId: string;
    otherCustomerId: string;
    reason: string;
    evidence: Record<string, unknown>;
    complaintId?: string | null;
    messageId?: string | null;
    at: Date;
  },
): Promise<MergeSuggestion | undefined> {
  return db
    .insertInto('merge_suggestions')
    .values({
      tenant_id: s.tenantId,
      customer_id: s.customerId,
      other_customer_id: s.otherCustomerId,
      reason: s.reason,
      evidence: JSON.stringify(s.evidence),
      complaint_id: s.complaintId ?? null,
      message_id: s.messageId ?? null,
      created_at: s.at,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function listMergeSuggestions(db: Db, tenantId: string, status: MergeSuggestion['status'], limit: number): Promise<MergeSuggestion[]> {
  return db
    .selectFrom('merge_suggestions')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('status', '=', status)
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function lockMergeSuggestion(db: Db, tenantId: string, id: string): Promise<MergeSuggestion | undefined> {
  return db.selectFrom('merge_suggestions').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function decideMergeSuggestion(db: Db, tenantId: string, id: string, status: 'accepted' | 'rejected', by: string, at: Date): Promise<void> {
  await db
    .updateTable('merge_suggestions')
    .set({ status, decided_by: by, decided_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

/**
 * Moves everything of `mergedId` to `keptId` and returns what moved, so that the merge can be undone
 * exactly (identities, complaints, messages; the merged customer keeps a pointer to the kept one).
 */
export async function moveCustomer(db: Db, tenantId: string, mergedId: string, keptId: string): Promise<Omit<CustomerMergeMoves, 'suggestionIds'>> {
  const identities = await db
    .updateTable('customer_identities')
    .set({ customer_id: keptId })
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', mergedId)
    .returning('id')
    .execute();
  const complaints = await db
    .updateTable('complaints')
    .set({ customer_id: keptId })
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', mergedId)
    .returning('id')
    .execute();
  const messages = await db
    .updateTable('messages')
    .set({ customer_id: keptId })
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', mergedId)
    .returning('id')
    .execute();
  await db.updateTable('customers').set({ merged_into_id: keptId }).where('tenant_id', '=', tenantId).where('id', '=', mergedId).execute();
  return { identityIds: identities.map((r) => r.id), complaintIds: complaints.map((r) => r.id), messageIds: messages.map((r) => r.id) };
}

/** Puts back exactly what a merge moved. */
export async function moveBack(db: Db, tenantId: string, merge: CustomerMerge): Promise<void> {
  const { identityIds, complaintIds, messageIds } = merge.moved;
  const back = merge.merged_customer_id;
  if (identityIds.length) await db.updateTable('customer_identities').set({ customer_id: back }).where('tenant_id', '=', tenantId).where('id', 'in', identityIds).execute();
  if (complaintIds.length) await db.updateTable('complaints').set({ customer_id: back }).where('tenant_id', '=', tenantId).where('id', 'in', complaintIds).execute();
  if (messageIds.length) await db.updateTable('messages').set({ customer_id: back }).where('tenant_id', '=', tenantId).where('id', 'in', messageIds).execute();
  await db.updateTable('customers').set({ merged_into_id: null }).where('tenant_id', '=', tenantId).where('id', '=', back).execute();
}

export async function insertCustomerMerge(
  db: Db,
  m: { tenantId: string; keptId: string; mergedId: string; moved: CustomerMergeMoves; suggestionId: string | null; by: string; at: Date },
): Promise<CustomerMerge> {
  return db
    .insertInto('customer_merges')
    .values({
      tenant_id: m.tenantId,
      kept_customer_id: m.keptId,
      merged_customer_id: m.mergedId,
      moved: JSON.stringify(m.moved),
      suggestion_id: m.suggestionId,
      created_by: m.by,
      created_at: m.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function lockCustomerMerge(db: Db, tenantId: string, id: string): Promise<CustomerMerge | undefined> {
  return db.selectFrom('customer_merges').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function markMergeUndone(db: Db, tenantId: string, id: string, by: string, at: Date): Promise<void> {
  await db.updateTable('customer_merges').set({ undone_at: at, undone_by: by }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}

/** Merges this customer took part in (kept or merged away), newest first, with who did them. */
export async function listCustomerMerges(db: Db, tenantId: string, customerId: string) {
  return db
    .selectFrom('customer_merges as m')
    .leftJoin('customers as k', (j) => j.onRef('k.tenant_id', '=', 'm.tenant_id').onRef('k.id', '=', 'm.kept_customer_id'))
    .leftJoin('customers as g', (j) => j.onRef('g.tenant_id', '=', 'm.tenant_id').onRef('g.id', '=', 'm.merged_customer_id'))
    .leftJoin('users as u', (j) => j.onRef('u.tenant_id', '=', 'm.tenant_id').onRef('u.id', '=', 'm.created_by'))
    .select(['m.id', 'm.kept_customer_id', 'm.merged_customer_id', 'm.created_at', 'm.undone_at', 'k.display_name as kept_name', 'g.display_name as merged_name', 'u.name as by_name'])
    .where('m.tenant_id', '=', tenantId)
    .where((eb) => eb.or([eb('m.kept_customer_id', '=', customerId), eb('m.merged_customer_id', '=', customerId)]))
    .orderBy('m.created_at', 'desc')
    .execute();
}
