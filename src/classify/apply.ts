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
 * The qualification of messages inside one transaction: the processes read once, each process row locked
 * once (only those that assign someone), the team read once, the rotation moved in memory; every decision
 * changes the in-memory complaint it is given (later messages of the batch see it); the caller writes what
 * `rows` collected and calls `escalate` once the complaints exist.
 */
export class QualificationSession {
  readonly qualifications: Parameters<typeof insertQualifications>[1][number][] = [];
  readonly events: NewEvent[] = [];
  readonly outcomes = new Map<string, QualifyOutcome>();
  private readonly locked = new Map<string, Process | null>();
  private readonly rotated = new Set<string>();
  private active: Set<string> | undefined;
  private readonly settings: z.infer<typeof qualificationSettingsSchema>;

  constructor(
    private readonly trx: Deps['db'],
    private readonly tenant: Tenant,
    private readonly processes: readonly Process[],
    private readonly now: Date,
  ) {
    this.settings = qualificationSettingsSchema.parse((tenant.settings as { qualification?: unknown }).qualification ?? {});
  }

  private async pickAssignee(processId: string): Promise<{ assigneeId: string | null; mode: string }> {
    // A process that assigns nobody needs no lock (its rotation does not move).
    const listed = this.processes.find((p) => p.id === processId);
    if (listed && assignmentOf(listed.settings).mode === 'none' && !this.locked.has(processId)) return { assigneeId: null, mode: 'none' };
    if (!this.locked.has(processId)) this.locked.set(processId, (await lockProcesses(this.trx, this.tenant.id, [processId]))[0] ?? null);
    const process = this.locked.get(processId);
    if (!process) return { assigneeId: null, mode: 'none' };
    const assignment = assignmentOf(process.settings);
    if (assignment.mode === 'none') return { assigneeId: null, mode: 'none' };
    this.active ??= new Set((await listUsers(this.trx, this.tenant.id)).filter((u) => u.status === 'active').map((u) => u.id));
    const last = typeof process.settings.lastAssigneeId === 'string' ? process.settings.lastAssigneeId : null;
    const assigneeId = nextAssignee(assignment, this.active, last);
    if (assigneeId && assignment.mode === 'round_robin') {
      process.settings = { ...process.settings, lastAssigneeId: assigneeId };
      this.rotated.add(processId);
    }
    return { assigneeId, mode: assignment.mode };
  }

  /**
   * One message: the one that opened its complaint decides kind, cause and product (or sends it to triage
   * when unsure); any message may raise the priority. Returns whether the complaint changed.
   */
  async decide(complaint: ComplaintRow, messageId: string, q: Qualification, opening: boolean, agentQualified: boolean): Promise<boolean> {
    const { settings, now } = this;
    const tenantId = this.tenant.id;
    const unsure = (['kind', 'cause', 'product'] as const).filter((t) => q[t].confidence < settings.triageBelow);
    const set: Partial<Pick<ComplaintRow, 'kind' | 'cause' | 'product' | 'priority' | 'process_id' | 'assignee_id' | 'triage_reason'>> = {};
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
        const process = processFor(this.processes, set.kind ?? complaint.kind, q.cause.label);
        set.process_id = process?.id ?? complaint.process_id;
        if (process && !complaint.assignee_id) {
          const picked = await this.pickAssignee(process.id);
          if (picked.assigneeId) {
            set.assignee_id = picked.assigneeId;
            routed = { processId: process.id, assigneeId: picked.assigneeId, mode: picked.mode };
          }
        }
      }
    }
    if (RANK[q.priority.label as Priority] > RANK[complaint.priority]) set.priority = q.priority.label as Priority;
    const before = { kind: complaint.kind, cause: complaint.cause, product: complaint.product, priority: complaint.priority, processId: complaint.process_id };
    const changed = Object.keys(set).length > 0;
    if (changed) Object.assign(complaint, set, { updated_at: now });
    const after = { kind: complaint.kind, cause: complaint.cause, product: complaint.product, priority: complaint.priority, processId: complaint.process_id };
    this.qualifications.push({ tenantId, complaintId: complaint.id, messageId, modelVersion: q.modelVersion, result: q as unknown as Record<string, unknown>, applied: applied && unsure.length === 0, at: now });
    this.events.push({
      tenantId,
      complaintId: complaint.id,
      actorKind: 'system',
      type: triage ? 'complaint.triage' : 'complaint.qualified',
      data: {
        messageId,
        modelVersion: q.modelVersion,
        applied: changed,
        before,
        after,
        confidence: { kind: q.kind.confidence, cause: q.cause.confidence, product: q.product.confidence, priority: q.priority.confidence },
        evidence: { kind: q.kind.evidence, cause: q.cause.evidence, product: q.product.evidence, priority: q.priority.evidence },
        ...(triage ? { triage } : {}),
      },
      at: now,
    });
    if (routed) this.events.push({ tenantId, complaintId: complaint.id, actorKind: 'system', type: 'complaint.assigned', data: { before: null, after: routed.assigneeId, by: 'routing', processId: routed.processId, mode: routed.mode }, at: now });
    this.outcomes.set(messageId, { qualification: q, applied, triage });
    return changed;
  }

  /** What the decisions wrote, apart from the complaints: process rotations, qualifications, events. */
  async write(): Promise<void> {
    await Promise.all([
      ...[...this.rotated].map((id) => updateProcess(this.trx, this.tenant.id, id, { settings: JSON.stringify(this.locked.get(id)!.settings) })),
      insertQualifications(this.trx, this.qualifications),
      insertEvents(this.trx, this.events),
    ]);
  }

  /**
   * A high priority is escalated at once (managers are told), as the process rules say. The rules are
   * checked here first, so that only complaints with something due cost a round trip.
   */
  async escalate(complaints: Iterable<ComplaintRow>): Promise<void> {
    const now = this.now;
    const today = localDateOf(now);
    const zone = this.tenant.zone as Zone;
    const byId = new Map(this.processes.map((p) => [p.id, p]));
    for (const c of complaints) {
      const process = c.process_id ? byId.get(c.process_id) : undefined;
      if ((c.process_id && !process) || dueEscalations(c, today, zone, escalationOf(process?.settings)).length > 0) {
        await escalate(this.trx, { ...c, search_vector: '' }, zone, today, now);
      }
    }
  }
}

