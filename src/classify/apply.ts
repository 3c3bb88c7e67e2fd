import type { Deps } from '../deps.ts';
import type { Process, Tenant } from '../db/types.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { lockComplaints, updateComplaintsMany, type ComplaintRow } from '../db/repositories/complaints.ts';
import { firstInboundMessageIds, getMessage } from '../db/repositories/messages.ts';
import { listActiveProcesses, lockProcesses, processFor, updateProcess } from '../db/repositories/processes.ts';
import { listUsers } from '../db/repositories/users.ts';
import { assignmentOf, nextAssignee } from '../routing/assignment.ts';
import { dueEscalations, escalate, escalationOf } from '../routing/escalation.ts';
import { localDateOf, type Zone } from '../domain/calendar.ts';
import { complaintsWithUserEvents, insertEvents, type NewEvent } from '../db/repositories/events.ts';
import { insertQualifications } from '../db/repositories/qualifications.ts';
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

/** One inbound message to qualify: its complaint and the text the classifier reads (subject and own text). */
export interface QualifyItem {
  messageId: string;
  complaintId: string;
  text: string;
}

/**
 * Qualifies inbound messages with the tenant's model (the shipped one until agents' corrections train a
 * tenant version) and stores each result with the model version and its evidence. The message that opened
 * a complaint decides its kind, cause and product — unless the model is unsure, which sends the complaint
 * to triage — and every message may raise its priority. Agents' choices are never overwritten: a complaint
 * an agent qualified keeps its fields. Qualified complaints are routed (process, assignee) and escalated
 * as their process says.
 *
 * Messages are taken in the order given, each seeing what the earlier ones changed, in one transaction for
 * the batch: the complaints are read and locked at once, the model is loaded once, the processes and the
 * team read once, and the complaints, qualifications and events written in one statement each.
 */
