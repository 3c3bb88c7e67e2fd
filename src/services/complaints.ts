import type { Deps } from '../deps.ts';
import type { Attachment, Complaint, Message, Tenant } from '../db/types.ts';
import { NotFoundError, RuleError, ValidationError } from '../domain/errors.ts';
import { addDays, joursOuvrablesBetween, localDateOf, type Zone } from '../domain/calendar.ts';
import { answerDueWarning, clockStart, computeDeadlines } from '../domain/deadlines.ts';
import { allowedTransitions, checkTransition, isOpenStatus } from '../domain/status.ts';
import { normalizeContractNumber } from '../domain/identity.ts';
import type { Channel, Cause, Kind, Outcome, Priority, Product, Status } from '../domain/taxonomy.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { getUser } from '../db/repositories/users.ts';
import { findProcessFor, getProcess } from '../db/repositories/processes.ts';
import {
  getComplaint,
  getComplaintForUpdate,
  listComplaints as listComplaintRows,
  sortValueOf,
  updateComplaint,
  type ComplaintFilters,
  type ComplaintSort,
} from '../db/repositories/complaints.ts';
import { clearReviewFlags, firstInboundMessageId, getComplaintMessage, getMessage, insertMessage, listComplaintMessages } from '../db/repositories/messages.ts';
import { insertTrainingLabels } from '../db/repositories/models.ts';
import { pickAssignee } from '../routing/router.ts';
import {
  getAttachment,
  insertAttachments,
  listComplaintAttachments,
  markAttachmentRemoved,
} from '../db/repositories/attachments.ts';
import { insertEvents, listComplaintEvents, type NewEvent } from '../db/repositories/events.ts';
import { getCustomer, listIdentities } from '../db/repositories/customers.ts';
import type { Actor } from './actor.ts';
import { linkCustomer, raiseMergeSuggestions, type ComplainantInput } from './customers.ts';
import { openComplaint } from './complaint-records.ts';
import { notifyStatus } from '../notify/customer-messages.ts';
import { customerCommunicationOf } from '../notify/communication.ts';

export interface UploadedFile {
  filename: string;
  contentType: string;
  data: Uint8Array;
}

export interface CreateComplaintInput {
  channel: Channel;
  /** The date the complainant sent it (postmark, email Date, call date); null when unknown. */
  sentOn?: string | null | undefined;
  receivedAt?: Date | undefined;
  complainant: ComplainantInput;
  subject?: string | null | undefined;
  nature?: string | null | undefined;
  description: string;
  contractNumber?: string | null | undefined;
  kind?: Kind | undefined;
  cause?: Cause | null | undefined;
  product?: Product | null | undefined;
  priority?: Priority | undefined;
  assigneeId?: string | null | undefined;
  attachments?: UploadedFile[] | undefined;
}

const MAX_SUBJECT = 200;

function subjectFrom(input: CreateComplaintInput): string {
  const explicit = input.subject?.trim();
  if (explicit) return explicit.slice(0, MAX_SUBJECT);
  const source = (input.nature?.trim() || input.description.trim()).replace(/\s+/g, ' ');
  return source.length > 80 ? `${source.slice(0, 77)}…` : source;
}

async function tenantOf(deps: Deps, tenantId: string): Promise<Tenant> {
  const tenant = await getTenant(deps.db, tenantId);
  if (!tenant) throw new NotFoundError('Cabinet introuvable.');
  return tenant;
}

async function checkAssignee(deps: Deps, db: Deps['db'], tenantId: string, assigneeId: string | null | undefined): Promise<void> {
  if (!assigneeId) return;
  const user = await getUser(db, tenantId, assigneeId);
  if (!user || user.status !== 'active') {
    throw new ValidationError('Attribution impossible.', { assigneeId: 'Cet utilisateur n’existe pas ou n’est pas actif.' });
  }
}

