import { randomUUID } from 'node:crypto';
import type { Insertable } from 'kysely';
import type { Deps } from '../deps.ts';
import type { AttachmentsTable, MessagesTable, Tenant } from '../db/types.ts';
import type { Zone } from '../domain/calendar.ts';
import { localDateOf } from '../domain/calendar.ts';
import { normalizeContractNumber, normalizeEmail, normalizePhone, normalizeSlackUser } from '../domain/identity.ts';
import { findReferences, formatReference, parseReference } from '../domain/reference.ts';
import type { ComplainantType } from '../domain/taxonomy.ts';
import { COMPLAINANT_TYPES } from '../domain/taxonomy.ts';
import {
  finishJournalMany,
  getJournal,
  lockPendingJournal,
  lockTenantIntake,
  type JournalOutcome,
  type JournalRow,
} from '../db/repositories/inbound.ts';
import { insertComplaints, lockIntakeComplaints, takeReferenceSeqs, updateComplaintsMany, type ComplaintRow } from '../db/repositories/complaints.ts';
import {
  findOutboundByExternalId,
  firstInboundMessageIds,
  insertMessages,
  messagesByExternalIds,
  openComplaintsOfConversations,
  updateDelivery,
  type MessageKey,
} from '../db/repositories/messages.ts';
import { insertAttachments } from '../db/repositories/attachments.ts';
import { complaintsWithUserEvents, insertEvents, type NewEvent } from '../db/repositories/events.ts';
import { addIdentitiesMany, findIdentitiesMany, insertCustomers, insertMergeSuggestionsMany, type Identity } from '../db/repositories/customers.ts';
import { listActiveProcesses } from '../db/repositories/processes.ts';
import { draftComplaint, moveClockEarlier } from '../services/complaint-records.ts';
import { createdEventData } from '../services/complaints.ts';
import { IdentityBook } from '../services/customers.ts';
import { mapperFor } from '../../connectors/registry.ts';
import { listUsers } from '../db/repositories/users.ts';
import { listChannels } from '../db/repositories/channels.ts';
import { QUALIFIED_COLUMNS, QualificationSession, qualifierFor } from '../classify/apply.ts';
import type { Qualification } from '../classify/qualifier.ts';
import { inboundMessageSchema, MappingError, type InboundMessage } from './contract.ts';
import { contractHints } from './hints.ts';
import { intakeSettingsOf } from './settings.ts';
import { matterScore } from './similarity.ts';

type Db = Deps['db'];
const DAY = 86_400_000;
const OPEN_STATUSES: readonly string[] = ['nouvelle', 'en_cours', 'en_attente'];

export type IngestStatus = 'processed' | 'duplicate' | 'quarantined' | 'ignored' | 'pending';
export interface IngestResult {
  status: IngestStatus;
  tenantId?: string;
  complaintId: string | null;
  messageId: string | null;
  /** How the message found its complaint. */
  via: 'new' | 'tracking' | 'headers' | 'reference' | 'conversation' | 'related' | null;
}

export const SENDER_REVIEW_REASON =
  'Expéditeur différent du client de la réclamation : vérifiez son identité avant toute réponse.';
export const WEBFORM_REVIEW_REASON =
  'Rattaché d’après une adresse ou un numéro saisis dans le formulaire public (non vérifiés) : vérifiez avant toute réponse.';