export async function qualifyBatch(deps: Deps, tenant: Tenant, items: readonly QualifyItem[]): Promise<Map<string, QualifyOutcome>> {
  const outcomes = new Map<string, QualifyOutcome>();
  if (items.length === 0) return outcomes;
  const tenantId = tenant.id;
  const settings = qualificationSettingsSchema.parse((tenant.settings as { qualification?: unknown }).qualification ?? {});
  const model = await modelFor(deps, tenantId);
  const qualified = items.map((item) => ({ item, q: model.qualify(item.text) }));
  const now = deps.clock.now();
  const today = localDateOf(now);
  const zone = tenant.zone as Zone;
  await deps.db.transaction().execute(async (trx) => {
    const ids = [...new Set(items.map((i) => i.complaintId))];
    const complaints = new Map((await lockComplaints(trx, tenantId, ids)).map((c) => [c.id, c]));
    const present = ids.filter((id) => complaints.has(id));
    const [opening, agentQualified, processes] = await Promise.all([
      firstInboundMessageIds(trx, tenantId, present),
      complaintsWithUserEvents(trx, tenantId, present, ['complaint.updated', 'complaint.requalified']),
      listActiveProcesses(trx, tenantId),
    ]);
    // Round-robin state: each process row locked once, the team read once, the rotation moved in memory.
    const locked = new Map<string, Process | null>();
    let active: Set<string> | undefined;
    const rotated = new Set<string>();
    const pickAssignee = async (processId: string): Promise<{ assigneeId: string | null; mode: string }> => {
      // A process that assigns nobody needs no lock (its rotation does not move).
      const listed = processes.find((p) => p.id === processId);
      if (listed && assignmentOf(listed.settings).mode === 'none' && !locked.has(processId)) return { assigneeId: null, mode: 'none' };
      if (!locked.has(processId)) locked.set(processId, (await lockProcesses(trx, tenantId, [processId]))[0] ?? null);
      const process = locked.get(processId);
      if (!process) return { assigneeId: null, mode: 'none' };
      const assignment = assignmentOf(process.settings);
      if (assignment.mode === 'none') return { assigneeId: null, mode: 'none' };
      active ??= new Set((await listUsers(trx, tenantId)).filter((u) => u.status === 'active').map((u) => u.id));
      const last = typeof process.settings.lastAssigneeId === 'string' ? process.settings.lastAssigneeId : null;
      const assigneeId = nextAssignee(assignment, active, last);
      if (assigneeId && assignment.mode === 'round_robin') {
        process.settings = { ...process.settings, lastAssigneeId: assigneeId };
        rotated.add(processId);
      }
      return { assigneeId, mode: assignment.mode };
    };

    const changed = new Set<string>();
    const qualifications: Parameters<typeof insertQualifications>[1][number][] = [];
    const events: NewEvent[] = [];
    for (const { item, q } of qualified) {
      const complaint = complaints.get(item.complaintId);
      if (!complaint) continue;
      const isOpening = opening.get(complaint.id) === item.messageId;
      const unsure = (['kind', 'cause', 'product'] as const).filter((t) => q[t].confidence < settings.triageBelow);
      const set: Partial<Pick<ComplaintRow, 'kind' | 'cause' | 'product' | 'priority' | 'process_id' | 'assignee_id' | 'triage_reason'>> = {};
      let triage: string | null = null;
      let routed: { processId: string; assigneeId: string; mode: string } | null = null;
      const applied = isOpening && !agentQualified.has(complaint.id) && complaint.cause === null;
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
          const process = processFor(processes, set.kind ?? complaint.kind, q.cause.label);
          set.process_id = process?.id ?? complaint.process_id;
          if (process && !complaint.assignee_id) {
            const picked = await pickAssignee(process.id);
            if (picked.assigneeId) {
              set.assignee_id = picked.assigneeId;
              routed = { processId: process.id, assigneeId: picked.assigneeId, mode: picked.mode };
            }
          }
        }
      }
      if (RANK[q.priority.label as Priority] > RANK[complaint.priority]) set.priority = q.priority.label as Priority;
      const before = { kind: complaint.kind, cause: complaint.cause, product: complaint.product, priority: complaint.priority, processId: complaint.process_id };
      if (Object.keys(set).length > 0) {
        Object.assign(complaint, set, { updated_at: now });
        changed.add(complaint.id);
      }
      const after = { kind: complaint.kind, cause: complaint.cause, product: complaint.product, priority: complaint.priority, processId: complaint.process_id };
      qualifications.push({ tenantId, complaintId: complaint.id, messageId: item.messageId, modelVersion: q.modelVersion, result: q as unknown as Record<string, unknown>, applied: applied && unsure.length === 0, at: now });
      events.push({
        tenantId,
        complaintId: complaint.id,
        actorKind: 'system',
        type: triage ? 'complaint.triage' : 'complaint.qualified',
        data: {
          messageId: item.messageId,
          modelVersion: q.modelVersion,
          applied: Object.keys(set).length > 0,
          before,
          after,
          confidence: { kind: q.kind.confidence, cause: q.cause.confidence, product: q.product.confidence, priority: q.priority.confidence },
          evidence: { kind: q.kind.evidence, cause: q.cause.evidence, product: q.product.evidence, priority: q.priority.evidence },
          ...(triage ? { triage } : {}),
        },
        at: now,
      });
      if (routed) events.push({ tenantId, complaintId: complaint.id, actorKind: 'system', type: 'complaint.assigned', data: { before: null, after: routed.assigneeId, by: 'routing', processId: routed.processId, mode: routed.mode }, at: now });
      outcomes.set(item.messageId, { qualification: q, applied, triage });
    }
    await Promise.all([
      updateComplaintsMany(trx, tenantId, ['kind', 'cause', 'product', 'priority', 'process_id', 'assignee_id', 'triage_reason'], [...changed].map((id) => complaints.get(id)!)),
      ...[...rotated].map((id) => updateProcess(trx, tenantId, id, { settings: JSON.stringify(locked.get(id)!.settings) })),
      insertQualifications(trx, qualifications),
      insertEvents(trx, events),
    ]);
    // A high priority is escalated at once (managers are told), as the process rules say. The rules are
    // checked here first, so that only complaints with something due cost a round trip.
    const byId = new Map(processes.map((p) => [p.id, p]));
    for (const id of present) {
      const c = complaints.get(id)!;
      const process = c.process_id ? byId.get(c.process_id) : undefined;
      if (c.process_id && !process) {
        await escalate(trx, { ...c, search_vector: '' }, zone, today, now);
      } else if (dueEscalations(c, today, zone, escalationOf(process?.settings)).length > 0) {
        await escalate(trx, { ...c, search_vector: '' }, zone, today, now);
      }
    }
  });
  return outcomes;
}

/** qualifyBatch for one message (the `classify` job: manual complaints, transcriptions, recovery). */
export async function qualifyMessage(deps: Deps, tenantId: string, messageId: string): Promise<QualifyOutcome | null> {
  const message = await getMessage(deps.db, tenantId, messageId);
  if (!message || message.direction !== 'inbound') return null;
  const tenant = await getTenant(deps.db, tenantId);
  if (!tenant) return null;
  const outcomes = await qualifyBatch(deps, tenant, [{ messageId, complaintId: message.complaint_id, text: `${message.subject ?? ''}\n${message.body_new_text ?? message.body_text}` }]);
  return outcomes.get(messageId) ?? null;
}
