/**
 * Voice messages through a Twilio number (src/http/routes/webhooks/twilio.ts verifies each request):
 *
 * 1. Incoming call → the call's parameters (caller, called number) are journaled as `voice` /
 *    `<CallSid>:call`, closed at once as `ignored` (it is not a message yet; the recording callback carries
 *    neither From nor To), and Twilio gets the French greeting and <Record> (TwiML).
 * 2. Recording ready (recordingStatusCallback) → the audio is fetched and the voice message is journaled
 *    as `voice` / `<CallSid>` — a composed payload of the recording callback, the call's parameters, the
 *    audio and, if it came first, the transcription — then ingested like any message: a call without
 *    transcription still makes a complaint an agent can listen to.
 * 3. Transcription (transcribeCallback, usually later) → journaled as `voice` / `<CallSid>:transcription`,
 *    closed as `ignored` in the same transaction (ingest never maps it: it must not open a complaint), then
 *    applied to the voice message: its text becomes the transcription and classification is queued again.
 *
 * `reconcileVoice` applies a waiting transcription; both callbacks run it after their own commit, so
 * whichever order they come in (and even when they cross), the last one to commit sees both rows and the
 * transcription is applied exactly once (journal row and message locked). If the recording is journaled
 * but not yet ingested, it ingests it on the spot (the same idempotent ingestJournal the worker runs).
 */
import twilio from 'twilio';
import type { Deps } from '../deps.ts';
import { findJournal, finishJournal, insertJournal, lockJournal } from '../db/repositories/inbound.ts';
import { findInboundByExternalId } from '../db/repositories/messages.ts';
import { getComplaintForUpdate, updateComplaint } from '../db/repositories/complaints.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { lockInboundMessage, setInboundText } from '../db/repositories/sms.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { acceptInbound } from '../intake/journal.ts';
import { ingestJournal } from '../intake/ingest.ts';
import type { OpenChannel } from './channels.ts';
import { mediaRules } from './sms-inbound.ts';
import { transcriptionText } from '../../connectors/sms/mapper.ts';
import { buildComposedPayload, parseTwilioForm, TWILIO_FORM_TYPE, type RefusedMedia, type TwilioParams } from '../../connectors/sms/payload.ts';
import { fetchMedia, RECORDING_MAX_BYTES } from '../../connectors/sms/media.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export const callKey = (callSid: string) => `${callSid}:call`;
export const transcriptionKey = (callSid: string) => `${callSid}:transcription`;

/** Callback URLs carry the number called, so that the callback finds its channel (and the token that signs it). */
export function voiceCallbackUrl(deps: Pick<Deps, 'config'>, channel: OpenChannel<'twilio'>, step: 'recording' | 'transcription' | 'voice/fin'): string {
  return `${deps.config.publicUrl}/webhooks/twilio/${step}?numero=${encodeURIComponent(channel.address)}`;
}