function checkFiles(deps: Deps, files: readonly UploadedFile[]): void {
  files.forEach((f, i) => {
    if (f.data.byteLength === 0) {
      throw new ValidationError('Pièce jointe vide.', { [`attachments.${i}`]: `Le fichier « ${f.filename} » est vide.` });
    }
    if (f.data.byteLength > deps.config.maxUploadBytes) {
      const mb = Math.round(deps.config.maxUploadBytes / 1024 / 1024);
      throw new ValidationError('Pièce jointe trop volumineuse.', {
        [`attachments.${i}`]: `Le fichier « ${f.filename} » dépasse la taille maximale de ${mb} Mo.`,
      });
    }
  });
}

/** Creates a complaint recorded by an agent (letter, phone, visit, or an email typed in by hand). */
export async function createComplaint(deps: Deps, actor: Actor, input: CreateComplaintInput): Promise<Complaint> {
  const tenant = await tenantOf(deps, actor.tenantId);
  const receivedAt = input.receivedAt ?? deps.clock.now();
  const receivedOn = localDateOf(receivedAt);
  if (input.sentOn && input.sentOn > receivedOn) {
    throw new ValidationError('Date d’envoi invalide.', { sentOn: 'La date d’envoi ne peut pas être postérieure à la réception.' });
  }
  const contractNumber = input.contractNumber ? normalizeContractNumber(input.contractNumber) : null;
  if (input.contractNumber && !contractNumber) {
    throw new ValidationError('Numéro de contrat invalide.', { contractNumber: 'Numéro de contrat ou de dossier invalide.' });
  }
  const files = input.attachments ?? [];
  checkFiles(deps, files);
  // Content-addressed: writing the bytes first is safe, an unreferenced blob is harmless and reused.
  const stored = await Promise.all(files.map(async (f) => ({ file: f, blob: await deps.files.put(f.data) })));

  const now = deps.clock.now();
  const created = await deps.db.transaction().execute(async (trx) => {
    await checkAssignee(deps, trx, actor.tenantId, input.assigneeId);
    const { customerId, conflicts, found, events: linkEvents } = await linkCustomer(trx, actor.tenantId, input.complainant, contractNumber);
    const complaint = await openComplaint(trx, {
      tenant,
      customerId,
      channel: input.channel,
      sentOn: input.sentOn ?? null,
      receivedAt,
      subject: subjectFrom(input),
      nature: input.nature?.trim() || null,
      description: input.description.trim(),
      contractNumber,
      kind: input.kind ?? 'reclamation',
      cause: input.cause ?? null,
      product: input.product ?? null,
      priority: input.priority ?? 'normale',
      assigneeId: input.assigneeId ?? null,
      createdBy: actor.userId,
      now,
    });
    const message = await insertMessage(trx, {
      tenant_id: actor.tenantId,
      complaint_id: complaint.id,
      direction: 'inbound',
      channel: input.channel,
      author_user_id: actor.userId,
      customer_id: customerId,
      subject: complaint.subject,
      body_text: complaint.description,
      sent_at: null,
      created_at: now,
      meta: JSON.stringify({ recordedBy: actor.userId, sentOn: complaint.sent_on }),
    });
    const attachments = await insertAttachments(
      trx,
      stored.map(({ file, blob }) => ({
        tenant_id: actor.tenantId,
        complaint_id: complaint.id,
        message_id: message.id,
        filename: file.filename.slice(0, 255),
        content_type: file.contentType,
        size_bytes: blob.sizeBytes,
        sha256: blob.sha256,
        created_by: actor.userId,
        created_at: now,
      })),
    );
    const base = { tenantId: actor.tenantId, complaintId: complaint.id, actorUserId: actor.userId, actorKind: 'user' as const, at: now };
    await insertEvents(trx, [
      ...linkEvents.map((e) => ({ ...base, ...e })),
      {
        ...base,
        customerId,
        type: 'complaint.created',
        data: createdEventData(complaint),
      },
      ...(input.assigneeId ? [{ ...base, type: 'complaint.assigned', data: { before: null, after: input.assigneeId } }] : []),
      ...attachments.map((a) => ({
        ...base,
        type: 'attachment.added',
        data: { attachmentId: a.id, filename: a.filename, sizeBytes: a.size_bytes, sha256: a.sha256 },
      })),
    ]);
    await raiseMergeSuggestions(trx, {
      tenantId: actor.tenantId,
      customerId,
      others: conflicts,
      reason: 'identities_conflict',
      evidence: { identities: found },
      complaintId: complaint.id,
      messageId: message.id,
      at: now,
    });
    return { complaint, messageId: message.id };
  });
  // What the agent left blank (the cause, often) is qualified like any inbound message.
  if (!created.complaint.cause) await deps.queue.add('classify', { tenantId: actor.tenantId, messageId: created.messageId });
  return created.complaint;
}

