/**
 * What the Twilio SMS webhook does once the request is verified (src/http/routes/webhooks/twilio.ts):
 *
 * - an ordinary text message is journaled and queued for ingestion like every channel (acceptInbound);
 * - an MMS first has its media fetched (see connectors/sms/payload.ts for why before journaling);
 * - a keyword (STOP…, START…, STATUT) is not a message for a complaint: the payload is journaled all the
 *   same and, in the SAME transaction, the opt-out is recorded / the answer is queued and the journal row
 *   is closed as `ignored` with the reason. Doing it here rather than in ingestion keeps ingest free of
 *   channel commands, and the single transaction means the ingest worker never sees such a row pending
 *   (nothing is queued for it) while a provider retry finds the row and does nothing twice.
 * - a delivery status callback updates our outbound message (no journal: it is not an inbound message).
 */
import twilio from 'twilio';
import type { Deps } from '../deps.ts';
import type { Complaint } from '../db/types.ts';
import { findOutboundByExternalId } from '../db/repositories/messages.ts';
import { finishJournal, findJournal, insertJournal } from '../db/repositories/inbound.ts';
import { isOptedOut, setOptOut } from '../db/repositories/channels.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { complaintsOfPhone, customerIdOfPhone } from '../db/repositories/sms.ts';
import { localDateOf } from '../domain/calendar.ts';
import { customerStatus, type CustomerStatus } from '../domain/customer-status.ts';
import { normalizePhone } from '../domain/identity.ts';
import { SMS_STATUS_UNKNOWN, smsStatusText } from '../domain/sms.ts';
import { acceptInbound, type AcceptedInbound } from '../intake/journal.ts';
import { enqueueDelivery, queueOutbound } from '../notify/outbound.ts';
import { recordDeliveryReport } from '../notify/dispatch.ts';
import type { OpenChannel } from './channels.ts';
import { smsKeyword, type SmsKeyword } from '../../connectors/sms/keywords.ts';
import { buildComposedPayload, declaredMedia, TWILIO_FORM_TYPE, type TwilioParams } from '../../connectors/sms/payload.ts';
import { fetchAllMedia, MMS_ACCEPT, MMS_MAX_BYTES, TWILIO_API_ORIGIN, type MediaRules } from '../../connectors/sms/media.ts';

const OPEN = new Set(['nouvelle', 'en_cours', 'en_attente']);

/** The status of a complaint in the customers' wording, from the same inputs as the tracking page. */
export function complaintStatusForCustomer(complaint: Complaint, today: string): CustomerStatus {
  return customerStatus({
    status: complaint.status,
    reference: complaint.reference,
    receivedOn: localDateOf(complaint.received_at),
    answerDueOn: complaint.answer_due_on,
    acknowledged: complaint.acknowledged_at !== null,
    outcome: complaint.outcome,
    answeredOn: complaint.answered_at ? localDateOf(complaint.answered_at) : null,
    today,
  });
}

export function trackingUrl(deps: Pick<Deps, 'config'>, complaint: Pick<Complaint, 'tracking_token'>): string {
  return `${deps.config.publicUrl}/suivi/${complaint.tracking_token}`;
}

export function mediaRules(deps: Pick<Deps, 'config'>, overrides: Partial<MediaRules> = {}): MediaRules {
  const origins = [TWILIO_API_ORIGIN];
  if (deps.config.twilioApiBaseUrl) origins.push(new URL(deps.config.twilioApiBaseUrl).origin);
  return { maxBytes: MMS_MAX_BYTES, accept: MMS_ACCEPT, timeoutMs: 8_000, allowedOrigins: origins, ...overrides };
}

export interface SmsOutcome {
  /** What the webhook answers Twilio (TwiML). */
  twiml: string;
  /** For logs: what was done. */
  action: 'journaled' | 'duplicate' | 'opt_out' | 'opt_in' | 'statut';
  journalId: string;
}

