import type { Deps } from '../deps.ts';
import type { Complaint, Tenant } from '../db/types.ts';
import type { Zone } from '../domain/calendar.ts';
import { localDateOf } from '../domain/calendar.ts';
import { normalizeContractNumber, normalizeEmail, normalizePhone, normalizeSlackUser } from '../domain/identity.ts';
import { findReferences, parseReference } from '../domain/reference.ts';
import type { ComplainantType } from '../domain/taxonomy.ts';
import { COMPLAINANT_TYPES } from '../domain/taxonomy.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { finishJournal, getJournal, lockJournal, type JournalRow } from '../db/repositories/inbound.ts';
import {
  getComplaintByReference,
  getComplaintByTrackingToken,
  getComplaintForUpdate,
  recentOpenComplaintsOfCustomer,
} from '../db/repositories/complaints.ts';
import {
  complaintIdsByMessageIds,
  findInboundByExternalId,
  findOutboundByExternalId,
  insertMessage,
  openComplaintOfConversation,
  updateDelivery,
} from '../db/repositories/messages.ts';
import { insertAttachments } from '../db/repositories/attachments.ts';
import { insertEvents, type NewEvent } from '../db/repositories/events.ts';
import { listIdentities, type Identity } from '../db/repositories/customers.ts';
import { applyEarlierSending, openComplaint } from '../services/complaint-records.ts';
import { createdEventData } from '../services/complaints.ts';
import { linkIdentities, raiseMergeSuggestions } from '../services/customers.ts';
import { mapperFor } from '../../connectors/registry.ts';
import { inboundMessageSchema, MappingError, type InboundMessage } from './contract.ts';
import { contractHints } from './hints.ts';
import { intakeSettingsOf } from './settings.ts';
import { matterScore } from './similarity.ts';

type Db = Deps['db'];
const DAY = 86_400_000;

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

/** Our own outbound Message-IDs carry the reference: `guichet.REC-2026-000123.ack.k3f9x@host`. */
function referencesInMessageIds(ids: string[]): string[] {
  const refs: string[] = [];
  for (const id of ids) {
    const m = /^guichet\.(REC-\d{4}-\d{6,})\./i.exec(id);
    if (m && parseReference(m[1]!.toUpperCase())) refs.push(m[1]!.toUpperCase());
  }
  return refs;
}

type Thread = { complaint: Complaint; via: 'tracking' | 'headers' | 'reference' | 'conversation' };

/** Finds the complaint a message continues, strongest evidence first. */
async function resolveThread(trx: Db, tenant: Tenant, m: InboundMessage, now: Date): Promise<Thread | null> {
  const lock = async (id: string | undefined, via: Thread['via']): Promise<Thread | null> => {
    if (!id) return null;
    const c = await getComplaintForUpdate(trx, tenant.id, id);
    return c ? { complaint: c, via } : null;
  };
  if (m.thread.trackingToken) {
    const c = await getComplaintByTrackingToken(trx, m.thread.trackingToken);
    if (c && c.tenant_id === tenant.id) return lock(c.id, 'tracking');
  }
  const headerIds = [...(m.thread.inReplyTo ? [m.thread.inReplyTo] : []), ...[...m.thread.references].reverse()];
  if (headerIds.length > 0) {
    const [byHeader] = await complaintIdsByMessageIds(trx, tenant.id, headerIds);
    const found = await lock(byHeader, 'headers');
    if (found) return found;
    for (const ref of referencesInMessageIds(headerIds)) {
      const c = await getComplaintByReference(trx, tenant.id, ref);
      if (c) return lock(c.id, 'headers');
    }
  }
  const tokens = [...m.thread.referenceTokens, ...findReferences(`${m.subject ?? ''}\n${m.text}`)];
  for (const ref of [...new Set(tokens.map((t) => t.toUpperCase()))]) {
    const c = await getComplaintByReference(trx, tenant.id, ref);
    if (c) return lock(c.id, 'reference');
  }
  if (m.thread.conversationKey) {
    const days = intakeSettingsOf(tenant.settings).conversationWindowDays;
    const id = await openComplaintOfConversation(trx, tenant.id, m.thread.conversationKey, new Date(now.getTime() - days * DAY));
    const found = await lock(id, 'conversation');
    if (found) return found;
  }
  return null;
}