/** What the history says of a new complaint, whatever its channel. */
export function createdEventData(c: Complaint): Record<string, unknown> {
  return {
    reference: c.reference,
    channel: c.channel,
    sentOn: c.sent_on,
    sentOnSource: c.sent_on_source,
    ackDueOn: c.ack_due_on,
    answerDueOn: c.answer_due_on,
    processId: c.process_id,
  };
}

// ---------------------------------------------------------------------------------------------------
// Reading

export interface DeadlineView {
  ackDueOn: string;
  answerDueOn: string;
  ackDaysLeft: number | null;
  answerDaysLeft: number | null;
  ackOverdue: boolean;
  answerOverdue: boolean;
  answerDueWarning: 'dimanche' | 'jour_ferie' | null;
}

export function deadlineView(c: Complaint, today: string, zone: Zone): DeadlineView {
  const open = isOpenStatus(c.status);
  const ackPending = open && c.acknowledged_at === null && c.answered_at === null;
  const ackDaysLeft = ackPending ? joursOuvrablesBetween(today, c.ack_due_on, zone) : null;
  const answerDaysLeft = open ? joursOuvrablesBetween(today, c.answer_due_on, zone) : null;
  return {
    ackDueOn: c.ack_due_on,
    answerDueOn: c.answer_due_on,
    ackDaysLeft,
    answerDaysLeft,
    ackOverdue: ackPending && c.ack_due_on < today,
    answerOverdue: open && c.answer_due_on < today,
    answerDueWarning: answerDueWarning(c.answer_due_on, zone),
  };
}

export interface ListQuery extends Omit<ComplaintFilters, 'overdueOn' | 'answerDueBetween' | 'assigneeId' | 'teams'> {
  assignee?: 'me' | 'none' | string | undefined;
  /** complaints of this team (its processes, its members' assignments) */
  team?: string | undefined;
  /** complaints of the caller's teams */
  myTeams?: boolean | undefined;
  overdue?: boolean | undefined;
  triage?: boolean | undefined;
  dueWithinDays?: number | undefined;
  sort?: ComplaintSort | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

function encodeCursor(value: string, id: string): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(cursor: string): { value: string; id: string } {
  try {
    const [value, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof value === 'string' && typeof id === 'string' && /^[0-9a-f-]{36}$/.test(id)) return { value, id };
  } catch {
    /* fall through */
  }
  throw new ValidationError('Pagination invalide.', { cursor: 'Curseur de pagination invalide.' });
}

export async function listComplaints(deps: Deps, actor: Actor, query: ListQuery) {
  // The tenant (its holiday zone, for the day counts) is read beside the list, not before it.
  const tenantRead = tenantOf(deps, actor.tenantId);
  tenantRead.catch(() => {});
  const today = localDateOf(deps.clock.now());
  const sort = query.sort ?? '-receivedAt';
  const limit = Math.min(Math.max(query.limit ?? 25, 1), 100);
  const filters: ComplaintFilters = {
    status: query.status,
    kind: query.kind,
    cause: query.cause,
    product: query.product,
    channel: query.channel,
    priority: query.priority,
    customerId: query.customerId,
    q: query.q,
    ...(query.triage !== undefined ? { triage: query.triage } : {}),
  };
  if (query.assignee === 'me') filters.assigneeId = actor.userId;
  else if (query.assignee === 'none') filters.assigneeId = null;
  else if (query.assignee) filters.assigneeId = query.assignee;
  if (query.team !== undefined || query.myTeams) {
    filters.teams = { ...(query.team !== undefined ? { names: [query.team] } : {}), ...(query.myTeams ? { ofUserId: actor.userId } : {}) };
  }
  if (query.overdue) filters.overdueOn = today;
  if (query.dueWithinDays !== undefined) filters.answerDueBetween = { from: today, to: addDays(today, query.dueWithinDays) };
  const after = query.cursor ? decodeCursor(query.cursor) : undefined;
  const [tenant, { rows, total, totalCapped }] = await Promise.all([tenantRead, listComplaintRows(deps.db, actor.tenantId, filters, { sort, limit: limit + 1, after })]);
  const zone = tenant.zone as Zone;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((row) => ({
      ...complaintDto(row, today, zone),
      customerName: row.customer_name,
      assigneeName: row.assignee_name,
    })),
    total,
    totalCapped,
    nextCursor: rows.length > limit && last ? encodeCursor(sortValueOf(last, sort), last.id) : null,
  };
}

