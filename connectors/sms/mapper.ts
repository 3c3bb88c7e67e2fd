/**
 * Twilio payloads → InboundMessage (pure: no I/O, no clock). Two channels share one Twilio number:
 * `sms` (text messages and MMS, external id = MessageSid) and `voice` (voice messages, external id =
 * CallSid). What the journal holds, and why media are fetched before journaling: see payload.ts.
 */
import { normalizePhone } from '../../src/domain/identity.ts';
import { MappingError, type InboundMapper, type InboundMessageInput, type RawInbound } from '../../src/intake/contract.ts';
import { parseTwilioForm, readTwilioPayload, type ComposedTwilio, type TwilioParams } from './payload.ts';

/** Twilio caps an SMS body at 1,600 characters; anything longer is not Twilio's. */
const MAX_BODY = 1600;

function phoneOf(value: string | undefined): string | null {
  if (!value) return null;
  return normalizePhone(value) ?? value.trim().slice(0, 40);
}

function base(raw: RawInbound, externalId: string, from: string | null): Omit<InboundMessageInput, 'text'> {
  return {
    tenantId: raw.tenantId,
    channel: raw.channel,
    externalId,
    thread: { inReplyTo: null, references: [], referenceTokens: [], conversationKey: null, trackingToken: null },
    sender: { name: null, email: null, phone: from, slackUser: null },
    contractNumbers: [],
    // Twilio's webhooks carry no sending time: the receipt time stands for it (REGULATION: unknown → receipt).
    sentAt: null,
    receivedAt: raw.receivedAt,
    subject: null,
    html: null,
    attachments: [],
    refusedAttachments: [],
    language: null,
  };
}

function attachmentsOf(c: ComposedTwilio) {
  return {
    attachments: c.media.map((m) => ({ filename: m.filename, contentType: m.contentType, content: m.content, inline: false })),
    refusedAttachments: c.refused.map((r) => ({ ...r, filename: r.filename.slice(0, 255), reason: r.reason.slice(0, 300) })),
  };
}

/** A text message or an MMS (Twilio's Messaging webhook parameters). */
export const mapSms: InboundMapper = (raw) => {
  const composed = readTwilioPayload(raw.payload, raw.contentType);
  const p = parseTwilioForm(composed.form);
  const sid = p.MessageSid ?? p.SmsSid;
  if (!sid) throw new MappingError('SMS sans identifiant Twilio (MessageSid).');
  if (sid !== raw.externalId) throw new MappingError('L’identifiant du SMS ne correspond pas à celui du journal.');
  const from = phoneOf(p.From);
  if (!from) throw new MappingError('SMS sans expéditeur (From).');
  const body = (p.Body ?? '').replace(/\r\n?/g, '\n');
  if (body.length > MAX_BODY) throw new MappingError(`SMS trop long (${body.length} caractères).`);
  const b = base(raw, sid, from);
  const e164 = normalizePhone(p.From ?? '');
  return {
    ...b,
    thread: { ...b.thread, conversationKey: e164 ? `sms:${e164}` : null },
    text: body.trim() === '' && composed.media.length + composed.refused.length > 0 ? '(MMS sans texte)' : body,
    ...attachmentsOf(composed),
  };
};

/** Text of a voice message until (unless) its transcription arrives. */
export function voicePlaceholder(durationSeconds: number | null): string {
  const length = durationSeconds && durationSeconds > 0 ? ` de ${durationSeconds} s` : '';
  return `Message vocal${length}, sans transcription pour l’instant : écoutez l’enregistrement joint.`;
}

/** The text a transcription callback brings, or null when Twilio could not transcribe. */
export function transcriptionText(p: TwilioParams): string | null {
  if ((p.TranscriptionStatus ?? 'completed') !== 'completed') return null;
  const text = (p.TranscriptionText ?? '').trim();
  return text === '' ? null : text.slice(0, 20_000);
}

/**
 * A voice message: the recording-status callback (RecordingSid, RecordingDuration, CallSid), the incoming
 * call's parameters (From, To) and, when it came first, the transcription; the audio is an attachment.
 */
export const mapVoice: InboundMapper = (raw) => {
  const composed = readTwilioPayload(raw.payload, raw.contentType);
  const recording = parseTwilioForm(composed.form);
  const call = composed.call ? parseTwilioForm(composed.call) : {};
  const transcription = composed.transcription ? parseTwilioForm(composed.transcription) : {};
  const callSid = recording.CallSid;
  if (!callSid) throw new MappingError('Message vocal sans identifiant d’appel (CallSid).');
  if (callSid !== raw.externalId) throw new MappingError('L’identifiant de l’appel ne correspond pas à celui du journal.');
  const from = phoneOf(call.From ?? transcription.From ?? recording.From);
  const duration = Number.parseInt(recording.RecordingDuration ?? '', 10);
  const text = transcriptionText(transcription) ?? voicePlaceholder(Number.isFinite(duration) ? duration : null);
  return { ...base(raw, callSid, from), subject: 'Message vocal', text, ...attachmentsOf(composed) };
};
