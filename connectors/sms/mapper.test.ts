import { describe, expect, it } from 'vitest';
import { inboundMessageSchema, MappingError, type RawInbound } from '../../src/intake/contract.ts';
import { mapSms, mapVoice, voicePlaceholder } from './mapper.ts';
import { buildComposedPayload, declaredMedia, parseTwilioForm, TWILIO_FORM_TYPE } from './payload.ts';
import { smsKeyword } from './keywords.ts';

const TENANT = '0b6f0a52-9a1c-4d8e-9f57-2d7a4f0e3c11';
const AC = `AC${'a'.repeat(32)}`;
const RECEIVED = new Date('2026-11-30T09:15:00Z');

/** A body shaped like Twilio's Messaging webhook. */
function smsForm(fields: Record<string, string>): string {
  return new URLSearchParams({
    ToCountry: 'FR',
    SmsMessageSid: 'SM0123456789abcdef0123456789abcdef',
    NumMedia: '0',
    SmsSid: 'SM0123456789abcdef0123456789abcdef',
    SmsStatus: 'received',
    Body: 'Bonjour, mon sinistre dégât des eaux n’est toujours pas indemnisé.',
    To: '+33757001122',
    NumSegments: '1',
    MessageSid: 'SM0123456789abcdef0123456789abcdef',
    AccountSid: AC,
    From: '+33612345678',
    ApiVersion: '2010-04-01',
    ...fields,
  }).toString();
}

function raw(channel: 'sms' | 'voice', externalId: string, payload: Uint8Array, contentType: string): RawInbound {
  return { tenantId: TENANT, channel, externalId, payload, contentType, receivedAt: RECEIVED };
}

describe('mapSms', () => {
  it('maps a text message: MessageSid, sender phone, conversation on the E.164 number, receipt time', () => {
    const m = inboundMessageSchema.parse(mapSms(raw('sms', 'SM0123456789abcdef0123456789abcdef', new TextEncoder().encode(smsForm({})), TWILIO_FORM_TYPE)));
    expect(m).toMatchObject({
      tenantId: TENANT,
      channel: 'sms',
      externalId: 'SM0123456789abcdef0123456789abcdef',
      sender: { phone: '+33612345678', email: null, name: null },
      thread: { conversationKey: 'sms:+33612345678', inReplyTo: null },
      sentAt: null,
      text: 'Bonjour, mon sinistre dégât des eaux n’est toujours pas indemnisé.',
      attachments: [],
    });
    expect(m.receivedAt).toEqual(RECEIVED);
  });

  it('normalises a nationally written sender into the conversation key', () => {
    const m = mapSms(raw('sms', 'SM1', new TextEncoder().encode(smsForm({ MessageSid: 'SM1', From: '06 12 34 56 78' })), 'application/x-www-form-urlencoded; charset=utf-8'));
    expect(m.thread.conversationKey).toBe('sms:+33612345678');
  });

  it('maps an MMS from the composed payload: media attached, refused ones kept with their reason', () => {
    const form = smsForm({ MessageSid: 'MM1', NumMedia: '2', Body: '', MediaUrl0: 'https://api.twilio.com/a', MediaContentType0: 'image/jpeg', MediaUrl1: 'https://api.twilio.com/b', MediaContentType1: 'video/mp4' });
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const { payload, contentType } = buildComposedPayload({
      form,
      call: null,
      transcription: null,
      media: [{ filename: 'mms-MM1-1.jpg', contentType: 'image/jpeg', content: jpeg }],
      refused: [{ filename: 'mms-MM1-2', contentType: 'video/mp4', sizeBytes: 1234, reason: 'Type de fichier non accepté (video/mp4).' }],
    });
    const m = inboundMessageSchema.parse(mapSms(raw('sms', 'MM1', payload, contentType)));
    expect(m.text).toBe('(MMS sans texte)');
    expect(m.attachments).toEqual([{ filename: 'mms-MM1-1.jpg', contentType: 'image/jpeg', content: jpeg, inline: false }]);
    expect(m.refusedAttachments).toEqual([{ filename: 'mms-MM1-2', contentType: 'video/mp4', sizeBytes: 1234, reason: 'Type de fichier non accepté (video/mp4).' }]);
    expect(declaredMedia(parseTwilioForm(form)).map((d) => d.contentType)).toEqual(['image/jpeg', 'video/mp4']);
  });

  it('quarantines what is not a Twilio SMS (reason in French)', () => {
    const enc = (s: string) => new TextEncoder().encode(s);
    expect(() => mapSms(raw('sms', 'SM1', enc('From=%2B33612345678&Body=x'), TWILIO_FORM_TYPE))).toThrow(MappingError);
    expect(() => mapSms(raw('sms', 'SM-other', enc(smsForm({ MessageSid: 'SM1' })), TWILIO_FORM_TYPE))).toThrow(/ne correspond pas/);
    expect(() => mapSms(raw('sms', 'SM1', enc('{}'), 'application/json'))).toThrow(/Type de contenu inattendu/);
    expect(() => mapSms(raw('sms', 'SM1', new Uint8Array([0xff, 0xfe]), TWILIO_FORM_TYPE))).toThrow(/UTF-8/);
  });
});