export function complaintDto(c: Complaint, today: string, zone: Zone) {
  return {
    id: c.id,
    reference: c.reference,
    customerId: c.customer_id,
    channel: c.channel as Channel,
    kind: c.kind,
    cause: c.cause as Cause | null,
    product: c.product as Product | null,
    priority: c.priority,
    status: c.status,
    outcome: c.outcome,
    subject: c.subject,
    nature: c.nature,
    description: c.description,
    contractNumber: c.contract_number,
    processId: c.process_id,
    assigneeId: c.assignee_id,
    sentOn: c.sent_on,
    sentOnSource: c.sent_on_source,
    receivedAt: c.received_at.toISOString(),
    acknowledgedAt: c.acknowledged_at?.toISOString() ?? null,
    answeredAt: c.answered_at?.toISOString() ?? null,
    closedAt: c.closed_at?.toISOString() ?? null,
    createdAt: c.created_at.toISOString(),
    updatedAt: c.updated_at.toISOString(),
    triageReason: c.triage_reason,
    deadlines: deadlineView(c, today, zone),
    checklist: c.checklist,
    mergedIntoId: c.merged_into_id,
  };
}

const HIDDEN_FROM_TIMELINE = ['complaint.viewed'];

export function messageDto(m: Message) {
  return {
    id: m.id,
    direction: m.direction,
    channel: m.channel,
    authorUserId: m.author_user_id,
    customerId: m.customer_id,
    subject: m.subject,
    bodyText: m.body_text,
    bodyHtml: m.body_html,
    sentAt: m.sent_at?.toISOString() ?? null,
    createdAt: m.created_at.toISOString(),
    reviewReason: m.review_reason,
    related: (m.meta as { related?: { reason: string; score: number } }).related ?? null,
    newText: m.body_new_text,
    forwardedBy: (m.meta as { forwardedBy?: { name: string | null; email: string } }).forwardedBy ?? null,
    recipient: m.recipient,
    purpose: m.purpose,
    automatic: m.automatic,
    delivery: m.delivery_status
      ? { status: m.delivery_status, error: m.delivery_error, attempts: m.delivery_attempts, deliveredAt: m.delivered_at?.toISOString() ?? null }
      : null,
    refusedAttachments: (m.meta as { refusedAttachments?: { filename: string; contentType: string; sizeBytes: number; reason: string }[] }).refusedAttachments ?? [],
  };
}

export function attachmentDto(a: Attachment) {
  return {
    id: a.id,
    messageId: a.message_id,
    filename: a.filename,
    contentType: a.content_type,
    sizeBytes: Number(a.size_bytes),
    sha256: a.sha256,
    createdAt: a.created_at.toISOString(),
    removedAt: a.removed_at?.toISOString() ?? null,
  };
}