/** Maps the payload with its channel's connector; any failure is a readable reason for the quarantine. */
async function mapRow(row: JournalRow): Promise<{ ok: true; message: InboundMessage } | { ok: false; reason: string }> {
  const mapper = mapperFor(row.channel);
  if (!mapper) return { ok: false, reason: `Canal inconnu : ${row.channel}.` };
  let mapped: unknown;
  try {
    mapped = await mapper({
      tenantId: row.tenant_id,
      channel: row.channel as InboundMessage['channel'],
      externalId: row.external_id,
      payload: row.payload,
      contentType: row.content_type,
      receivedAt: row.received_at,
    });
  } catch (err) {
    if (err instanceof MappingError) return { ok: false, reason: err.reason };
    return { ok: false, reason: `Message illisible : ${(err as Error).message ?? String(err)}`.slice(0, 500) };
  }
  const parsed = inboundMessageSchema.safeParse(mapped);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'message'} : ${i.message}`)
      .join(' ; ');
    return { ok: false, reason: `Message non conforme (${detail}).` };
  }
  if (parsed.data.tenantId !== row.tenant_id || parsed.data.channel !== row.channel) {
    return { ok: false, reason: 'Le message ne correspond pas au cabinet ou au canal qui l’a reçu.' };
  }
  return { ok: true, message: parsed.data };
}

export function senderIdentities(m: InboundMessage): Identity[] {
  const out: Identity[] = [];
  const email = m.sender.email ? normalizeEmail(m.sender.email) : null;
  if (email) out.push({ kind: 'email', value: email });
  const phone = m.sender.phone ? normalizePhone(m.sender.phone) : null;
  if (phone) out.push({ kind: 'phone', value: phone });
  const slack = m.sender.slackUser ? normalizeSlackUser(m.sender.slackUser) : null;
  if (slack) out.push({ kind: 'slack', value: slack });
  for (const c of [...m.contractNumbers, ...contractHints(`${m.subject ?? ''}\n${m.text}`)]) {
    const n = normalizeContractNumber(c);
    if (n && !out.some((i) => i.kind === 'contract' && i.value === n)) out.push({ kind: 'contract', value: n });
  }
  return out;
}

/** Webmail domains: sharing one proves nothing about being a colleague. */
const PUBLIC_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'outlook.com', 'outlook.fr', 'hotmail.com', 'hotmail.fr', 'live.com', 'live.fr', 'msn.com',
  'yahoo.com', 'yahoo.fr', 'icloud.com', 'me.com', 'orange.fr', 'wanadoo.fr', 'free.fr', 'sfr.fr', 'neuf.fr', 'laposte.net', 'bbox.fr', 'aol.com', 'gmx.fr', 'proton.me', 'protonmail.com',
]);

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/** Who may forward a customer's mail on the firm's behalf: its users, and addresses of its own mail domains. */
async function colleagueCheck(trx: Db, tenant: Tenant): Promise<(email: string) => boolean> {
  const [users, channels] = await Promise.all([listUsers(trx, tenant.id), listChannels(trx, tenant.id, 'email')]);
  const emails = new Set(users.map((u) => u.email.toLowerCase()));
  const domains = new Set([tenant.email, ...channels.map((c) => c.address), ...users.map((u) => u.email)].map(domainOf).filter((d) => !PUBLIC_MAIL_DOMAINS.has(d)));
  return (email) => {
    const e = normalizeEmail(email);
    return e !== null && (emails.has(e) || domains.has(domainOf(e)));
  };
}

/** A "forward" from someone outside the firm: their own message, with what they forwarded quoted in it. */
function asOwnMessage(m: InboundMessage): InboundMessage {
  const by = m.forwardedBy!;
  const { forwardNote, ...declared } = m.declared;
  const note = forwardNote?.trim() || null;
  return {
    ...m,
    sender: { name: by.name, email: by.email, phone: null, slackUser: null },
    forwardedBy: null,
    text: note ? `${note}\n\n${m.text}` : m.text,
    newText: note,
    // The forwarded message's date is not when this sender wrote: the receipt date stands in.
    sentAt: null,
    declared: { ...declared, forwardedFrom: m.sender.email ? `${m.sender.name ?? ''} <${m.sender.email}>`.trim() : (m.sender.name ?? '') },
  };
}

export const NOISE_REASONS = {
  autoreply: 'Réponse automatique (absence, accusé de réception d’un robot) : enregistrée, aucune réclamation ni réponse.',
  bounce: 'Avis de non-distribution : le message concerné est marqué en échec.',
} as const;

function subjectOf(m: InboundMessage): string {
  const s = (m.declared.nature || m.subject || '').trim();
  if (s) return s.slice(0, 200);
  const t = (m.newText ?? m.text).replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `${t.slice(0, 77)}…` : t || '(sans objet)';
}

// ---------------------------------------------------------------------------------------------------
// Batch ingestion: one transaction for many journal rows of one tenant

/** A concurrent writer linked one of the identities this batch was creating a customer for: replay the rows. */
export class IntakeConflictError extends Error {
  constructor() {
    super('intake conflict: an identity was linked concurrently; the rows are ingested again');
    this.name = 'IntakeConflictError';
  }
}

/** A message the batch created, for the qualification that follows. */
export interface IngestedMessage {
  journalId: string;
  messageId: string;
  complaintId: string;
  /** What the classifier reads: subject and the customer's own text. */
  text: string;
}

export interface BatchOutcome {
  tenant: Tenant | undefined;
  /** True when the created messages were qualified in the same transaction (`qualify` option). */
  qualified: boolean;
  /** Per journal row handled by this batch (rows found no longer pending are absent). */
  results: Map<string, IngestResult>;
  created: IngestedMessage[];
}

type Thread = { complaint: ComplaintRow; via: 'tracking' | 'headers' | 'reference' | 'conversation' };
type Suggestion = { customerId: string; others: string[]; reason: string; evidence: Record<string, unknown>; complaintId: string; messageId?: string };

/** Our own outbound Message-IDs carry the reference: `guichet.REC-2026-000123.ack.k3f9x@host`. */
function referencesInMessageIds(ids: string[]): string[] {
  const refs: string[] = [];
  for (const id of ids) {
    const m = /^guichet\.(REC-\d{4}-\d{6,})\./i.exec(id);
    if (m && parseReference(m[1]!.toUpperCase())) refs.push(m[1]!.toUpperCase());
  }
  return refs;
}

/** `now` plus `micros` microseconds, as a timestamp string (a Date has only milliseconds). */
function batchInstant(now: Date, micros: number): string {
  if (micros <= 0) return now.toISOString();
  return `${now.toISOString().slice(0, -1)}${String(Math.min(micros, 999)).padStart(3, '0')}Z`;
}

/** What the classifier reads of a message: its subject and the customer's own text. */
const qualificationText = (m: InboundMessage) => `${m.subject ?? ''}\n${m.newText ?? m.text}`;
const CLOCK_COLUMNS = ['sent_on', 'sent_on_source', 'ack_due_on', 'answer_due_on'] as const;

const headerIdsOf = (m: InboundMessage) => [...(m.thread.inReplyTo ? [m.thread.inReplyTo] : []), ...[...m.thread.references].reverse()];
const tokensOf = (m: InboundMessage) => [...new Set([...m.thread.referenceTokens, ...findReferences(`${m.subject ?? ''}\n${m.text}`)].map((t) => t.toUpperCase()))];

/** Payloads parsed and qualified between two turns of the event loop (see prepareBatch). */
const PREPARE_SLICE = 25;

/**
 * Turns journaled payloads of one tenant into messages of complaints, exactly once, in one transaction:
 * exact duplicates become nothing new; a reply or follow-up joins its complaint; the customer is linked by
 * normalised identities (conflicts become merge suggestions); the same matter raised on another channel
 * joins the open complaint as a related message with its reason and score; otherwise a new complaint
 * opens. Rows are decided one after another, in the order given, each seeing what the earlier ones of the
 * batch created (a reply to a message of the same batch, the same customer twice) — the outcome is the one
 * the rows would get ingested one by one. Lookups are set-based (one query for all provider ids, one for
 * all identities, one for every complaint the batch may join), writes are multi-row, and the reference
 * counter is moved once per year, late in the transaction. Idempotent: rows no longer pending are skipped.
 */
export async function ingestBatch(deps: Deps, tenantId: string, rows: readonly JournalRow[], options: { qualify?: boolean } = {}): Promise<BatchOutcome> {
  return commitBatch(deps, await prepareBatch(deps, tenantId, rows, options));
}

type Model = Awaited<ReturnType<typeof qualifierFor>>;

async function prepareRow(deps: Deps, row: JournalRow, model: Model | null) {
  const mapped = await mapRow(row);
  const blobs = mapped.ok ? await Promise.all(mapped.message.attachments.map(async (a) => ({ a, blob: await deps.files.put(a.content) }))) : [];
  // The model's verdict too (CPU only, outside the transaction), used if the message is created.
  const q = model && mapped.ok && !mapped.message.noise ? model.qualify(qualificationText(mapped.message)) : null;
  return { row, mapped, blobs, q };
}

/** A batch parsed, its files stored and its messages qualified by the model: ready for commitBatch. */
export interface PreparedBatch {
  tenantId: string;
  model: Model | null;
  prepared: Awaited<ReturnType<typeof prepareRow>>[];
}

/**
 * The first half of ingestBatch, outside any transaction and without reading the complaints: parsing,
 * file bytes (content-addressed and idempotent: an unreferenced blob after a crash is harmless) and the
 * model's verdicts. It depends on nothing an earlier batch writes, so a worker prepares the next batch
 * while the previous one commits.
 */
export async function prepareBatch(deps: Deps, tenantId: string, rows: readonly JournalRow[], options: { qualify?: boolean } = {}): Promise<PreparedBatch> {
  const model = options.qualify ? await qualifierFor(deps, tenantId) : null;
  // In slices, with a turn of the event loop between them: a batch of hundreds of mails is a lot of
  // parsing, and the requests this process serves meanwhile (a webhook, a form post) must not wait for it.
  const prepared: PreparedBatch['prepared'] = [];
  for (let i = 0; i < rows.length; i += PREPARE_SLICE) {
    if (i > 0) await new Promise((resolve) => setImmediate(resolve));
    prepared.push(...(await Promise.all(rows.slice(i, i + PREPARE_SLICE).map((row) => prepareRow(deps, row, model)))));
  }
  return { tenantId, model, prepared };
}

/** The second half of ingestBatch: one transaction that threads, links, creates and (with a model) qualifies. */
export async function commitBatch(deps: Deps, batch: PreparedBatch): Promise<BatchOutcome> {
  const { tenantId, model, prepared } = batch;
  const now = deps.clock.now();
  return deps.db.transaction().execute(async (trx) => {
    const results = new Map<string, IngestResult>();
    const outcomes: JournalOutcome[] = [];
    const created: IngestedMessage[] = [];
    // In this order on the connection: the tenant's ingestion lock first, then the rows.
    const [tenant, pending] = await Promise.all([lockTenantIntake(trx, tenantId), lockPendingJournal(trx, prepared.map((p) => p.row.id))]);
    const live = prepared.filter((p) => pending.has(p.row.id));
    const quarantine = (id: string, reason: string) => {
      outcomes.push({ id, status: 'quarantined', reason, messageId: null, complaintId: null });
      results.set(id, { status: 'quarantined', complaintId: null, messageId: null, via: null });
    };
    const work: { row: JournalRow; m: InboundMessage; blobs: (typeof prepared)[number]['blobs']; q: Qualification | null }[] = [];
    for (const p of live) {
      if (!p.mapped.ok) {
        deps.logger.warn({ journalId: p.row.id, channel: p.row.channel, reason: p.mapped.reason }, 'inbound payload quarantined');
        quarantine(p.row.id, p.mapped.reason);
      } else if (!tenant) quarantine(p.row.id, 'Cabinet inconnu.');
      else work.push({ row: p.row, m: p.mapped.message, blobs: p.blobs, q: p.q });
    }
    if (!tenant || work.length === 0) {
      await finishJournalMany(trx, outcomes, now);
      return { tenant, results, created, qualified: false };
    }

    // A forward counts as such only from a colleague (a user of the firm, or its own mail domain); a
    // customer forwarding their insurer's letter is the author of that message.
    if (work.some((w) => w.m.forwardedBy)) {
      const isColleague = await colleagueCheck(trx, tenant);
      for (const w of work) {
        if (w.m.forwardedBy && !isColleague(w.m.forwardedBy.email)) {
          w.m = asOwnMessage(w.m);
          w.q = model && !w.m.noise ? model.qualify(qualificationText(w.m)) : null;
        }
      }
    }

    const settings = intakeSettingsOf(tenant.settings);
    const zone = tenant.zone as Zone;
    const openSince = new Date(now.getTime() - settings.duplicateWindowDays * DAY);
    const conversationSince = new Date(now.getTime() - settings.conversationWindowDays * DAY);
    const linking = work.filter((w) => !w.m.noise);
    const identitiesOf = new Map(linking.map((w) => [w, senderIdentities(w.m)]));

    // Set-based reads: provider ids (dedup + reply headers), identities, conversations, then every
    // complaint the batch may join, locked in one statement.
    const conversationKeys = linking.map((w) => w.m.thread.conversationKey).filter((k): k is string => k !== null);
    const [keys, identityRows, dbConversations, processes] = await Promise.all([
      messagesByExternalIds(trx, tenant.id, [...work.map((w) => w.m.externalId), ...linking.flatMap((w) => headerIdsOf(w.m))]),
      findIdentitiesMany(trx, tenant.id, [...identitiesOf.values()].flat()),
      openComplaintsOfConversations(trx, tenant.id, conversationKeys, conversationSince),
      linking.length > 0 ? listActiveProcesses(trx, tenant.id) : [],
    ]);
    const dbInbound = new Map<string, MessageKey>();
    const dbByExternal = new Map<string, MessageKey[]>();
    for (const k of keys) {
      if (k.direction === 'inbound' && !dbInbound.has(`${k.channel}\u0000${k.external_id}`)) dbInbound.set(`${k.channel}\u0000${k.external_id}`, k);
      const list = dbByExternal.get(k.external_id) ?? [];
      list.push(k);
      dbByExternal.set(k.external_id, list);
    }
    const book = new IdentityBook(identityRows);
    const threadIds = new Set<string>(dbConversations.values());
    for (const w of linking) for (const id of headerIdsOf(w.m)) for (const k of dbByExternal.get(id) ?? []) threadIds.add(k.complaint_id);
    const locked = await lockIntakeComplaints(trx, tenant.id, {
      ids: [...threadIds],
      trackingTokens: [...new Set(linking.map((w) => w.m.thread.trackingToken).filter((t): t is string => t !== null))],
      references: [...new Set(linking.flatMap((w) => [...referencesInMessageIds(headerIdsOf(w.m)), ...tokensOf(w.m)]))],
      customerIds: book.existingCustomers(),
      openSince,
    });
    const complaints = new Map(locked.map((c) => [c.id, c]));
    const byToken = new Map(locked.map((c) => [c.tracking_token, c]));
    const byReference = new Map(locked.map((c) => [c.reference, c]));
    const openByCustomer = new Map<string, ComplaintRow[]>();
    for (const c of locked) {
      if (OPEN_STATUSES.includes(c.status) && c.received_at >= openSince) openByCustomer.set(c.customer_id, [...(openByCustomer.get(c.customer_id) ?? []), c]);
    }

    // What this batch writes, in order.
    const drafts: (ComplaintRow & { year: number })[] = [];
    const draftIds = new Set<string>();
    const movedClocks = new Set<string>();
    const messages: Insertable<MessagesTable>[] = [];
    const attachments: Insertable<AttachmentsTable>[] = [];
    const events: NewEvent[] = [];
    const createdEvents: { event: NewEvent; complaint: ComplaintRow }[] = [];
    const suggestionsToRaise: Suggestion[] = [];
    const batchInbound = new Map<string, { id: string; complaintId: string }>();
    const batchByExternal = new Map<string, { complaintId: string; seq: number }>();
    const batchConversations = new Map<string, string[]>();
    let seq = 0;
    const verdicts = new Map<string, Qualification>();

    const resolveThread = (m: InboundMessage): Thread | null => {
      const lock = (id: string | undefined, via: Thread['via']): Thread | null => {
        const c = id ? complaints.get(id) : undefined;
        return c ? { complaint: c, via } : null;
      };
      if (m.thread.trackingToken) {
        const c = byToken.get(m.thread.trackingToken);
        if (c) return lock(c.id, 'tracking');
      }
      const headerIds = headerIdsOf(m);
      if (headerIds.length > 0) {
        // The newest message holding one of these ids: the batch's own (newest) first, then the database's.
        let best: { complaintId: string; seq: number } | undefined;
        for (const id of headerIds) {
          const b = batchByExternal.get(id);
          if (b && (!best || b.seq > best.seq)) best = b;
        }
        let byHeader = best?.complaintId;
        if (!byHeader) {
          let newest: MessageKey | undefined;
          for (const id of headerIds) for (const k of dbByExternal.get(id) ?? []) if (!newest || k.created_at > newest.created_at) newest = k;
          byHeader = newest?.complaint_id;
        }
        const found = lock(byHeader, 'headers');
        if (found) return found;
        for (const ref of referencesInMessageIds(headerIds)) {
          const c = byReference.get(ref);
          if (c) return lock(c.id, 'headers');
        }
      }
      for (const ref of tokensOf(m)) {
        const c = byReference.get(ref);
        if (c) return lock(c.id, 'reference');
      }
      if (m.thread.conversationKey) {
        const mine = (batchConversations.get(m.thread.conversationKey) ?? []).find((id) => OPEN_STATUSES.includes(complaints.get(id)?.status ?? 'cloturee'));
        const found = lock(mine ?? dbConversations.get(m.thread.conversationKey), 'conversation');
        if (found) return found;
      }
      return null;
    };

    const push = (e: Omit<NewEvent, 'tenantId' | 'at'>): NewEvent => {
      const event: NewEvent = { tenantId: tenant.id, at: now, ...e };
      events.push(event);
      return event;
    };
    for (const w of work) {
      const { row, m, blobs } = w;
      const journalId = row.id;
      const dupKey = `${m.channel}\u0000${m.externalId}`;
      const existing = batchInbound.get(dupKey) ?? (dbInbound.has(dupKey) ? { id: dbInbound.get(dupKey)!.id, complaintId: dbInbound.get(dupKey)!.complaint_id } : undefined);
      if (existing) {
        outcomes.push({ id: journalId, status: 'duplicate', messageId: existing.id, complaintId: existing.complaintId, reason: null });
        results.set(journalId, { status: 'duplicate', complaintId: existing.complaintId, messageId: existing.id, via: null });
        continue;
      }
      if (m.noise) {
        const noise = await recordNoise(trx, tenant, journalId, m, now);
        events.push(...noise.events);
        outcomes.push(noise.outcome);
        results.set(journalId, noise.result);
        continue;
      }
      const identities = identitiesOf.get(w) ?? senderIdentities(m);
      const sentOn = m.sentAt ? localDateOf(m.sentAt) : null;
      const suggestions: Omit<Suggestion, 'complaintId'>[] = [];
      const declaredType = COMPLAINANT_TYPES.includes(m.declared.complainantType as ComplainantType)
        ? (m.declared.complainantType as ComplainantType)
        : undefined;
      const profile = { name: m.sender.name ?? m.sender.email ?? m.sender.phone ?? 'Client sans nom', type: declaredType };
      // What the customer wrote in this message, without the quoted history (the full text is kept too).
      const ownText = m.newText ?? m.text;

      let complaint: ComplaintRow;
      let customerId: string;
      let via: IngestResult['via'];
      let reviewReason: string | null = null;
      let related: { reason: string; score: number } | null = null;

      const thread = resolveThread(m);
      if (thread) {
        complaint = thread.complaint;
        via = thread.via;
        const owner = complaint.customer_id;
        const known = identities.some((i) => i.kind !== 'contract' && book.holder(i) === owner);
        // An address typed in the public form proves nothing: only the tracking link does, on that channel.
        const trusted = via === 'tracking' || via === 'conversation' || (known && m.channel !== 'webform');
        if (trusted) {
          customerId = owner;
          // New identities the customer gave (a phone on their tracking page) are linked, unless someone else holds them.
          const link = book.link(identities, profile);
          if (link.customerId !== customerId && !link.created) {
            suggestions.push({ customerId, others: [link.customerId], reason: 'identity_held_by_other_customer', evidence: { identities: link.found } });
          }
          if (link.created) suggestionsToRaise.push({ customerId, others: [link.customerId], reason: 'new_identity_on_thread', evidence: { identities }, complaintId: complaint.id });
        } else {
          // Someone else writes about this complaint: keep the message, flag it, and let an agent decide.
          const link = book.link(identities, profile);
          customerId = link.customerId;
          reviewReason = known ? WEBFORM_REVIEW_REASON : SENDER_REVIEW_REASON;
          if (link.customerId !== owner) {
            suggestions.push({ customerId: owner, others: [link.customerId], reason: 'sender_differs_from_complaint_customer', evidence: { via, senderIdentities: identities } });
          }
        }
      } else {
        const link = book.link(identities, profile);
        customerId = link.customerId;
        if (link.created) push({ actorKind: 'system', type: 'customer.created', customerId, data: { channel: m.channel } });
        if (link.conflicts.length > 0) {
          suggestions.push({ customerId, others: link.conflicts, reason: 'identities_conflict', evidence: { identities: link.found } });
        }
        const contractNumbers = identities.filter((i) => i.kind === 'contract').map((i) => i.value);
        const candidates = (openByCustomer.get(customerId) ?? [])
          .filter((c) => c.received_at >= openSince)
          .sort((x, y) => y.received_at.getTime() - x.received_at.getTime())
          .slice(0, 20);
        const scored = candidates
          .map((c) => ({ c, ...matterScore({ text: ownText, subject: m.subject, contractNumbers }, { subject: c.subject, description: c.description, contractNumber: c.contract_number }) }))
          .filter((x) => x.score >= settings.duplicateThreshold)
          .sort((x, y) => y.score - x.score);
        const best = scored[0];
        if (best) {
          complaint = best.c;
          via = 'related';
          related = { reason: best.reason, score: best.score };
          if (m.channel === 'webform') reviewReason = WEBFORM_REVIEW_REASON;
        } else {
          const contract = contractNumbers[0] ?? null;
          const draft = draftComplaint(
            {
              id: randomUUID(),
              tenant,
              customerId,
              channel: m.channel,
              sentOn,
              receivedAt: m.receivedAt,
              subject: subjectOf(m),
              nature: m.declared.nature?.trim() || null,
              description: ownText.trim() || subjectOf(m),
              contractNumber: contract,
              createdBy: null,
              now,
            },
            processes,
          );
          drafts.push(draft);
          draftIds.add(draft.id);
          complaints.set(draft.id, draft);
          openByCustomer.set(customerId, [...(openByCustomer.get(customerId) ?? []), draft]);
          complaint = draft;
          via = 'new';
          // The reference is filled in once the batch's numbers are taken; the rest is as of now.
          const event = push({ actorKind: 'system', type: 'complaint.created', customerId, complaintId: draft.id, data: { ...createdEventData({ ...draft, search_vector: "" }), journalId } });
          createdEvents.push({ event, complaint: draft });
        }
      }

      const messageId = randomUUID();
      messages.push({
        id: messageId,
        tenant_id: tenant.id,
        complaint_id: complaint.id,
        direction: 'inbound',
        channel: m.channel,
        customer_id: customerId,
        subject: m.subject,
        body_text: m.text,
        body_new_text: m.newText,
        body_html: m.html,
        external_id: m.externalId,
        sent_at: m.sentAt,
        // One microsecond apart, in batch order: the messages of a complaint keep the order in which
        // they were ingested (the opening message is its earliest), as when each had its own instant.
        created_at: batchInstant(now, seq),
        conversation_key: m.thread.conversationKey,
        journal_id: journalId,
        review_reason: reviewReason,
        meta: JSON.stringify({
          via,
          ...(related ? { related } : {}),
          ...(m.language ? { language: m.language } : {}),
          ...(Object.keys(m.declared).length ? { declared: m.declared } : {}),
          ...(m.forwardedBy ? { forwardedBy: m.forwardedBy } : {}),
          ...(m.refusedAttachments.length ? { refusedAttachments: m.refusedAttachments } : {}),
          // Kept so that our answer can carry the whole References chain.
          ...(m.thread.references.length ? { references: m.thread.references } : {}),
        }),
      });
      seq++;
      batchInbound.set(dupKey, { id: messageId, complaintId: complaint.id });
      batchByExternal.set(m.externalId, { complaintId: complaint.id, seq });
      if (m.thread.conversationKey) batchConversations.set(m.thread.conversationKey, [complaint.id, ...(batchConversations.get(m.thread.conversationKey) ?? [])]);
      const files = blobs.map(({ a, blob }) => ({
        id: randomUUID(),
        tenant_id: tenant.id,
        complaint_id: complaint.id,
        message_id: messageId,
        filename: a.filename,
        content_type: a.contentType,
        size_bytes: blob.sizeBytes,
        sha256: blob.sha256,
        created_at: now,
      }));
      attachments.push(...files);
      if (via !== 'new') {
        push({
          actorKind: 'customer',
          type: related ? 'message.attached_as_related' : 'message.received',
          customerId,
          complaintId: complaint.id,
          data: { messageId, channel: m.channel, via, ...(related ?? {}), ...(reviewReason ? { review: reviewReason } : {}) },
        });
        if (sentOn) {
          const moved = moveClockEarlier(complaint, sentOn, zone, now);
          if (moved) {
            if (!draftIds.has(complaint.id)) movedClocks.add(complaint.id);
            push({ actorKind: 'system', type: 'complaint.clock_moved', complaintId: complaint.id, data: { before: moved.before, after: moved.after, messageId } });
          }
        }
      }
      for (const a of files) {
        push({ actorKind: 'customer', type: 'attachment.added', complaintId: complaint.id, data: { attachmentId: a.id, filename: a.filename, sizeBytes: Number(a.size_bytes), sha256: a.sha256, messageId } });
      }
      for (const r of m.refusedAttachments) {
        push({ actorKind: 'system', type: 'attachment.refused', complaintId: complaint.id, data: { messageId, filename: r.filename, contentType: r.contentType, sizeBytes: r.sizeBytes, reason: r.reason } });
      }
      if (m.forwardedBy) {
        push({ actorKind: 'system', type: 'message.forwarded', complaintId: complaint.id, customerId, data: { messageId, forwardedBy: m.forwardedBy } });
      }
      for (const s of suggestions) {
        suggestionsToRaise.push({ ...s, complaintId: complaint.id, messageId });
        push({ actorKind: 'system', type: 'customer.merge_suggested', complaintId: complaint.id, customerId: s.customerId, data: { others: s.others, reason: s.reason } });
      }
      outcomes.push({ id: journalId, status: 'processed', messageId, complaintId: complaint.id, reason: null });
      results.set(journalId, { status: 'processed', tenantId: tenant.id, complaintId: complaint.id, messageId, via });
      created.push({ journalId, messageId, complaintId: complaint.id, text: qualificationText(m) });
      if (w.q) verdicts.set(messageId, w.q);
    }

    // Qualification of what was created, in the same order and in memory too: a new complaint is inserted
    // already qualified and routed; an existing one is updated once with the ingestion's changes.
    const session = model && created.length > 0 ? new QualificationSession(trx, tenant, processes, now) : null;
    const qualifiedExisting = new Set<string>();
    if (session) {
      const existing = [...new Set(created.map((c) => c.complaintId))].filter((id) => !draftIds.has(id));
      const firstInDb = await firstInboundMessageIds(trx, tenant.id, existing);
      const firstInBatch = new Map<string, string>();
      for (const c of created) if (!firstInBatch.has(c.complaintId)) firstInBatch.set(c.complaintId, c.messageId);
      // Agents' choices matter only where a message of the batch opens the complaint.
      const agentQualified = await complaintsWithUserEvents(trx, tenant.id, existing.filter((id) => !firstInDb.has(id)), ['complaint.updated', 'complaint.requalified']);
      for (const c of created) {
        const q = verdicts.get(c.messageId);
        if (!q) continue;
        const opening = (firstInDb.get(c.complaintId) ?? firstInBatch.get(c.complaintId)) === c.messageId;
        const changed = await session.decide(complaints.get(c.complaintId)!, c.messageId, q, opening, agentQualified.has(c.complaintId));
        if (changed && !draftIds.has(c.complaintId)) qualifiedExisting.add(c.complaintId);
      }
    }

    // Writes: customers and identities first (merge suggestions point at them), then what holds no lock
    // anyone waits for; the reference counter last, so that its row lock is held as briefly as possible.
    // Statements that do not depend on each other are sent together (the connection runs them in turn,
    // without a round trip through this code in between).
    await insertCustomers(trx, tenant.id, book.newCustomers.map((c) => ({ ...c, at: now })));
    const updated = [...new Set([...movedClocks, ...qualifiedExisting])].map((id) => complaints.get(id)!);
    const [inserted] = await Promise.all([
      addIdentitiesMany(trx, tenant.id, book.newIdentities),
      insertMergeSuggestionsMany(trx, suggestionsToRaise.flatMap((s) => s.others.map((other) => ({ tenantId: tenant.id, ...s, otherCustomerId: other, at: now })))),
      updateComplaintsMany(trx, tenant.id, [...CLOCK_COLUMNS, ...(session ? QUALIFIED_COLUMNS : [])], updated),
      finishJournalMany(trx, outcomes, now),
    ]);
    if (book.newIdentities.some((i) => i.forNewCustomer && !inserted.has(`${i.kind}\u0000${i.value}`))) throw new IntakeConflictError();
    for (const year of [...new Set(drafts.map((d) => d.year))]) {
      const ofYear = drafts.filter((d) => d.year === year);
      const first = await takeReferenceSeqs(trx, tenant.id, year, ofYear.length);
      ofYear.forEach((d, i) => (d.reference = formatReference(year, first + i)));
    }
    for (const { event, complaint } of createdEvents) (event.data as { reference: string }).reference = complaint.reference;
    await Promise.all([
      insertComplaints(trx, drafts.map(({ year: _year, checklist: _checklist, merged_into_id: _merged, ...d }) => d)).then(() => insertMessages(trx, messages)).then(() => insertAttachments(trx, attachments)),
      insertEvents(trx, events),
    ]);
    if (session) {
      await session.write();
      await session.escalate([...new Set(created.map((c) => c.complaintId))].map((id) => complaints.get(id)!));
    }
    return { tenant, results, created, qualified: session !== null };
  });
}

/**
 * An auto-reply or a bounce: never a complaint, never an acknowledgement. It is recorded on the journal
 * (status `ignored`, with the reason) and, when it concerns one of our messages, on that complaint's
 * history; a bounce marks our message's delivery failed.
 */
async function recordNoise(trx: Db, tenant: Tenant, journalId: string, m: InboundMessage, now: Date): Promise<{ events: NewEvent[]; outcome: JournalOutcome; result: IngestResult }> {
  const noise = m.noise!;
  const ids = [...noise.relatesTo, ...headerIdsOf(m)];
  const ours = await findOutboundByExternalId(trx, tenant.id, [...new Set(ids)]);
  const events: NewEvent[] = [];
  if (ours) {
    if (noise.kind === 'bounce') {
      await updateDelivery(trx, tenant.id, ours.id, { delivery_status: 'failed', delivery_error: (noise.detail ?? 'Message non distribué.').slice(0, 1000) });
    }
    events.push({
      tenantId: tenant.id,
      complaintId: ours.complaint_id,
      actorKind: 'system',
      type: noise.kind === 'bounce' ? 'message.delivery_failed' : 'message.autoreply_received',
      data: { messageId: ours.id, channel: m.channel, source: noise.kind, journalId, ...(noise.detail ? { reason: noise.detail } : {}) },
      at: now,
    });
  }
  const reason = noise.detail ? `${NOISE_REASONS[noise.kind]} (${noise.detail})`.slice(0, 1000) : NOISE_REASONS[noise.kind];
  return {
    events,
    outcome: { id: journalId, status: 'ignored', reason, messageId: null, complaintId: ours?.complaint_id ?? null },
    result: { status: 'ignored', tenantId: tenant.id, complaintId: ours?.complaint_id ?? null, messageId: null, via: null },
  };
}

/**
 * Ingests one journaled payload (a batch of one row): see ingestBatch. Idempotent: replaying a row that is
 * no longer pending does nothing and tells what became of it.
 */
export async function ingestJournal(deps: Deps, journalId: string): Promise<IngestResult> {
  const row = await getJournal(deps.db, journalId);
  if (!row || row.status !== 'pending') {
    return { status: row?.status ?? 'ignored', complaintId: row?.complaint_id ?? null, messageId: row?.message_id ?? null, via: null };
  }
  const { results } = await ingestBatch(deps, row.tenant_id, [row]);
  const result = results.get(journalId);
  if (result) return result;
  const now = await getJournal(deps.db, journalId);
  return { status: now?.status ?? 'ignored', complaintId: now?.complaint_id ?? null, messageId: now?.message_id ?? null, via: null };
}