/** Step 1: journal the call, answer with the greeting and the recording. */
export async function receiveCall(deps: Deps, channel: OpenChannel<'twilio'>, raw: string, params: TwilioParams): Promise<string> {
  const now = deps.clock.now();
  const callSid = params.CallSid ?? '';
  await deps.db.transaction().execute(async (trx) => {
    const { row, created } = await insertJournal(trx, { tenantId: channel.tenantId, channel: 'voice', externalId: callKey(callSid), payload: encoder.encode(raw), contentType: TWILIO_FORM_TYPE, receivedAt: now });
    if (created) await finishJournal(trx, row.id, { status: 'ignored', reason: 'Appel reçu : le message vocal, s’il y en a un, est journalisé à part.', at: now });
  });
  const tenant = await getTenant(deps.db, channel.tenantId);
  const response = new twilio.twiml.VoiceResponse();
  response.say(
    { language: 'fr-FR' },
    `Bonjour, vous êtes bien au service réclamations de ${tenant?.name ?? 'votre conseiller'}. ` +
      'Après le bip, laissez votre message : votre nom, votre numéro de contrat si vous l’avez, et l’objet de votre réclamation. ' +
      'Appuyez sur la touche dièse pour terminer.',
  );
  response.record({
    maxLength: channel.config.maxRecordingSeconds,
    finishOnKey: '#',
    playBeep: true,
    transcribe: true,
    transcribeCallback: voiceCallbackUrl(deps, channel, 'transcription'),
    recordingStatusCallback: voiceCallbackUrl(deps, channel, 'recording'),
    recordingStatusCallbackEvent: ['completed', 'absent'],
    recordingStatusCallbackMethod: 'POST',
    action: voiceCallbackUrl(deps, channel, 'voice/fin'),
    method: 'POST',
  });
  // Reached only when nothing was recorded (Twilio skips the action then).
  response.say({ language: 'fr-FR' }, 'Nous n’avons pas reçu de message. Vous pouvez aussi nous écrire par SMS à ce numéro. Au revoir.');
  response.hangup();
  return response.toString();
}

/** <Record action>: the caller finished; the recording itself arrives through the status callback. */
export function recordedTwiml(): string {
  const response = new twilio.twiml.VoiceResponse();
  response.say({ language: 'fr-FR' }, 'Merci, votre message est bien enregistré. Nous reviendrons vers vous au plus vite. Au revoir.');
  response.hangup();
  return response.toString();
}

/** Step 2: a recording is ready (or Twilio tells that nothing was recorded). */
export async function receiveRecording(deps: Deps, channel: OpenChannel<'twilio'>, raw: string, params: TwilioParams): Promise<'journaled' | 'duplicate' | 'absent'> {
  const callSid = params.CallSid ?? '';
  const status = params.RecordingStatus ?? 'completed';
  if (status === 'absent') return 'absent';
  if (await findJournal(deps.db, channel.tenantId, 'voice', callSid)) return 'duplicate';
  const [call, early] = await Promise.all([
    findJournal(deps.db, channel.tenantId, 'voice', callKey(callSid)),
    findJournal(deps.db, channel.tenantId, 'voice', transcriptionKey(callSid)),
  ]);
  const media = [];
  const refused: RefusedMedia[] = [];
  const filenameBase = `message-vocal-${callSid}`;
  if (status === 'completed' && params.RecordingUrl) {
    // MP3 rather than the default WAV: a tenth of the size for a voice message.
    const fetched = await fetchMedia(`${params.RecordingUrl}.mp3`, filenameBase, 'audio/mpeg', { accountSid: channel.config.accountSid, authToken: channel.secrets.authToken ?? '' }, mediaRules(deps, { maxBytes: RECORDING_MAX_BYTES, accept: ['audio/*'], timeoutMs: 10_000 }));
    if (fetched.ok) media.push(fetched.media);
    else refused.push(fetched.refused);
  } else {
    refused.push({ filename: filenameBase, contentType: 'audio/mpeg', sizeBytes: 0, reason: `Enregistrement indisponible chez Twilio (statut ${status}) : rappelez le client.` });
  }
  const { payload, contentType } = buildComposedPayload({
    form: raw,
    call: call ? decoder.decode(call.payload) : null,
    transcription: early ? decoder.decode(early.payload) : null,
    media,
    refused,
  });
  const accepted = await acceptInbound(deps, { tenantId: channel.tenantId, channel: 'voice', externalId: callSid, payload, contentType });
  await reconcileVoice(deps, channel.tenantId, callSid);
  return accepted.duplicate ? 'duplicate' : 'journaled';
}