export async function getComplaintDetail(deps: Deps, actor: Actor, complaintId: string) {
  // Two round trips, each of independent queries run side by side (one pool connection each on
  // PostgreSQL): first what the complaint id alone identifies (tenant-scoped, so nothing of another
  // tenant is ever read), then what the complaint row points to, with the access log.
  const [complaint, tenant, messages, attachments, events] = await Promise.all([
    getComplaint(deps.db, actor.tenantId, complaintId),
    tenantOf(deps, actor.tenantId),
    listComplaintMessages(deps.db, actor.tenantId, complaintId),
    listComplaintAttachments(deps.db, actor.tenantId, complaintId),
    listComplaintEvents(deps.db, actor.tenantId, complaintId, HIDDEN_FROM_TIMELINE),
  ]);
  if (!complaint) throw new NotFoundError('Réclamation introuvable.');
  const zone = tenant.zone as Zone;
  const today = localDateOf(deps.clock.now());
  const [customer, identities, assignee, process] = await Promise.all([
    getCustomer(deps.db, actor.tenantId, complaint.customer_id),
    listIdentities(deps.db, actor.tenantId, complaint.customer_id),
    complaint.assignee_id ? getUser(deps.db, actor.tenantId, complaint.assignee_id) : Promise.resolve(undefined),
    complaint.process_id ? getProcess(deps.db, actor.tenantId, complaint.process_id) : Promise.resolve(undefined),
    // RGPD: every access to a complaint is logged (the timeline read above leaves these out anyway).
    insertEvents(deps.db, [
      { tenantId: actor.tenantId, complaintId, actorUserId: actor.userId, actorKind: 'user', type: 'complaint.viewed', at: deps.clock.now() },
    ]),
  ]);
  const messageDtos = messages.map(messageDto);
  const attachmentDtos = attachments.map(attachmentDto);
  const eventDtos = events.map((e) => ({
    id: Number(e.id),
    type: e.type,
    actorKind: e.actor_kind,
    actorUserId: e.actor_user_id,
    data: e.data,
    at: e.created_at.toISOString(),
  }));
  const timeline = [
    ...messageDtos.map((m) => ({ kind: 'message' as const, at: m.createdAt, message: m })),
    ...eventDtos.map((e) => ({ kind: 'event' as const, at: e.at, event: e })),
  ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.kind === b.kind ? 0 : a.kind === 'message' ? -1 : 1));
  return {
    complaint: complaintDto(complaint, today, zone),
    customer: customer
      ? { id: customer.id, displayName: customer.display_name, complainantType: customer.complainant_type, identities }
      : null,
    assignee: assignee ? { id: assignee.id, name: assignee.name, email: assignee.email } : null,
    process: process ? { id: process.id, key: process.key, name: process.name, team: process.team, steps: process.steps } : null,
    messages: messageDtos,
    attachments: attachmentDtos,
    events: eventDtos,
    timeline,
    suggestions: suggestionsFor(complaint, messages, today, zone, customerCommunicationOf(tenant.settings).holdingReplyDays),
    allowedStatuses: allowedTransitions(complaint.status),
  };
}

/**
 * A holding reply is proposed when the answer is due within `holdingDays` jours ouvrables and the customer
 * heard nothing from us in the last two weeks; an acknowledgement when none has left yet.
 */
export function suggestionsFor(complaint: Complaint, messages: Message[], today: string, zone: Zone, holdingDays: number) {
  const open = isOpenStatus(complaint.status);
  const daysLeft = open ? joursOuvrablesBetween(today, complaint.answer_due_on, zone) : null;
  const twoWeeksAgo = new Date(`${addDays(today, -14)}T00:00:00Z`);
  const spokeLately = messages.some((m) => m.direction === 'outbound' && m.purpose !== 'ack' && m.delivery_status !== 'failed' && m.delivery_status !== 'suppressed' && m.created_at >= twoWeeksAgo);
  const ackSent = messages.some((m) => m.direction === 'outbound' && m.purpose === 'ack' && (m.delivery_status === 'queued' || m.delivery_status === 'sent' || m.delivery_status === 'delivered'));
  return {
    holdingReply: open && complaint.answered_at === null && daysLeft !== null && daysLeft <= holdingDays && !spokeLately,
    acknowledgement: open && complaint.kind === 'reclamation' && complaint.acknowledged_at === null && complaint.answered_at === null && !ackSent,
  };
}

// ---------------------------------------------------------------------------------------------------
// Changing

