import type { Deps } from '../deps.ts';
import type { Complaint } from '../db/types.ts';
import { NotFoundError, RuleError } from '../domain/errors.ts';
import type { Zone } from '../domain/calendar.ts';
import { getComplaint, getComplaintForUpdate } from '../db/repositories/complaints.ts';
import { getProcess } from '../db/repositories/processes.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { markMerged, moveComplaintContents, setChecklist } from '../db/repositories/complaint-merges.ts';
import { applyEarlierSending } from './complaint-records.ts';
import type { Actor } from './actor.ts';

/** Ticks (or unticks) one step of the complaint's process checklist. */
export async function tickStep(deps: Deps, actor: Actor, complaintId: string, stepKey: string, done: boolean): Promise<Complaint['checklist']> {
  return deps.db.transaction().execute(async (trx) => {
    const c = await getComplaintForUpdate(trx, actor.tenantId, complaintId);
    if (!c) throw new NotFoundError('Réclamation introuvable.');
    const process = c.process_id ? await getProcess(trx, actor.tenantId, c.process_id) : undefined;
    if (!process?.steps.some((s) => s.key === stepKey)) throw new NotFoundError('Étape inconnue pour le processus de cette réclamation.');
    const now = deps.clock.now();
    const checklist = { ...c.checklist, [stepKey]: { done, by: actor.userId, at: now.toISOString() } };
    await setChecklist(trx, actor.tenantId, complaintId, checklist, now);
    await insertEvents(trx, [{ tenantId: actor.tenantId, complaintId, actorUserId: actor.userId, actorKind: 'user', type: 'complaint.checklist', data: { step: stepKey, done }, at: now }]);
    return checklist;
  });
}

/**
 * Merges a complaint opened twice for one matter into this one: its messages and attachments move here,
 * the earliest sending date sets the clock, and the other is closed with a pointer to this one (it stays
 * in the history, and out of the register). Only complaints of the same customer merge.
 */
export async function mergeComplaints(deps: Deps, actor: Actor, keptId: string, otherId: string): Promise<void> {
  if (keptId === otherId) {
    if (!(await getComplaint(deps.db, actor.tenantId, keptId))) throw new NotFoundError('Réclamation introuvable.');
    throw new RuleError('merge_same', 'Une réclamation ne se fusionne pas avec elle-même.');
  }
  const tenant = await getTenant(deps.db, actor.tenantId);
  await deps.db.transaction().execute(async (trx) => {
    // Locked in id order, so two opposite merges cannot deadlock.
    const [first, second] = [keptId, otherId].sort();
    const a = await getComplaintForUpdate(trx, actor.tenantId, first!);
    const b = await getComplaintForUpdate(trx, actor.tenantId, second!);
    const kept = a?.id === keptId ? a : b;
    const other = a?.id === otherId ? a : b;
    if (!kept || !other) throw new NotFoundError('Réclamation introuvable.');
    if (kept.merged_into_id || other.merged_into_id) throw new RuleError('already_merged', 'L’une des deux réclamations a déjà été fusionnée.');
    if (kept.customer_id !== other.customer_id) {
      throw new RuleError('merge_other_customer', 'Ces réclamations ne sont pas du même client : fusionnez d’abord les deux fiches client si c’est la même personne.');
    }
    const now = deps.clock.now();
    const moved = await moveComplaintContents(trx, actor.tenantId, other.id, kept.id);
    const clock = await applyEarlierSending(trx, kept, other.sent_on, tenant!.zone as Zone, now);
    await markMerged(trx, actor.tenantId, other.id, kept.id, now);
    const data = { keptId: kept.id, keptReference: kept.reference, mergedId: other.id, mergedReference: other.reference, ...moved };
    await insertEvents(trx, [
      { tenantId: actor.tenantId, complaintId: kept.id, actorUserId: actor.userId, actorKind: 'user', type: 'complaint.merged', data, at: now },
      { tenantId: actor.tenantId, complaintId: other.id, actorUserId: actor.userId, actorKind: 'user', type: 'complaint.merged', data, at: now },
      ...(clock ? [{ tenantId: actor.tenantId, complaintId: kept.id, actorKind: 'system' as const, type: 'complaint.clock_moved', data: { before: clock.before, after: clock.after, mergedId: other.id }, at: now }] : []),
    ]);
  });
}