export const NOISE_REASONS = {
  autoreply: 'Réponse automatique (absence, accusé de réception d’un robot) : enregistrée, aucune réclamation ni réponse.',
  bounce: 'Avis de non-distribution : le message concerné est marqué en échec.',
} as const;

/**
 * An auto-reply or a bounce: never a complaint, never an acknowledgement. It is recorded on the journal
 * (status `ignored`, with the reason) and, when it concerns one of our messages, on that complaint's
 * history; a bounce marks our message's delivery failed.
 */
async function recordNoise(trx: Db, tenant: Tenant, journalId: string, m: InboundMessage, now: Date): Promise<IngestResult> {
  const noise = m.noise!;
  const ids = [...noise.relatesTo, ...(m.thread.inReplyTo ? [m.thread.inReplyTo] : []), ...[...m.thread.references].reverse()];
  const ours = await findOutboundByExternalId(trx, tenant.id, [...new Set(ids)]);
  if (ours) {
    if (noise.kind === 'bounce') {
      await updateDelivery(trx, tenant.id, ours.id, { delivery_status: 'failed', delivery_error: (noise.detail ?? 'Message non distribué.').slice(0, 1000) });
    }
    await insertEvents(trx, [
      {
        tenantId: tenant.id,
        complaintId: ours.complaint_id,
        actorKind: 'system',
        type: noise.kind === 'bounce' ? 'message.delivery_failed' : 'message.autoreply_received',
        data: { messageId: ours.id, channel: m.channel, source: noise.kind, journalId, ...(noise.detail ? { reason: noise.detail } : {}) },
        at: now,
      },
    ]);
  }
  const reason = noise.detail ? `${NOISE_REASONS[noise.kind]} (${noise.detail})`.slice(0, 1000) : NOISE_REASONS[noise.kind];
  await finishJournal(trx, journalId, { status: 'ignored', reason, messageId: null, complaintId: ours?.complaint_id ?? null, at: now });
  return { status: 'ignored', tenantId: tenant.id, complaintId: ours?.complaint_id ?? null, messageId: null, via: null };
}

function subjectOf(m: InboundMessage): string {
  const s = (m.declared.nature || m.subject || '').trim();
  if (s) return s.slice(0, 200);
  const t = (m.newText ?? m.text).replace(/\s+/g, ' ').trim();
  return t.length > 80 ? `${t.slice(0, 77)}…` : t || '(sans objet)';
}

/**
 * Turns one journaled payload into a message of a complaint, exactly once: exact duplicates become nothing
 * new; a reply or follow-up joins its complaint; the customer is linked by normalised identities (conflicts
 * become merge suggestions); the same matter raised on another channel joins the open complaint as a
 * related message with its reason and score; otherwise a new complaint opens. Idempotent: replaying a row
 * that is no longer pending does nothing.
 */