export interface ComplaintPatch {
  subject?: string | undefined;
  nature?: string | null | undefined;
  description?: string | undefined;
  contractNumber?: string | null | undefined;
  kind?: Kind | undefined;
  cause?: Cause | null | undefined;
  product?: Product | null | undefined;
  priority?: Priority | undefined;
  sentOn?: string | null | undefined;
}

const PATCH_COLUMNS = {
  subject: 'subject',
  nature: 'nature',
  description: 'description',
  contractNumber: 'contract_number',
  kind: 'kind',
  cause: 'cause',
  product: 'product',
  priority: 'priority',
} as const;

/** Runs `fn` on the locked complaint inside a transaction, then writes the events it returns. */
async function mutate<T>(
  deps: Deps,
  actor: Actor,
  complaintId: string,
  fn: (ctx: {
    trx: Deps['db'];
    complaint: Complaint;
    tenant: Tenant;
    now: Date;
    today: string;
  }) => Promise<{ result: T; events: Omit<NewEvent, 'tenantId' | 'complaintId' | 'actorUserId' | 'actorKind'>[] }>,
): Promise<T> {
  const tenant = await tenantOf(deps, actor.tenantId);
  return deps.db.transaction().execute(async (trx) => {
    const complaint = await getComplaintForUpdate(trx, actor.tenantId, complaintId);
    if (!complaint) throw new NotFoundError('Réclamation introuvable.');
    const now = deps.clock.now();
    const { result, events } = await fn({ trx, complaint, tenant, now, today: localDateOf(now) });
    await insertEvents(
      trx,
      events.map((e) => ({ tenantId: actor.tenantId, complaintId, actorUserId: actor.userId, actorKind: 'user' as const, at: now, ...e })),
    );
    return result;
  });
}

const QUALIFICATION_FIELDS = ['kind', 'cause', 'product', 'priority'] as const;

/**
 * Changes fields of a complaint. Changing its kind, cause, product or priority is a requalification: it
 * reroutes the complaint to the process of its new type, and the agent's choice becomes a training label
 * for the tenant's model (retrained in the background).
 */