const EMPTY = new twilio.twiml.MessagingResponse().toString();

/** A verified inbound SMS/MMS on `channel`. */
export async function receiveSms(deps: Deps, channel: OpenChannel<'twilio'>, raw: string, params: TwilioParams): Promise<SmsOutcome> {
  const sid = params.MessageSid ?? params.SmsSid ?? '';
  const media = declaredMedia(params);
  const keyword = media.length === 0 ? smsKeyword(params.Body ?? '') : null;
  const phone = normalizePhone(params.From ?? '');
  if (keyword && phone) return handleKeyword(deps, channel, raw, sid, phone, keyword);

  let accepted: AcceptedInbound;
  if (media.length === 0) {
    accepted = await acceptInbound(deps, { tenantId: channel.tenantId, channel: 'sms', externalId: sid, payload: new TextEncoder().encode(raw), contentType: TWILIO_FORM_TYPE });
  } else {
    // A retried MMS is already journaled: its media are not fetched a second time.
    const known = await findJournal(deps.db, channel.tenantId, 'sms', sid);
    if (known) return { twiml: EMPTY, action: 'duplicate', journalId: known.id };
    const fetched = await fetchAllMedia(
      media.map((m) => ({ url: m.url, filenameBase: `mms-${sid}-${m.index + 1}`, declaredType: m.contentType })),
      { accountSid: channel.config.accountSid, authToken: channel.secrets.authToken ?? '' },
      mediaRules(deps),
    );
    const { payload, contentType } = buildComposedPayload({ form: raw, call: null, transcription: null, ...fetched });
    accepted = await acceptInbound(deps, { tenantId: channel.tenantId, channel: 'sms', externalId: sid, payload, contentType });
  }
  return { twiml: EMPTY, action: accepted.duplicate ? 'duplicate' : 'journaled', journalId: accepted.journalId };
}

