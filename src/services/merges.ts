import type { Deps } from '../deps.ts';
import { NotFoundError, RuleError } from '../domain/errors.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { insertEvents } from '../db/repositories/events.ts';
import {
  decideMergeSuggestion,
  insertCustomerMerge,
  listMergeSuggestions,
  lockCustomerMerge,
  lockMergeSuggestion,
  markMergeUndone,
  moveBack,
  moveCustomer,
} from '../db/repositories/merges.ts';
import { clearReviewFlags } from '../db/repositories/messages.ts';
import type { Actor } from './actor.ts';

export async function pendingSuggestions(deps: Deps, actor: Actor, limit = 50) {
  const rows = await listMergeSuggestions(deps.db, actor.tenantId, 'pending', Math.min(limit, 200));
  const names = new Map<string, string>();
  for (const r of rows) {
    for (const id of [r.customer_id, r.other_customer_id]) {
      if (!names.has(id)) names.set(id, (await getCustomer(deps.db, actor.tenantId, id))?.display_name ?? '');
    }
  }
  return {
    items: rows.map((r) => ({
      id: r.id,
      customerId: r.customer_id,
      customerName: names.get(r.customer_id) ?? '',
      otherCustomerId: r.other_customer_id,
      otherCustomerName: names.get(r.other_customer_id) ?? '',
      reason: r.reason,
      evidence: r.evidence,
      complaintId: r.complaint_id,
      messageId: r.message_id,
      createdAt: r.created_at.toISOString(),
    })),
  };
}

/**
 * Merges two customers: everything of `mergedId` moves to `keptId`, recorded so that it can be undone.
 * The merge is audited on both customers.
 */
async function merge(deps: Deps, trx: Deps['db'], actor: Actor, keptId: string, mergedId: string, suggestionId: string | null) {
  if (keptId === mergedId) throw new RuleError('same_customer', 'Un client ne peut pas être fusionné avec lui-même.');
  const [kept, merged] = await Promise.all([getCustomer(trx, actor.tenantId, keptId), getCustomer(trx, actor.tenantId, mergedId)]);
  if (!kept || !merged) throw new NotFoundError('Client introuvable.');
  if (kept.merged_into_id || merged.merged_into_id) throw new RuleError('already_merged', 'L’un de ces clients a déjà été fusionné.');
  const now = deps.clock.now();
  const moved = await moveCustomer(trx, actor.tenantId, mergedId, keptId);
  const record = await insertCustomerMerge(trx, {
    tenantId: actor.tenantId,
    keptId,
    mergedId,
    moved: { ...moved, suggestionIds: suggestionId ? [suggestionId] : [] },
    suggestionId,
    by: actor.userId,
    at: now,
  });
  await insertEvents(trx, [keptId, mergedId].map((customerId) => ({
    tenantId: actor.tenantId,
    customerId,
    actorUserId: actor.userId,
    actorKind: 'user' as const,
    type: 'customer.merged',
    data: { mergeId: record.id, keptId, mergedId, moved: { identities: moved.identityIds.length, complaints: moved.complaintIds.length, messages: moved.messageIds.length } },
    at: now,
  })));
  return record;
}

export async function acceptSuggestion(deps: Deps, actor: Actor, suggestionId: string) {
  return deps.db.transaction().execute(async (trx) => {
    const s = await lockMergeSuggestion(trx, actor.tenantId, suggestionId);
    if (!s) throw new NotFoundError('Suggestion introuvable.');
    if (s.status !== 'pending') throw new RuleError('already_decided', 'Cette suggestion a déjà été traitée.');
    const record = await merge(deps, trx, actor, s.customer_id, s.other_customer_id, s.id);
    await decideMergeSuggestion(trx, actor.tenantId, s.id, 'accepted', actor.userId, deps.clock.now());
    // The agent confirmed who wrote: messages held for that check may now be answered.
    if (s.message_id) await clearReviewFlags(trx, actor.tenantId, [s.message_id]);
    return { mergeId: record.id, keptCustomerId: s.customer_id, mergedCustomerId: s.other_customer_id };
  });
}

export async function rejectSuggestion(deps: Deps, actor: Actor, suggestionId: string) {
  await deps.db.transaction().execute(async (trx) => {
    const s = await lockMergeSuggestion(trx, actor.tenantId, suggestionId);
    if (!s) throw new NotFoundError('Suggestion introuvable.');
    if (s.status !== 'pending') throw new RuleError('already_decided', 'Cette suggestion a déjà été traitée.');
    const now = deps.clock.now();
    await decideMergeSuggestion(trx, actor.tenantId, s.id, 'rejected', actor.userId, now);
    await insertEvents(trx, [
      { tenantId: actor.tenantId, customerId: s.customer_id, complaintId: s.complaint_id, actorUserId: actor.userId, actorKind: 'user', type: 'customer.merge_rejected', data: { suggestionId: s.id, otherCustomerId: s.other_customer_id }, at: now },
    ]);
  });
}

export async function mergeCustomers(deps: Deps, actor: Actor, keptId: string, mergedId: string) {
  return deps.db.transaction().execute(async (trx) => {
    const record = await merge(deps, trx, actor, keptId, mergedId, null);
    return { mergeId: record.id, keptCustomerId: keptId, mergedCustomerId: mergedId };
  });
}

export async function undoMerge(deps: Deps, actor: Actor, mergeId: string) {
  await deps.db.transaction().execute(async (trx) => {
    const m = await lockCustomerMerge(trx, actor.tenantId, mergeId);
    if (!m) throw new NotFoundError('Fusion introuvable.');
    if (m.undone_at) throw new RuleError('already_undone', 'Cette fusion a déjà été annulée.');
    const now = deps.clock.now();
    await moveBack(trx, actor.tenantId, m);
    await markMergeUndone(trx, actor.tenantId, mergeId, actor.userId, now);
    await insertEvents(trx, [m.kept_customer_id, m.merged_customer_id].map((customerId) => ({
      tenantId: actor.tenantId,
      customerId,
      actorUserId: actor.userId,
      actorKind: 'user' as const,
      type: 'customer.merge_undone',
      data: { mergeId, keptId: m.kept_customer_id, mergedId: m.merged_customer_id },
      at: now,
    })));
  });
}