export async function updateComplaintFields(deps: Deps, actor: Actor, complaintId: string, patch: ComplaintPatch): Promise<Complaint> {
  let requalified = false;
  const updated = await mutate(deps, actor, complaintId, async ({ trx, complaint, tenant, now }) => {
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const set: Record<string, unknown> = {};
    const values: Record<string, unknown> = { ...patch };
    if (patch.contractNumber !== undefined && patch.contractNumber !== null) {
      const normalised = normalizeContractNumber(patch.contractNumber);
      if (!normalised) throw new ValidationError('Numéro de contrat invalide.', { contractNumber: 'Numéro de contrat ou de dossier invalide.' });
      values.contractNumber = normalised;
    }
    for (const [key, column] of Object.entries(PATCH_COLUMNS)) {
      const value = values[key];
      if (value === undefined) continue;
      const current = (complaint as unknown as Record<string, unknown>)[column];
      if (current === value) continue;
      before[key] = current;
      after[key] = value;
      set[column] = value;
    }
    if (patch.sentOn !== undefined) {
      const receivedOn = localDateOf(complaint.received_at);
      if (patch.sentOn && patch.sentOn > receivedOn) {
        throw new ValidationError('Date d’envoi invalide.', { sentOn: 'La date d’envoi ne peut pas être postérieure à la réception.' });
      }
      const start = clockStart({ sentOn: patch.sentOn, receivedOn });
      if (start.startOn !== complaint.sent_on || start.source !== complaint.sent_on_source) {
        const d = computeDeadlines({ sentOn: patch.sentOn, receivedOn, zone: tenant.zone as Zone });
        before.sentOn = complaint.sent_on;
        after.sentOn = start.startOn;
        before.deadlines = { ackDueOn: complaint.ack_due_on, answerDueOn: complaint.answer_due_on };
        after.deadlines = d;
        Object.assign(set, { sent_on: start.startOn, sent_on_source: start.source, ack_due_on: d.ackDueOn, answer_due_on: d.answerDueOn });
      }
    }
    if ('kind' in set || 'cause' in set) {
      const process = await findProcessFor(trx, complaint.tenant_id, String(set.kind ?? complaint.kind), (set.cause ?? complaint.cause) as string | null);
      if ((process?.id ?? null) !== complaint.process_id) {
        before.processId = complaint.process_id;
        after.processId = process?.id ?? null;
        set.process_id = process?.id ?? null;
      }
    }
    if (Object.keys(set).length === 0) return { result: complaint, events: [] };
    // An agent who qualifies the complaint takes it out of the triage queue.
    if (complaint.triage_reason && ('kind' in set || 'cause' in set || 'product' in set)) {
      before.triageReason = complaint.triage_reason;
      after.triageReason = null;
      set.triage_reason = null;
    }
    const changedTasks = QUALIFICATION_FIELDS.filter((t) => t in after);
    if (changedTasks.length > 0 && 'process_id' in set && set.process_id && !complaint.assignee_id) {
      const picked = await pickAssignee(trx, complaint.tenant_id, String(set.process_id));
      if (picked.assigneeId) {
        set.assignee_id = picked.assigneeId;
        after.assigneeId = picked.assigneeId;
      }
    }
    const updated = await updateComplaint(trx, complaint.tenant_id, complaint.id, { ...set, updated_at: now });
    if (changedTasks.length > 0) {
      requalified = true;
      const openingId = await firstInboundMessageId(trx, complaint.tenant_id, complaint.id);
      const opening = openingId ? await getMessage(trx, complaint.tenant_id, openingId) : undefined;
      const text = opening ? `${opening.subject ?? ''}\n${opening.body_text}` : `${complaint.subject}\n${complaint.description}`;
      await insertTrainingLabels(
        trx,
        changedTasks.map((task) => ({
          tenantId: complaint.tenant_id,
          complaintId: complaint.id,
          messageId: openingId ?? null,
          text,
          task,
          label: String(after[task]),
          by: actor.userId,
          at: now,
        })),
      );
    }
    return { result: updated, events: [{ type: changedTasks.length > 0 ? 'complaint.requalified' : 'complaint.updated', data: { before, after } }] };
  });
  if (requalified) await deps.queue.add('retrain', { tenantId: actor.tenantId, requestedBy: actor.userId }, { jobId: `retrain-${actor.tenantId}` });
  return updated;
}

export async function changeStatus(
  deps: Deps,
  actor: Actor,
  complaintId: string,
  input: { status: Status; outcome?: Outcome | null | undefined; reason?: string | null | undefined },
): Promise<Complaint> {
  const changed = await mutate(deps, actor, complaintId, async ({ trx, complaint, now, today }) => {
    checkTransition({
      from: complaint.status,
      to: input.status,
      outcome: input.outcome ?? null,
      currentOutcome: complaint.outcome,
      reason: input.reason ?? null,
      role: actor.role,
      closedOn: complaint.closed_at ? localDateOf(complaint.closed_at) : null,
      today,
    });
    const set: Parameters<typeof updateComplaint>[3] = { status: input.status, updated_at: now };
    if (input.outcome) set.outcome = input.outcome;
    if (input.status === 'resolue' && complaint.answered_at === null) set.answered_at = now;
    if (input.status === 'cloturee') set.closed_at = now;
    if (input.status === 'en_cours' && (complaint.status === 'resolue' || complaint.status === 'cloturee')) {
      set.closed_at = null;
    }
    const updated = await updateComplaint(trx, complaint.tenant_id, complaint.id, set);
    return {
      result: updated,
      events: [
        {
          type: 'complaint.status_changed',
          data: {
            before: complaint.status,
            after: input.status,
            outcome: input.outcome ?? complaint.outcome,
            reason: input.reason?.trim() || null,
          },
        },
      ],
    };
  });
  // After the commit: the customer reads the new status on each channel they wrote from.
  await notifyStatus(deps, changed);
  return changed;
}