/** The tenant's model, loaded once for a batch. */
export async function qualifierFor(deps: Deps, tenantId: string): Promise<{ qualify(text: string): Qualification }> {
  return modelFor(deps, tenantId);
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
 * team read once, and the complaints, qualifications and events written in one statement each. (Batch
 * ingestion does the same inside its own transaction, see ingestBatch.)
 */
export async function qualifyBatch(deps: Deps, tenant: Tenant, items: readonly QualifyItem[]): Promise<Map<string, QualifyOutcome>> {
  if (items.length === 0) return new Map();
  const tenantId = tenant.id;
  const model = await qualifierFor(deps, tenantId);
  const qualified = items.map((item) => ({ item, q: model.qualify(item.text) }));
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const ids = [...new Set(items.map((i) => i.complaintId))];
    const complaints = new Map((await lockComplaints(trx, tenantId, ids)).map((c) => [c.id, c]));
    const present = ids.filter((id) => complaints.has(id));
    const [opening, agentQualified, processes] = await Promise.all([
      firstInboundMessageIds(trx, tenantId, present),
      complaintsWithUserEvents(trx, tenantId, present, ['complaint.updated', 'complaint.requalified']),
      listActiveProcesses(trx, tenantId),
    ]);
    const session = new QualificationSession(trx, tenant, processes, now);
    const changed = new Set<string>();
    for (const { item, q } of qualified) {
      const complaint = complaints.get(item.complaintId);
      if (!complaint) continue;
      if (await session.decide(complaint, item.messageId, q, opening.get(complaint.id) === item.messageId, agentQualified.has(complaint.id))) changed.add(complaint.id);
    }
    await Promise.all([
      updateComplaintsMany(trx, tenantId, QUALIFIED_COLUMNS, [...changed].map((id) => complaints.get(id)!)),
      session.write(),
    ]);
    await session.escalate(present.map((id) => complaints.get(id)!));
    return session.outcomes;
  });
}

/** The complaint columns a qualification may change. */
export const QUALIFIED_COLUMNS = ['kind', 'cause', 'product', 'priority', 'process_id', 'assignee_id', 'triage_reason'] as const;

/** qualifyBatch for one message (the `classify` job: manual complaints, transcriptions, recovery). */
export async function qualifyMessage(deps: Deps, tenantId: string, messageId: string): Promise<QualifyOutcome | null> {
  const message = await getMessage(deps.db, tenantId, messageId);
  if (!message || message.direction !== 'inbound') return null;
  const tenant = await getTenant(deps.db, tenantId);
  if (!tenant) return null;
  const outcomes = await qualifyBatch(deps, tenant, [{ messageId, complaintId: message.complaint_id, text: `${message.subject ?? ''}\n${message.body_new_text ?? message.body_text}` }]);
  return outcomes.get(messageId) ?? null;
}