async function handleKeyword(deps: Deps, channel: OpenChannel<'twilio'>, raw: string, sid: string, phone: string, keyword: SmsKeyword): Promise<SmsOutcome> {
  const tenantId = channel.tenantId;
  const now = deps.clock.now();
  const queued: Parameters<typeof enqueueDelivery>[1][] = [];
  const result = await deps.db.transaction().execute(async (trx) => {
    const { row, created } = await insertJournal(trx, { tenantId, channel: 'sms', externalId: sid, payload: new TextEncoder().encode(raw), contentType: TWILIO_FORM_TYPE, receivedAt: now });
    const customerId = (await customerIdOfPhone(trx, tenantId, phone)) ?? null;
    if (!created) {
      // A provider retry: already handled. An unknown number asking STATUT gets the same generic answer.
      return { journalId: row.id, twiml: keyword.kind === 'statut' && !customerId ? statusUnknownTwiml() : EMPTY, duplicate: true };
    }
    if (keyword.kind === 'stop' || keyword.kind === 'start') {
      const optedOut = keyword.kind === 'stop';
      await setOptOut(trx, tenantId, 'sms', phone, optedOut, now);
      await insertEvents(trx, [{ tenantId, customerId, actorKind: 'customer', type: optedOut ? 'channel.opt_out' : 'channel.opt_in', data: { channel: 'sms', address: phone, keyword: keyword.word, journalId: row.id }, at: now }]);
      const reason = optedOut
        ? `Mot-clé ${keyword.word} : ce numéro ne reçoit plus de SMS de notre part.`
        : `Mot-clé ${keyword.word} : ce numéro reçoit de nouveau nos SMS.`;
      await finishJournal(trx, row.id, { status: 'ignored', reason, at: now });
      return { journalId: row.id, twiml: EMPTY, duplicate: false };
    }
    // STATUT [REC-…]: only the customer holding this phone hears about their own complaints.
    const complaints = customerId ? await complaintsOfPhone(trx, tenantId, phone) : [];
    const asked = keyword.reference ? complaints.find((c) => c.reference === keyword.reference) : (complaints.find((c) => OPEN.has(c.status)) ?? complaints[0]);
    if (!asked) {
      const optedOut = await isOptedOut(trx, tenantId, 'sms', phone);
      const reason = keyword.reference
        ? `Demande de statut par SMS pour ${keyword.reference}, qui n’est pas un dossier de ce numéro : réponse générique, rien n’est communiqué.`
        : 'Demande de statut par SMS d’un numéro sans dossier : réponse générique, rien n’est communiqué.';
      await finishJournal(trx, row.id, { status: 'ignored', reason: optedOut ? `${reason} (Numéro désinscrit : aucune réponse.)` : reason, at: now });
      return { journalId: row.id, twiml: optedOut ? EMPTY : statusUnknownTwiml(), duplicate: false };
    }
    const others = complaints.filter((c) => c.id !== asked.id && OPEN.has(c.status)).slice(0, 3).map((c) => c.reference);
    const text = smsStatusText(complaintStatusForCustomer(asked, localDateOf(now)), trackingUrl(deps, asked), keyword.reference ? [] : others);
    const reply = await queueOutbound(
      deps,
      trx,
      { tenantId, complaintId: asked.id, customerId, channel: 'sms', recipient: phone, subject: null, text, purpose: 'statut', automatic: true, authorUserId: null, conversationKey: `sms:${phone}` },
      { now, automaticPerHour: channel.config.autoRepliesPerHour },
    );
    queued.push(reply);
    await insertEvents(trx, [{ tenantId, complaintId: asked.id, customerId, actorKind: 'customer', type: 'customer.status_requested', data: { channel: 'sms', journalId: row.id, replyMessageId: reply.id, delivery: reply.delivery_status }, at: now }]);
    const reason =
      reply.delivery_status === 'suppressed'
        ? `Demande de statut par SMS (${asked.reference}) : réponse non envoyée — ${reply.delivery_error ?? 'supprimée'}`
        : `Demande de statut par SMS : réponse envoyée pour ${asked.reference}.`;
    await finishJournal(trx, row.id, { status: 'ignored', reason, complaintId: asked.id, messageId: reply.id, at: now });
    return { journalId: row.id, twiml: EMPTY, duplicate: false };
  });
  for (const m of queued) await enqueueDelivery(deps, m);
  const action = result.duplicate ? 'duplicate' : keyword.kind === 'stop' ? 'opt_out' : keyword.kind === 'start' ? 'opt_in' : 'statut';
  return { twiml: result.twiml, action, journalId: result.journalId };
}

function statusUnknownTwiml(): string {
  const response = new twilio.twiml.MessagingResponse();
  response.message(SMS_STATUS_UNKNOWN);
  return response.toString();
}

/**
 * Twilio's delivery status callback for one of our SMS (MessageStatus): delivered → delivered;
 * undelivered / failed → failed with Twilio's error code; queued / sending / sent say nothing new.
 */
export async function receiveDeliveryStatus(deps: Deps, channel: OpenChannel<'twilio'>, params: TwilioParams): Promise<'recorded' | 'ignored' | 'unknown'> {
  const status = params.MessageStatus ?? params.SmsStatus ?? '';
  const sid = params.MessageSid ?? params.SmsSid ?? '';
  if (!['delivered', 'undelivered', 'failed'].includes(status) || !sid) return 'ignored';
  const message = await findOutboundByExternalId(deps.db, channel.tenantId, [sid]);
  if (!message || message.channel !== 'sms') return 'unknown';
  const code = params.ErrorCode ? ` (erreur Twilio ${params.ErrorCode})` : '';
  await recordDeliveryReport(deps, message, {
    status: status === 'delivered' ? 'delivered' : 'failed',
    reason: status === 'delivered' ? null : `${status === 'undelivered' ? 'SMS non distribué' : 'Échec de l’envoi du SMS'}${code}.`,
    source: 'twilio-status-callback',
  });
  return 'recorded';
}