export async function assignComplaint(deps: Deps, actor: Actor, complaintId: string, assigneeId: string | null): Promise<Complaint> {
  return mutate(deps, actor, complaintId, async ({ trx, complaint, now }) => {
    await checkAssignee(deps, trx, actor.tenantId, assigneeId);
    if (complaint.assignee_id === assigneeId) return { result: complaint, events: [] };
    const updated = await updateComplaint(trx, complaint.tenant_id, complaint.id, { assignee_id: assigneeId, updated_at: now });
    return { result: updated, events: [{ type: 'complaint.assigned', data: { before: complaint.assignee_id, after: assigneeId } }] };
  });
}

export async function addNote(deps: Deps, actor: Actor, complaintId: string, text: string) {
  const body = text.trim();
  if (!body) throw new ValidationError('Note vide.', { text: 'La note ne peut pas être vide.' });
  return mutate(deps, actor, complaintId, async ({ trx, complaint, now }) => {
    const message = await insertMessage(trx, {
      tenant_id: complaint.tenant_id,
      complaint_id: complaint.id,
      direction: 'note',
      channel: 'internal',
      author_user_id: actor.userId,
      body_text: body,
      created_at: now,
    });
    return { result: message, events: [{ type: 'note.added', data: { messageId: message.id } }] };
  });
}

export async function addAttachments(deps: Deps, actor: Actor, complaintId: string, files: UploadedFile[]) {
  if (files.length === 0) throw new ValidationError('Aucun fichier.', { file: 'Choisissez au moins un fichier.' });
  checkFiles(deps, files);
  const stored = await Promise.all(files.map(async (f) => ({ file: f, blob: await deps.files.put(f.data) })));
  return mutate(deps, actor, complaintId, async ({ trx, complaint, now }) => {
    const rows = await insertAttachments(
      trx,
      stored.map(({ file, blob }) => ({
        tenant_id: complaint.tenant_id,
        complaint_id: complaint.id,
        filename: file.filename.slice(0, 255),
        content_type: file.contentType,
        size_bytes: blob.sizeBytes,
        sha256: blob.sha256,
        created_by: actor.userId,
        created_at: now,
      })),
    );
    return {
      result: rows,
      events: rows.map((a) => ({
        type: 'attachment.added',
        data: { attachmentId: a.id, filename: a.filename, sizeBytes: Number(a.size_bytes), sha256: a.sha256 },
      })),
    };
  });
}

/** An agent checked who wrote a held message: it may now be shown to the customer and answered. */
export async function confirmSender(deps: Deps, actor: Actor, complaintId: string, messageId: string): Promise<void> {
  await mutate(deps, actor, complaintId, async ({ trx, complaint }) => {
    const message = await getComplaintMessage(trx, complaint.tenant_id, complaint.id, messageId);
    if (!message) throw new NotFoundError('Message introuvable.');
    if (!message.review_reason) throw new RuleError('nothing_to_confirm', 'Ce message n’attend aucune vérification.');
    await clearReviewFlags(trx, complaint.tenant_id, [messageId]);
    return { result: undefined, events: [{ type: 'message.sender_confirmed', data: { messageId, reason: message.review_reason } }] };
  });
}

export async function removeAttachment(deps: Deps, actor: Actor, complaintId: string, attachmentId: string): Promise<void> {
  await mutate(deps, actor, complaintId, async ({ trx, complaint, now }) => {
    const existing = await getAttachment(trx, complaint.tenant_id, complaint.id, attachmentId);
    if (!existing) throw new NotFoundError('Pièce jointe introuvable.');
    if (existing.removed_at) throw new RuleError('already_removed', 'Cette pièce jointe a déjà été retirée.');
    await markAttachmentRemoved(trx, complaint.tenant_id, attachmentId, actor.userId, now);
    return { result: undefined, events: [{ type: 'attachment.removed', data: { attachmentId, filename: existing.filename } }] };
  });
}

export async function readAttachment(deps: Deps, actor: Actor, complaintId: string, attachmentId: string) {
  const attachment = await getAttachment(deps.db, actor.tenantId, complaintId, attachmentId);
  if (!attachment || attachment.removed_at) throw new NotFoundError('Pièce jointe introuvable.');
  return { attachment, data: await deps.files.get(attachment.sha256) };
}