/** Step 3: a transcription callback. */
export async function receiveTranscription(deps: Deps, channel: OpenChannel<'twilio'>, raw: string, params: TwilioParams): Promise<'journaled' | 'duplicate'> {
  const callSid = params.CallSid ?? '';
  const now = deps.clock.now();
  const created = await deps.db.transaction().execute(async (trx) => {
    const j = await insertJournal(trx, { tenantId: channel.tenantId, channel: 'voice', externalId: transcriptionKey(callSid), payload: encoder.encode(raw), contentType: TWILIO_FORM_TYPE, receivedAt: now });
    if (j.created) await finishJournal(trx, j.row.id, { status: 'ignored', reason: 'Transcription reçue : en attente du message vocal.', at: now });
    return j.created;
  });
  await reconcileVoice(deps, channel.tenantId, callSid);
  return created ? 'journaled' : 'duplicate';
}

export type ReconcileResult = 'applied' | 'already' | 'waiting' | 'no_text';

/** Applies the transcription of a call to its voice message once both are there (idempotent). */
export async function reconcileVoice(deps: Deps, tenantId: string, callSid: string): Promise<ReconcileResult> {
  const t = await findJournal(deps.db, tenantId, 'voice', transcriptionKey(callSid));
  if (!t || t.status === 'processed') return t ? 'already' : 'waiting';
  const recording = await findJournal(deps.db, tenantId, 'voice', callSid);
  if (!recording) return 'waiting';
  if (recording.status === 'pending') {
    const ingested = await ingestJournal(deps, recording.id);
    // The worker's ingest job, finding the row processed, will not queue the classification: we do.
    if (ingested.status === 'processed' && ingested.messageId) {
      await deps.queue.add('classify', { tenantId, messageId: ingested.messageId }, { jobId: `classify-${ingested.messageId}` });
    }
  }
  const found = await findInboundByExternalId(deps.db, tenantId, 'voice', callSid);
  if (!found) return 'waiting';
  const params = parseTwilioForm(decoder.decode(t.payload));
  const text = transcriptionText(params);
  const now = deps.clock.now();
  const outcome = await deps.db.transaction().execute(async (trx): Promise<ReconcileResult> => {
    const row = await lockJournal(trx, t.id);
    if (!row || row.status === 'processed') return 'already';
    const message = await lockInboundMessage(trx, tenantId, found.id);
    if (!message) return 'waiting';
    if (!text) {
      await finishJournal(trx, t.id, { status: 'processed', reason: `Transcription indisponible (statut Twilio ${params.TranscriptionStatus ?? 'inconnu'}) : écoutez l’enregistrement.`, messageId: message.id, complaintId: message.complaint_id, at: now });
      return 'no_text';
    }
    // The transcription came before the recording and is already the message's text.
    if (message.body_text === text) {
      await finishJournal(trx, t.id, { status: 'processed', messageId: message.id, complaintId: message.complaint_id, at: now });
      return 'already';
    }
    const previous = message.body_text;
    await setInboundText(trx, tenantId, message.id, text, { ...message.meta, transcription: { sid: params.TranscriptionSid ?? null, at: now.toISOString() } });
    // The complaint described by the placeholder now reads what the customer said.
    const complaint = await getComplaintForUpdate(trx, tenantId, message.complaint_id);
    if (complaint && complaint.description === previous) {
      await updateComplaint(trx, tenantId, complaint.id, { description: text, updated_at: now });
    }
    await insertEvents(trx, [{ tenantId, complaintId: message.complaint_id, customerId: message.customer_id, actorKind: 'system', type: 'message.transcribed', data: { messageId: message.id, channel: 'voice', transcriptionSid: params.TranscriptionSid ?? null, journalId: t.id }, at: now }]);
    await finishJournal(trx, t.id, { status: 'processed', messageId: message.id, complaintId: message.complaint_id, at: now });
    return 'applied';
  });
  if (outcome === 'applied') {
    // A new job id: the classification of the placeholder text may have run already.
    await deps.queue.add('classify', { tenantId, messageId: found.id }, { jobId: `classify-${found.id}-transcription` });
  }
  return outcome;
}