export async function ingestJournal(deps: Deps, journalId: string): Promise<IngestResult> {
  const row = await getJournal(deps.db, journalId);
  if (!row || row.status !== 'pending') {
    return { status: row?.status ?? 'ignored', complaintId: row?.complaint_id ?? null, messageId: row?.message_id ?? null, via: null };
  }
  const now = deps.clock.now();
  const mapped = await mapRow(row);
  if (!mapped.ok) {
    await finishJournal(deps.db, journalId, { status: 'quarantined', reason: mapped.reason, at: now });
    deps.logger.warn({ journalId, channel: row.channel, reason: mapped.reason }, 'inbound payload quarantined');
    return { status: 'quarantined', complaintId: null, messageId: null, via: null };
  }
  const m = mapped.message;
  const tenant = await getTenant(deps.db, row.tenant_id);
  if (!tenant) {
    await finishJournal(deps.db, journalId, { status: 'quarantined', reason: 'Cabinet inconnu.', at: now });
    return { status: 'quarantined', complaintId: null, messageId: null, via: null };
  }
  // Bytes first (content-addressed, idempotent): an unreferenced blob after a crash is harmless.
  const blobs = await Promise.all(m.attachments.map(async (a) => ({ a, blob: await deps.files.put(a.content) })));

  return deps.db.transaction().execute(async (trx) => {
    const locked = await lockJournal(trx, journalId);
    if (!locked || locked.status !== 'pending') {
      return { status: locked?.status ?? 'ignored', complaintId: locked?.complaint_id ?? null, messageId: locked?.message_id ?? null, via: null };
    }
    const existing = await findInboundByExternalId(trx, tenant.id, m.channel, m.externalId);
    if (existing) {
      await finishJournal(trx, journalId, { status: 'duplicate', messageId: existing.id, complaintId: existing.complaint_id, at: now });
      return { status: 'duplicate', complaintId: existing.complaint_id, messageId: existing.id, via: null };
    }
    if (m.noise) return recordNoise(trx, tenant, journalId, m, now);
    const settings = intakeSettingsOf(tenant.settings);
    const zone = tenant.zone as Zone;
    const identities = senderIdentities(m);
    const sentOn = m.sentAt ? localDateOf(m.sentAt) : null;
    const events: Omit<NewEvent, 'tenantId'>[] = [];
    const suggestions: { customerId: string; others: string[]; reason: string; evidence: Record<string, unknown> }[] = [];
    const declaredType = COMPLAINANT_TYPES.includes(m.declared.complainantType as ComplainantType)
      ? (m.declared.complainantType as ComplainantType)
      : undefined;
    const profile = { name: m.sender.name ?? m.sender.email ?? m.sender.phone ?? 'Client sans nom', type: declaredType };
    // What the customer wrote in this message, without the quoted history (the full text is kept too).
    const ownText = m.newText ?? m.text;

    let complaint: Complaint;
    let customerId: string;
    let via: IngestResult['via'];
    let reviewReason: string | null = null;
    let related: { reason: string; score: number } | null = null;

    const thread = await resolveThread(trx, tenant, m, now);
    if (thread) {
      complaint = thread.complaint;
      via = thread.via;
      const ownIdentities = await listIdentities(trx, tenant.id, complaint.customer_id);
      const known = identities.some((i) => i.kind !== 'contract' && ownIdentities.some((o) => o.kind === i.kind && o.value === i.value));
      // An address typed in the public form proves nothing: only the tracking link does, on that channel.
      const trusted = via === 'tracking' || via === 'conversation' || (known && m.channel !== 'webform');
      if (trusted) {
        customerId = complaint.customer_id;
        // New identities the customer gave (a phone on their tracking page) are linked, unless someone else holds them.
        const link = await linkIdentities(trx, tenant.id, identities, profile);
        if (link.customerId !== customerId && !link.created) {
          suggestions.push({ customerId, others: [link.customerId], reason: 'identity_held_by_other_customer', evidence: { identities: link.found } });
        }
        if (link.created) await raiseMergeSuggestions(trx, { tenantId: tenant.id, customerId, others: [link.customerId], reason: 'new_identity_on_thread', evidence: { identities }, complaintId: complaint.id, at: now });
      } else {
        // Someone else writes about this complaint: keep the message, flag it, and let an agent decide.
        const link = await linkIdentities(trx, tenant.id, identities, profile);
        customerId = link.customerId;
        reviewReason = known ? WEBFORM_REVIEW_REASON : SENDER_REVIEW_REASON;
        if (link.customerId !== complaint.customer_id) {
          suggestions.push({
            customerId: complaint.customer_id,
            others: [link.customerId],
            reason: 'sender_differs_from_complaint_customer',
            evidence: { via, senderIdentities: identities },
          });
        }
      }
    } else {
      const link = await linkIdentities(trx, tenant.id, identities, profile);
      customerId = link.customerId;
      if (link.created) events.push({ actorKind: 'system', type: 'customer.created', customerId, data: { channel: m.channel } });
      if (link.conflicts.length > 0) {
        suggestions.push({ customerId, others: link.conflicts, reason: 'identities_conflict', evidence: { identities: link.found } });
      }
      const candidates = await recentOpenComplaintsOfCustomer(trx, tenant.id, customerId, new Date(now.getTime() - settings.duplicateWindowDays * DAY));
      const scored = candidates
        .map((c) => ({ c, ...matterScore({ text: ownText, subject: m.subject, contractNumbers: identities.filter((i) => i.kind === 'contract').map((i) => i.value) }, { subject: c.subject, description: c.description, contractNumber: c.contract_number }) }))
        .filter((x) => x.score >= settings.duplicateThreshold)
        .sort((x, y) => y.score - x.score);
      const best = scored[0];
      if (best) {
        complaint = (await getComplaintForUpdate(trx, tenant.id, best.c.id))!;
        via = 'related';
        related = { reason: best.reason, score: best.score };
        if (m.channel === 'webform') reviewReason = WEBFORM_REVIEW_REASON;
      } else {
        const contract = identities.find((i) => i.kind === 'contract')?.value ?? null;
        complaint = await openComplaint(trx, {
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
        });
        via = 'new';
        events.push({ actorKind: 'system', type: 'complaint.created', customerId, complaintId: complaint.id, data: { ...createdEventData(complaint), journalId } });
      }
    }

    const message = await insertMessage(trx, {
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
      created_at: now,
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
    const attachments = await insertAttachments(
      trx,
      blobs.map(({ a, blob }) => ({
        tenant_id: tenant.id,
        complaint_id: complaint.id,
        message_id: message.id,
        filename: a.filename,
        content_type: a.contentType,
        size_bytes: blob.sizeBytes,
        sha256: blob.sha256,
        created_at: now,
      })),
    );
    if (via !== 'new') {
      events.push({
        actorKind: 'customer',
        type: related ? 'message.attached_as_related' : 'message.received',
        customerId,
        complaintId: complaint.id,
        data: { messageId: message.id, channel: m.channel, via, ...(related ?? {}), ...(reviewReason ? { review: reviewReason } : {}) },
      });
      if (sentOn) {
        const moved = await applyEarlierSending(trx, complaint, sentOn, zone, now);
        if (moved) events.push({ actorKind: 'system', type: 'complaint.clock_moved', complaintId: complaint.id, data: { before: moved.before, after: moved.after, messageId: message.id } });
      }
    }
    for (const a of attachments) {
      events.push({ actorKind: 'customer', type: 'attachment.added', complaintId: complaint.id, data: { attachmentId: a.id, filename: a.filename, sizeBytes: Number(a.size_bytes), sha256: a.sha256, messageId: message.id } });
    }
    for (const r of m.refusedAttachments) {
      events.push({ actorKind: 'system', type: 'attachment.refused', complaintId: complaint.id, data: { messageId: message.id, filename: r.filename, contentType: r.contentType, sizeBytes: r.sizeBytes, reason: r.reason } });
    }
    if (m.forwardedBy) {
      events.push({ actorKind: 'system', type: 'message.forwarded', complaintId: complaint.id, customerId, data: { messageId: message.id, forwardedBy: m.forwardedBy } });
    }
    for (const s of suggestions) {
      await raiseMergeSuggestions(trx, { tenantId: tenant.id, ...s, complaintId: complaint.id, messageId: message.id, at: now });
      events.push({ actorKind: 'system', type: 'customer.merge_suggested', complaintId: complaint.id, customerId: s.customerId, data: { others: s.others, reason: s.reason } });
    }
    await insertEvents(trx, events.map((e) => ({ tenantId: tenant.id, at: now, ...e })));
    await finishJournal(trx, journalId, { status: 'processed', messageId: message.id, complaintId: complaint.id, at: now });
    return { status: 'processed' as const, tenantId: tenant.id, complaintId: complaint.id, messageId: message.id, via };
  });
}

