import type { Deps } from '../deps.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { getComplaintForUpdate, updateComplaint } from '../db/repositories/complaints.ts';
import { firstInboundMessageId, getMessage } from '../db/repositories/messages.ts';
import { findProcessFor } from '../db/repositories/processes.ts';
import { pickAssignee } from '../routing/router.ts';
import { escalate } from '../routing/escalation.ts';
import { localDateOf, type Zone } from '../domain/calendar.ts';
import { hasUserEvent, insertEvents } from '../db/repositories/events.ts';
import { insertQualification } from '../db/repositories/qualifications.ts';
import type { Cause, Kind, Priority, Product } from '../domain/taxonomy.ts';
import { z } from 'zod';
import type { Qualification } from './qualifier.ts';
import { modelFor } from './tenant-models.ts';

export const qualificationSettingsSchema = z.object({
  /** Below this confidence on kind, cause or product, the complaint goes to triage instead of being routed. */
  triageBelow: z.number().min(0).max(1).default(0.4),
});

const RANK: Record<Priority, number> = { normale: 0, haute: 1, urgente: 2 };

export interface QualifyOutcome {
  qualification: Qualification;
  applied: boolean;
  triage: string | null;
}

/**
 * Qualifies one inbound message with the tenant's model (the shipped one until agents' corrections train
 * a tenant version) and stores the result with the model version and
 * its evidence. The message that opened a complaint decides its kind, cause and product — unless the
 * model is unsure, which sends the complaint to triage — and every message may raise its priority.
 * Agents' choices are never overwritten: a complaint an agent qualified keeps its fields.
 */
export async function qualifyMessage(deps: Deps, tenantId: string, messageId: string): Promise<QualifyOutcome | null> {
  const message = await getMessage(deps.db, tenantId, messageId);
  if (!message || message.direction !== 'inbound') return null;
  const tenant = await getTenant(deps.db, tenantId);
  if (!tenant) return null;
  const settings = qualificationSettingsSchema.parse((tenant.settings as { qualification?: unknown }).qualification ?? {});
  const q = (await modelFor(deps, tenantId)).qualify(`${message.subject ?? ''}\n${message.body_new_text ?? message.body_text}`);
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const complaint = await getComplaintForUpdate(trx, tenantId, message.complaint_id);
    if (!complaint) return null;
    const opening = (await firstInboundMessageId(trx, tenantId, complaint.id)) === messageId;
    const agentQualified = await hasUserEvent(trx, tenantId, complaint.id, ['complaint.updated', 'complaint.requalified']);
    const unsure = (['kind', 'cause', 'product'] as const).filter((t) => q[t].confidence < settings.triageBelow);
    const set: Parameters<typeof updateComplaint>[3] = {};
    let triage: string | null = null;
    let routed: { processId: string; assigneeId: string; mode: string } | null = null;
    const applied = opening && !agentQualified && complaint.cause === null;
    if (applied) {
      if (unsure.length > 0) {
        triage = `Qualification incertaine (${unsure.map((t) => `${t} ${q[t].label} à ${Math.round(q[t].confidence * 100)} %`).join(', ')}) : à vérifier.`;
        set.triage_reason = triage;
      } else {
        // A complaint an agent typed in keeps what the agent chose; only the blanks are filled.
        const manual = complaint.created_by !== null;
        if (!manual) set.kind = q.kind.label as Kind;
        set.cause = q.cause.label as Cause;
        if (!manual || complaint.product === null) set.product = q.product.label as Product;
        const process = await findProcessFor(trx, tenantId, set.kind ?? complaint.kind, q.cause.label);
        set.process_id = process?.id ?? complaint.process_id;
        if (process && !complaint.assignee_id) {
          const picked = await pickAssignee(trx, tenantId, process.id);
          if (picked.assigneeId) {
            set.assignee_id = picked.assigneeId;
            routed = { processId: process.id, assigneeId: picked.assigneeId, mode: picked.mode };
          }
        }
      }
    }
    if (RANK[q.priority.label as Priority] > RANK[complaint.priority]) set.priority = q.priority.label as Priority;
    const current = Object.keys(set).length > 0 ? await updateComplaint(trx, tenantId, complaint.id, { ...set, updated_at: now }) : complaint;
    await insertQualification(trx, {
      tenantId,
      complaintId: complaint.id,
      messageId,
      modelVersion: q.modelVersion,
      result: q as unknown as Record<string, unknown>,
      applied: applied && unsure.length === 0,
      at: now,
    });
    const before = { kind: complaint.kind, cause: complaint.cause, product: complaint.product, priority: complaint.priority, processId: complaint.process_id };
    const after = {
      kind: set.kind ?? complaint.kind,
      cause: set.cause ?? complaint.cause,
      product: set.product ?? complaint.product,
      priority: set.priority ?? complaint.priority,
      processId: set.process_id ?? complaint.process_id,
    };
    await insertEvents(trx, [
      {
        tenantId,
        complaintId: complaint.id,
        actorKind: 'system',
        type: triage ? 'complaint.triage' : 'complaint.qualified',
        data: {
          messageId,
          modelVersion: q.modelVersion,
          applied: Object.keys(set).length > 0,
          before,
          after,
          confidence: { kind: q.kind.confidence, cause: q.cause.confidence, product: q.product.confidence, priority: q.priority.confidence },
          evidence: { kind: q.kind.evidence, cause: q.cause.evidence, product: q.product.evidence, priority: q.priority.evidence },
          ...(triage ? { triage } : {}),
        },
        at: now,
      },
      ...(routed ? [{ tenantId, complaintId: complaint.id, actorKind: 'system' as const, type: 'complaint.assigned', data: { before: null, after: routed.assigneeId, by: 'routing', processId: routed.processId, mode: routed.mode }, at: now }] : []),
    ]);
    // A high priority is escalated at once (managers are told), as the process rules say.
    await escalate(trx, current, tenant.zone as Zone, localDateOf(now), now);
    return { qualification: q, applied, triage };
  });
}
