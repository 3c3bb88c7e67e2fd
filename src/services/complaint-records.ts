import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Complaint, Database, Tenant } from '../db/types.ts';
import type { Zone } from '../domain/calendar.ts';
import { localDateOf } from '../domain/calendar.ts';
import { clockStart, computeDeadlines } from '../domain/deadlines.ts';
import { formatReference } from '../domain/reference.ts';
import type { Cause, Kind, Priority, Product } from '../domain/taxonomy.ts';
import { listActiveProcesses, processFor } from '../db/repositories/processes.ts';
import { insertComplaint, takeReferenceSeq, updateComplaint, type ComplaintRow } from '../db/repositories/complaints.ts';
import type { Process } from '../db/types.ts';
import { newToken } from './tokens.ts';

type Db = Kysely<Database>;

export interface NewComplaintRecord {
  tenant: Tenant;
  customerId: string;
  channel: string;
  /** The date the complainant sent it; null when unknown (the receipt date is then used, and recorded). */
  sentOn: string | null;
  receivedAt: Date;
  subject: string;
  description: string;
  /** Unknown until qualification or an agent says otherwise: a complaint, cause and product unset, normal priority. */
  nature?: string | null;
  contractNumber?: string | null;
  kind?: Kind;
  cause?: Cause | null;
  product?: Product | null;
  priority?: Priority;
  assigneeId?: string | null;
  createdBy: string | null;
  now: Date;
}

/**
 * The one way a complaint comes into existence, whatever the channel: regulatory clock from the sending
 * date, the process for its type, and the next gap-free reference of the tenant's year. Runs inside the
 * caller's transaction (the reference counter stays locked until it commits).
 */
export async function openComplaint(trx: Db, r: NewComplaintRecord): Promise<Complaint> {
  const draft = draftComplaint({ ...r, id: randomUUID() }, await listActiveProcesses(trx, r.tenant.id));
  const { year, checklist: _checklist, merged_into_id: _merged, ...row } = draft;
  return insertComplaint(trx, { ...row, reference: formatReference(year, await takeReferenceSeq(trx, r.tenant.id, year)) });
}

/**
 * The clock runs from the earliest sending date of the complaint's messages: a message sent before the
 * current start moves both deadlines earlier. Returns the change, or null when nothing moved.
 */
export async function applyEarlierSending(
  trx: Db,
  complaint: Complaint,
  sentOn: string,
  zone: Zone,
  now: Date,
): Promise<{ complaint: Complaint; before: Record<string, string>; after: Record<string, string> } | null> {
  if (sentOn >= complaint.sent_on) return null;
  const d = computeDeadlines({ sentOn, receivedOn: localDateOf(complaint.received_at), zone });
  const updated = await updateComplaint(trx, complaint.tenant_id, complaint.id, {
    sent_on: sentOn,
    sent_on_source: 'sent',
    ack_due_on: d.ackDueOn,
    answer_due_on: d.answerDueOn,
    updated_at: now,
  });
  return {
    complaint: updated,
    before: { sentOn: complaint.sent_on, ackDueOn: complaint.ack_due_on, answerDueOn: complaint.answer_due_on },
    after: { sentOn, ackDueOn: d.ackDueOn, answerDueOn: d.answerDueOn },
  };
}

/**
 * The complaint openComplaint inserts, without I/O (batch ingestion drafts a whole batch at once): with the
 * caller's id, the process picked from the tenant's active processes, and no reference yet — openComplaint
 * takes one, a batch takes the references of all its complaints at once (takeReferenceSeqs) just before
 * inserting.
 */
export function draftComplaint(r: NewComplaintRecord & { id: string }, activeProcesses: readonly Process[]): ComplaintRow & { year: number } {
  const zone = r.tenant.zone as Zone;
  const receivedOn = localDateOf(r.receivedAt);
  const start = clockStart({ sentOn: r.sentOn, receivedOn });
  const { ackDueOn, answerDueOn } = computeDeadlines({ sentOn: r.sentOn, receivedOn, zone });
  const kind = r.kind ?? 'reclamation';
  const cause = r.cause ?? null;
  const process = processFor(activeProcesses, kind, cause);
  return {
    id: r.id,
    year: Number(receivedOn.slice(0, 4)),
    tenant_id: r.tenant.id,
    reference: '',
    customer_id: r.customerId,
    channel: r.channel,
    kind,
    cause,
    product: r.product ?? null,
    priority: r.priority ?? 'normale',
    status: 'nouvelle',
    outcome: null,
    subject: r.subject,
    nature: r.nature ?? null,
    description: r.description,
    contract_number: r.contractNumber ?? null,
    process_id: process?.id ?? null,
    assignee_id: r.assigneeId ?? null,
    sent_on: start.startOn,
    sent_on_source: start.source,
    received_at: r.receivedAt,
    ack_due_on: ackDueOn,
    answer_due_on: answerDueOn,
    acknowledged_at: null,
    answered_at: null,
    closed_at: null,
    tracking_token: newToken(),
    created_by: r.createdBy,
    created_at: r.now,
    updated_at: r.now,
    triage_reason: null,
    checklist: {},
    merged_into_id: null,
  };
}

/**
 * applyEarlierSending without I/O: moves the clock of an in-memory complaint (the batch writes it once
 * at the end). Returns the change, or null when nothing moved.
 */
export function moveClockEarlier(
  complaint: ComplaintRow,
  sentOn: string,
  zone: Zone,
  now: Date,
): { before: Record<string, string>; after: Record<string, string> } | null {
  if (sentOn >= complaint.sent_on) return null;
  const d = computeDeadlines({ sentOn, receivedOn: localDateOf(complaint.received_at), zone });
  const before = { sentOn: complaint.sent_on, ackDueOn: complaint.ack_due_on, answerDueOn: complaint.answer_due_on };
  complaint.sent_on = sentOn;
  complaint.sent_on_source = 'sent';
  complaint.ack_due_on = d.ackDueOn;
  complaint.answer_due_on = d.answerDueOn;
  complaint.updated_at = now;
  return { before, after: { sentOn, ackDueOn: d.ackDueOn, answerDueOn: d.answerDueOn } };
}