describe('mapVoice', () => {
  const call = new URLSearchParams({ CallSid: 'CA1', From: '+33612345678', To: '+33757001122', AccountSid: AC, CallStatus: 'ringing', Direction: 'inbound' }).toString();
  const recording = new URLSearchParams({ CallSid: 'CA1', AccountSid: AC, RecordingSid: 'RE1', RecordingUrl: 'https://api.twilio.com/2010-04-01/Accounts/AC/Recordings/RE1', RecordingStatus: 'completed', RecordingDuration: '42' }).toString();
  const mp3 = new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0]);

  it('makes a voice message from the recording, with the caller of the call and the audio; the text says it awaits a transcription', () => {
    const { payload, contentType } = buildComposedPayload({ form: recording, call, transcription: null, media: [{ filename: 'message-vocal-CA1.mp3', contentType: 'audio/mpeg', content: mp3 }], refused: [] });
    const m = inboundMessageSchema.parse(mapVoice(raw('voice', 'CA1', payload, contentType)));
    expect(m).toMatchObject({ channel: 'voice', externalId: 'CA1', sender: { phone: '+33612345678' }, subject: 'Message vocal', text: voicePlaceholder(42) });
    expect(m.text).toContain('42 s');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]!.contentType).toBe('audio/mpeg');
  });

  it('takes the transcription as text when it came before the recording', () => {
    const transcription = new URLSearchParams({ CallSid: 'CA1', TranscriptionStatus: 'completed', TranscriptionText: ' Mon contrat auto a été résilié sans préavis. ', From: '+33612345678' }).toString();
    const { payload, contentType } = buildComposedPayload({ form: recording, call, transcription, media: [], refused: [] });
    expect(mapVoice(raw('voice', 'CA1', payload, contentType)).text).toBe('Mon contrat auto a été résilié sans préavis.');
    const failed = new URLSearchParams({ CallSid: 'CA1', TranscriptionStatus: 'failed', TranscriptionText: '' }).toString();
    const again = buildComposedPayload({ form: recording, call, transcription: failed, media: [], refused: [] });
    expect(mapVoice(raw('voice', 'CA1', again.payload, again.contentType)).text).toBe(voicePlaceholder(42));
  });

  it('refuses a recording callback without CallSid', () => {
    const { payload, contentType } = buildComposedPayload({ form: 'RecordingSid=RE1', call: null, transcription: null, media: [], refused: [] });
    expect(() => mapVoice(raw('voice', 'CA1', payload, contentType))).toThrow(/CallSid/);
  });
});

describe('smsKeyword', () => {
  it('recognises opt-out and opt-in words as the whole body, any case, accents optional', () => {
    for (const w of ['STOP', 'stop', ' Stop. ', 'ARRET', 'Arrêt', 'ARRÊT', 'STOPALL', 'unsubscribe']) expect(smsKeyword(w)?.kind, w).toBe('stop');
    for (const w of ['START', 'start', 'UNSTOP']) expect(smsKeyword(w)?.kind, w).toBe('start');
    for (const w of ['Stop à ces relances', 'Je veux que ça s’arrête', '', 'STOP STOP']) expect(smsKeyword(w), w).toBeNull();
  });

  it('reads STATUT with or without a reference', () => {
    expect(smsKeyword('STATUT')).toEqual({ kind: 'statut', reference: null });
    expect(smsKeyword('statut rec-2026-000123')).toEqual({ kind: 'statut', reference: 'REC-2026-000123' });
    expect(smsKeyword('Statut  REC-2026-000123 ')).toEqual({ kind: 'statut', reference: 'REC-2026-000123' });
    expect(smsKeyword('Quel est le statut de mon dossier ?')).toBeNull();
  });
});
