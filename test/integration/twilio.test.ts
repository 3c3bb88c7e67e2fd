import { randomBytes } from 'node:crypto';
import { recoverySweep } from '../../workers/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { sampleComplaint, signupTenant, type TestClient } from '../helpers/http.ts';
import { SAMPLE_FILES, startFakeTwilio, type FakeTwilio } from '../helpers/twilio-fake.ts';
import { saveChannel } from '../../src/services/channels.ts';
import { isOptedOut } from '../../src/db/repositories/channels.ts';
import { enqueueDelivery, queueOutbound } from '../../src/notify/outbound.ts';
import { deliverMessage } from '../../src/notify/dispatch.ts';
import { voicePlaceholder } from '../../connectors/sms/mapper.ts';

const PUBLIC_URL = 'https://guichet.test.example';
const AC = `AC${'1'.repeat(32)}`;
const TOKEN = 'twilio-auth-token-of-tenant-alpha';
const NUMBER = '+33757001122';
const OTHER_AC = `AC${'2'.repeat(32)}`;
const OTHER_TOKEN = 'twilio-auth-token-of-tenant-beta';
const OTHER_NUMBER = '+33757009988';

let env: TestEnv;
let fake: FakeTwilio;
let tenantId: string;
let admin: TestClient;

const sid = (prefix: string) => `${prefix}${randomBytes(16).toString('hex')}`;

/** Posts a form exactly as Twilio does: the signature over PUBLIC_URL + path (+ query) and the parameters. */
async function post(path: string, params: Record<string, string>, options: { token?: string | null; signatureUrl?: string; body?: string } = {}) {
  const body = options.body ?? new URLSearchParams(params).toString();
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'user-agent': 'TwilioProxy/1.1' };
  if (options.token !== null) headers['x-twilio-signature'] = twilio.getExpectedTwilioSignature(options.token ?? TOKEN, options.signatureUrl ?? `${PUBLIC_URL}${path}`, params);
  return env.app.inject({ method: 'POST', url: path, headers, payload: body });
}

function smsParams(fields: Record<string, string> = {}): Record<string, string> {
  const messageSid = fields.MessageSid ?? sid('SM');
  return {
    ToCountry: 'FR',
    ToState: '',
    SmsMessageSid: messageSid,
    NumMedia: '0',
    ToCity: '',
    FromZip: '',
    SmsSid: messageSid,
    FromState: '',
    SmsStatus: 'received',
    FromCity: '',
    Body: 'Bonjour',
    FromCountry: 'FR',
    To: NUMBER,
    ToZip: '',
    NumSegments: '1',
    MessageSid: messageSid,
    AccountSid: AC,
    From: '+33611223344',
    ApiVersion: '2010-04-01',
    ...fields,
  };
}

async function journalCount(): Promise<number> {
  const r = await env.deps.db.selectFrom('inbound_journal').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function messageOf(channel: string, externalId: string) {
  return env.deps.db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('channel', '=', channel).where('external_id', '=', externalId).executeTakeFirst();
}

async function journalOf(channel: string, externalId: string) {
  return env.deps.db.selectFrom('inbound_journal').selectAll().where('tenant_id', '=', tenantId).where('channel', '=', channel).where('external_id', '=', externalId).executeTakeFirst();
}

async function sendSmsFromComplaint(complaintId: string, recipient: string, text: string) {
  const message = await env.deps.db.transaction().execute((trx) =>
    queueOutbound(env.deps, trx, { tenantId, complaintId, customerId: null, channel: 'sms', recipient, subject: null, text, purpose: 'status', automatic: false, authorUserId: null }, { now: env.deps.clock.now() }),
  );
  await enqueueDelivery(env.deps, message);
  await env.deps.queue.drain();
  return (await env.deps.db.selectFrom('messages').selectAll().where('id', '=', message.id).executeTakeFirstOrThrow());
}

beforeAll(async () => {
  fake = await startFakeTwilio(AC, TOKEN);
  env = await createTestEnv({ config: { publicUrl: PUBLIC_URL, twilioApiBaseUrl: fake.baseUrl } });
  const t = await signupTenant(env.app, 'Cabinet Twilio');
  tenantId = t.tenant.id;
  admin = t.client;
  await saveChannel(env.deps, tenantId, { kind: 'twilio', name: 'SMS et messages vocaux', config: { number: '07 57 00 11 22', accountSid: AC }, secrets: { authToken: TOKEN } }, { actorUserId: null });
  const other = await signupTenant(env.app, 'Cabinet Autre');
  await saveChannel(env.deps, other.tenant.id, { kind: 'twilio', name: 'SMS', config: { number: OTHER_NUMBER, accountSid: OTHER_AC }, secrets: { authToken: OTHER_TOKEN } }, { actorUserId: null });
});

afterAll(async () => {
  await env?.close();
  await fake?.close();
});

describe('inbound SMS webhook', () => {
  it('journals a signed SMS, answers empty TwiML at once, and ingests it into a complaint', async () => {
    const p = smsParams({ From: '+33611223344', Body: 'Bonjour, mon remboursement optique n’est jamais arrivé malgré deux envois de facture. Contrat SAN-2025-7781.' });
    const res = await post('/webhooks/twilio/sms', p);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/xml/);
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await env.deps.queue.drain();
    const outcome = (await admin.get(`/api/inbound?channel=sms&externalId=${p.MessageSid}`)).json();
    expect(outcome, JSON.stringify(await journalOf('sms', p.MessageSid!).then((j) => ({ s: j?.status, e: j?.last_error, a: j?.attempts })))).toMatchObject({ status: 'processed' });
    const message = await messageOf('sms', p.MessageSid!);
    expect(message).toMatchObject({ body_text: p.Body, conversation_key: 'sms:+33611223344', complaint_id: outcome.complaintId });
    const complaint = await env.deps.db.selectFrom('complaints').selectAll().where('id', '=', outcome.complaintId).executeTakeFirstOrThrow();
    expect(complaint).toMatchObject({ channel: 'sms', tenant_id: tenantId });
    const journal = await journalOf('sms', p.MessageSid!);
    expect(journal?.content_type).toBe('application/x-www-form-urlencoded');
    expect(new TextDecoder().decode(journal!.payload)).toBe(new URLSearchParams(p).toString());

    // The same phone writing again continues the same complaint (open conversation).
    const next = smsParams({ From: '+33611223344', Body: 'Je précise : la facture date du 3 octobre.' });
    await post('/webhooks/twilio/sms', next);
    await env.deps.queue.drain();
    expect((await messageOf('sms', next.MessageSid!))?.complaint_id).toBe(outcome.complaintId);
  });

  it('refuses with 403, storing nothing, a request unsigned, wrongly signed, signed for another URL or another account', async () => {
    const before = await journalCount();
    const p = smsParams({ Body: 'Message falsifié' });
    expect((await post('/webhooks/twilio/sms', p, { token: null })).statusCode).toBe(403);
    expect((await post('/webhooks/twilio/sms', p, { token: 'not-the-token' })).statusCode).toBe(403);
    // Signed for the address the request reached behind the proxy, not the public one Twilio was given.
    expect((await post('/webhooks/twilio/sms', p, { signatureUrl: 'http://127.0.0.1:3000/webhooks/twilio/sms' })).statusCode).toBe(403);
    // The other tenant's token does not sign for this number.
    expect((await post('/webhooks/twilio/sms', p, { token: OTHER_TOKEN })).statusCode).toBe(403);
    // A body changed after signing.
    const signedFor = { ...p };
    const tampered = new URLSearchParams({ ...p, Body: 'Autre texte' }).toString();
    expect((await post('/webhooks/twilio/sms', signedFor, { body: tampered })).statusCode).toBe(403);
    // A valid signature but the AccountSid of another account.
    expect((await post('/webhooks/twilio/sms', { ...p, AccountSid: OTHER_AC })).statusCode).toBe(403);
    expect(await journalCount()).toBe(before);
    expect(await messageOf('sms', p.MessageSid!)).toBeUndefined();
  });

  it('answers 404 to an unknown number and 413 to an oversized body, storing nothing', async () => {
    const before = await journalCount();
    const unknown = await post('/webhooks/twilio/sms', smsParams({ To: '+33757000000' }));
    expect(unknown.statusCode).toBe(404);
    const huge = await post('/webhooks/twilio/sms', smsParams({ Body: 'x'.repeat(70 * 1024) }));
    expect(huge.statusCode).toBe(413);
    expect(await journalCount()).toBe(before);
  });

  it('keeps one message when Twilio retries the same MessageSid', async () => {
    const p = smsParams({ From: '+33622334455', Body: 'Mon attestation d’assurance habitation n’arrive pas.' });
    const before = await journalCount();
    const [a, b] = await Promise.all([post('/webhooks/twilio/sms', p), post('/webhooks/twilio/sms', p)]);
    const c = await post('/webhooks/twilio/sms', p);
    expect([a.statusCode, b.statusCode, c.statusCode]).toEqual([200, 200, 200]);
    await env.deps.queue.drain();
    expect(await journalCount()).toBe(before + 1);
    const n = await env.deps.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).where('external_id', '=', p.MessageSid!).executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('fetches the media of an MMS with the account credentials, attaches images and PDF, and records a refused type with its reason', async () => {
    const messageSid = sid('MM');
    const base = `/2010-04-01/Accounts/${AC}/Messages/${messageSid}/Media`;
    const p = smsParams({
      MessageSid: messageSid,
      From: '+33633445566',
      Body: 'Voici les photos du sinistre et le devis du plombier.',
      NumMedia: '3',
      MediaUrl0: fake.serve(`${base}/ME1`, SAMPLE_FILES.jpeg, 'image/jpeg'),
      MediaContentType0: 'image/jpeg',
      MediaUrl1: fake.serve(`${base}/ME2`, SAMPLE_FILES.pdf, 'application/pdf'),
      MediaContentType1: 'application/pdf',
      MediaUrl2: fake.serve(`${base}/ME3`, SAMPLE_FILES.zip, 'image/jpeg'),
      MediaContentType2: 'image/jpeg',
    });
    const res = await post('/webhooks/twilio/sms', p);
    expect(res.statusCode).toBe(200);
    const fetches = fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith(base));
    expect(fetches).toHaveLength(3);
    expect(fetches.every((r) => r.authorization === `Basic ${Buffer.from(`${AC}:${TOKEN}`).toString('base64')}`)).toBe(true);
    await env.deps.queue.drain();
    const message = await messageOf('sms', messageSid);
    expect(message?.body_text).toBe(p.Body);
    const attachments = await env.deps.db.selectFrom('attachments').selectAll().where('message_id', '=', message!.id).orderBy('filename').execute();
    expect(attachments.map((a) => [a.filename, a.content_type, Number(a.size_bytes)])).toEqual([
      [`mms-${messageSid}-1.jpg`, 'image/jpeg', SAMPLE_FILES.jpeg.byteLength],
      [`mms-${messageSid}-2.pdf`, 'application/pdf', SAMPLE_FILES.pdf.byteLength],
    ]);
    expect(Buffer.from(await env.deps.files.get(attachments[1]!.sha256)).equals(Buffer.from(SAMPLE_FILES.pdf))).toBe(true);
    const refused = await env.deps.db.selectFrom('events').select('data').where('type', '=', 'attachment.refused').where('complaint_id', '=', message!.complaint_id).execute();
    expect(refused.map((e) => e.data)).toEqual([expect.objectContaining({ filename: `mms-${messageSid}-3`, reason: expect.stringContaining('Type de fichier non accepté (application/zip)') })]);
    // A retry does not fetch the media again.
    await post('/webhooks/twilio/sms', p);
    expect(fake.requests.filter((r) => r.method === 'GET' && r.path.startsWith(base))).toHaveLength(3);
  });
});

describe('outbound SMS through the twilio SDK', () => {
  let complaintId: string;
  const recipient = '+33644556677';

  beforeAll(async () => {
    const created = await admin.post('/api/complaints', sampleComplaint({ channel: 'phone', contractNumber: 'AUTO-2025-1001', complainant: { name: 'Paul Martin', phone: '06 44 55 66 77' } }));
    expect(created.statusCode, created.body).toBe(201);
    complaintId = created.json().id;
  });

  it('sends from the number with Basic auth and a status callback, then records delivered from the signed callback', async () => {
    const before = fake.sent().length;
    const message = await sendSmsFromComplaint(complaintId, recipient, 'Votre dossier avance : un expert vous appellera.');
    const [request] = fake.sent().slice(before);
    expect(request).toMatchObject({
      path: `/2010-04-01/Accounts/${AC}/Messages.json`,
      authorization: `Basic ${Buffer.from(`${AC}:${TOKEN}`).toString('base64')}`,
      form: { To: recipient, From: NUMBER, Body: 'Votre dossier avance : un expert vous appellera.', StatusCallback: `${PUBLIC_URL}/webhooks/twilio/status?numero=%2B33757001122` },
    });
    expect(message).toMatchObject({ delivery_status: 'sent', external_id: expect.stringMatching(/^SM[0-9a-f]{32}$/) });

    const callback = { SmsSid: message.external_id!, SmsStatus: 'delivered', MessageStatus: 'delivered', To: recipient, MessageSid: message.external_id!, AccountSid: AC, From: NUMBER, ApiVersion: '2010-04-01' };
    expect((await post('/webhooks/twilio/status?numero=%2B33757001122', callback, { token: 'forged' })).statusCode).toBe(403);
    expect((await env.deps.db.selectFrom('messages').select('delivery_status').where('id', '=', message.id).executeTakeFirstOrThrow()).delivery_status).toBe('sent');
    const res = await post('/webhooks/twilio/status?numero=%2B33757001122', callback);
    expect(res.statusCode).toBe(200);
    const after = await env.deps.db.selectFrom('messages').selectAll().where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(after.delivery_status).toBe('delivered');
    expect(after.delivered_at).not.toBeNull();
  });

  it('reports undelivered with Twilio’s error code', async () => {
    const message = await sendSmsFromComplaint(complaintId, recipient, 'Deuxième message.');
    const callback = { MessageSid: message.external_id!, MessageStatus: 'undelivered', ErrorCode: '30003', To: recipient, From: NUMBER, AccountSid: AC };
    await post('/webhooks/twilio/status?numero=%2B33757001122', callback);
    const after = await env.deps.db.selectFrom('messages').selectAll().where('id', '=', message.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ delivery_status: 'failed', delivery_error: 'SMS non distribué (erreur Twilio 30003).' });
  });

  it('sends through the messaging service when the channel has one', async () => {
    const channel = await env.deps.db.selectFrom('channels').selectAll().where('tenant_id', '=', tenantId).where('kind', '=', 'twilio').executeTakeFirstOrThrow();
    const mg = `MG${'3'.repeat(32)}`;
    await saveChannel(env.deps, tenantId, { kind: 'twilio', name: channel.name, config: { number: NUMBER, accountSid: AC, messagingServiceSid: mg }, secrets: {} }, { id: channel.id, actorUserId: null });
    try {
      const before = fake.sent().length;
      await sendSmsFromComplaint(complaintId, recipient, 'Par le service de messagerie.');
      const [request] = fake.sent().slice(before);
      expect(request!.form).toMatchObject({ To: recipient, MessagingServiceSid: mg, Body: 'Par le service de messagerie.' });
      expect(request!.form.From).toBeUndefined();
    } finally {
      await saveChannel(env.deps, tenantId, { kind: 'twilio', name: channel.name, config: { number: NUMBER, accountSid: AC }, secrets: {} }, { id: channel.id, actorUserId: null });
    }
  });

  it('fails for good on a Twilio 4xx (invalid number), and retries a 5xx', async () => {
    fake.failNext(400, 21211, "The 'To' number +33600000000 is not a valid phone number.");
    const refused = await sendSmsFromComplaint(complaintId, '+33600000001', 'Numéro invalide.');
    expect(refused).toMatchObject({ delivery_status: 'failed', delivery_attempts: 1 });
    expect(refused.delivery_error).toMatch(/erreur 21211/);

    const queued = await env.deps.db.transaction().execute((trx) =>
      queueOutbound(env.deps, trx, { tenantId, complaintId, customerId: null, channel: 'sms', recipient, subject: null, text: 'Panne chez Twilio.', purpose: 'status', automatic: false, authorUserId: null }, { now: env.deps.clock.now() }),
    );
    fake.failNext(503, 20500, 'Service unavailable');
    await expect(deliverMessage(env.deps, tenantId, queued.id)).rejects.toThrow();
    const after = await env.deps.db.selectFrom('messages').selectAll().where('id', '=', queued.id).executeTakeFirstOrThrow();
    expect(after).toMatchObject({ delivery_status: 'queued', delivery_attempts: 1 });
    expect(await deliverMessage(env.deps, tenantId, queued.id)).toBe('sent');
  });

  it('STOP suppresses our SMS (at queue time and at send time), START lets them through again; no complaint either way', async () => {
    const complaintsBefore = await env.deps.db.selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    // Queued before STOP, sent after: the sender checks again.
    const early = await env.deps.db.transaction().execute((trx) =>
      queueOutbound(env.deps, trx, { tenantId, complaintId, customerId: null, channel: 'sms', recipient, subject: null, text: 'Avant STOP.', purpose: 'status', automatic: false, authorUserId: null }, { now: env.deps.clock.now() }),
    );
    const stop = smsParams({ From: recipient, Body: 'Arrêt' });
    const res = await post('/webhooks/twilio/sms', stop);
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(await isOptedOut(env.deps.db, tenantId, 'sms', recipient)).toBe(true);
    expect(await journalOf('sms', stop.MessageSid!)).toMatchObject({ status: 'ignored', last_error: expect.stringContaining('ne reçoit plus de SMS') });
    const sentBefore = fake.sent().length;
    expect(await deliverMessage(env.deps, tenantId, early.id)).toBe('failed');
    const suppressed = await sendSmsFromComplaint(complaintId, recipient, 'Après STOP.');
    expect(suppressed).toMatchObject({ delivery_status: 'suppressed', delivery_error: expect.stringContaining('STOP') });
    expect(fake.sent().length).toBe(sentBefore);

    await post('/webhooks/twilio/sms', smsParams({ From: recipient, Body: 'START' }));
    expect(await isOptedOut(env.deps.db, tenantId, 'sms', recipient)).toBe(false);
    const sent = await sendSmsFromComplaint(complaintId, recipient, 'Après START.');
    expect(sent.delivery_status).toBe('sent');
    expect(fake.sent().at(-1)!.form.Body).toBe('Après START.');
    await env.deps.queue.drain();
    const complaintsAfter = await env.deps.db.selectFrom('complaints').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
    expect(Number(complaintsAfter.n)).toBe(Number(complaintsBefore.n));
    const events = await env.deps.db.selectFrom('events').select(['type', 'data']).where('tenant_id', '=', tenantId).where('type', 'in', ['channel.opt_out', 'channel.opt_in']).orderBy('id').execute();
    expect(events.map((e) => [e.type, e.data.keyword])).toEqual([['channel.opt_out', 'ARRET'], ['channel.opt_in', 'START']]);
  });
});

describe('STATUT by SMS', () => {
  function trackingStatus(html: string): { headline: string; detail: string } {
    const m = /<span class="reference">[^<]+<\/span><\/p>\s*<h2>([^<]*)<\/h2>\s*<p>([^<]*)<\/p>/.exec(html);
    if (!m) throw new Error('no status on the tracking page');
    const unescape = (s: string) => s.replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    return { headline: unescape(m[1]!), detail: unescape(m[2]!) };
  }

  it('answers the customer found by their phone with the status worded exactly as the tracking page', async () => {
    const created = (await admin.post('/api/complaints', sampleComplaint({ channel: 'phone', contractNumber: 'HAB-2025-2002', complainant: { name: 'Lucie Bernard', phone: '06 55 66 77 88' } }))).json();
    await admin.post(`/api/complaints/${created.id}/status`, { status: 'en_cours' });
    const complaint = await env.deps.db.selectFrom('complaints').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    const page = await env.app.inject({ method: 'GET', url: `/suivi/${complaint.tracking_token}` });
    const shown = trackingStatus(page.body);
    expect(shown.headline).toBe('En cours de traitement');

    const before = fake.sent().length;
    const res = await post('/webhooks/twilio/sms', smsParams({ From: '+33655667788', Body: 'statut' }));
    expect(res.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    await env.deps.queue.drain();
    const [sms] = fake.sent().slice(before);
    expect(sms!.form.To).toBe('+33655667788');
    const lines = sms!.form.Body!.split('\n');
    expect(lines[0]).toBe(`${shown.headline}. ${shown.detail}`);
    expect(lines[1]).toBe(`Suivi : ${PUBLIC_URL}/suivi/${complaint.tracking_token}`);
    const reply = await env.deps.db.selectFrom('messages').selectAll().where('complaint_id', '=', complaint.id).where('purpose', '=', 'statut').executeTakeFirstOrThrow();
    expect(reply, reply.delivery_error ?? '').toMatchObject({ direction: 'outbound', channel: 'sms', automatic: true, delivery_status: 'sent' });

    // With the reference: the same status for that file.
    const asked = await post('/webhooks/twilio/sms', smsParams({ From: '+33655667788', Body: `STATUT ${complaint.reference}` }));
    expect(asked.statusCode).toBe(200);
    await env.deps.queue.drain();
    expect(fake.sent().at(-1)!.form.Body!.split('\n')[0]).toBe(`${shown.headline}. ${shown.detail}`);
  });

  it('tells an unknown number, or someone asking about another person’s file, nothing', async () => {
    const other = (await admin.post('/api/complaints', sampleComplaint({ channel: 'phone', contractNumber: 'VIE-2025-3003', complainant: { name: 'Marc Petit', phone: '06 77 88 99 00' } }))).json();
    const before = fake.sent().length;
    const unknown = await post('/webhooks/twilio/sms', smsParams({ From: '+33699999999', Body: 'STATUT' }));
    expect(unknown.body).toContain('<Message>Bonjour, nous ne trouvons aucun dossier');
    const foreign = smsParams({ From: '+33699999999', Body: `STATUT ${other.reference}` });
    const res = await post('/webhooks/twilio/sms', foreign);
    expect(res.body).toContain('<Message>Bonjour, nous ne trouvons aucun dossier');
    expect(res.body).not.toContain(other.reference);
    await env.deps.queue.drain();
    expect(fake.sent().length).toBe(before);
    expect(await journalOf('sms', foreign.MessageSid!)).toMatchObject({ status: 'ignored', complaint_id: null });
  });
});

describe('voice messages', () => {
  const caller = '+33688776655';

  function callParams(callSid: string): Record<string, string> {
    return { AccountSid: AC, ApiVersion: '2010-04-01', CallSid: callSid, CallStatus: 'ringing', Called: NUMBER, CalledCountry: 'FR', Caller: caller, CallerCountry: 'FR', Direction: 'inbound', From: caller, FromCountry: 'FR', To: NUMBER, ToCountry: 'FR' };
  }

  function recordingParams(callSid: string, recordingSid: string): Record<string, string> {
    const url = fake.serve(`/2010-04-01/Accounts/${AC}/Recordings/${recordingSid}.mp3`, SAMPLE_FILES.mp3, 'audio/mpeg').replace(/\.mp3$/, '');
    return { AccountSid: AC, CallSid: callSid, RecordingSid: recordingSid, RecordingUrl: url, RecordingStatus: 'completed', RecordingDuration: '37', RecordingChannels: '1', RecordingStartTime: new Date().toUTCString(), RecordingSource: 'RecordVerb', RecordingTrack: 'both' };
  }

  function transcriptionParams(callSid: string, recordingSid: string, text: string): Record<string, string> {
    return { ...callParams(callSid), CallStatus: 'completed', TranscriptionSid: sid('TR'), TranscriptionText: text, TranscriptionStatus: 'completed', TranscriptionType: 'fast', RecordingSid: recordingSid, RecordingUrl: `${fake.baseUrl}/2010-04-01/Accounts/${AC}/Recordings/${recordingSid}`, TranscriptionUrl: `${fake.baseUrl}/x` };
  }

  const urlOf = (twiml: string, attribute: string) => new URL(new RegExp(` ${attribute}="([^"]+)"`).exec(twiml)![1]!.replace(/&amp;/g, '&'));

  it('greets in French and records; the recording makes a complaint with the audio; the late transcription updates that message and requalifies it', async () => {
    const callSid = sid('CA');
    const recordingSid = sid('RE');
    const call = await post('/webhooks/twilio/voice', callParams(callSid));
    expect(call.statusCode).toBe(200);
    expect(call.headers['content-type']).toMatch(/^text\/xml/);
    expect(call.body).toContain('<Say language="fr-FR">Bonjour, vous êtes bien au service réclamations de Cabinet Twilio.');
    expect(call.body).toMatch(/<Record [^>]*maxLength="120"/);
    expect(call.body).toMatch(/<Record [^>]*transcribe="true"/);
    const recordingUrl = urlOf(call.body, 'recordingStatusCallback');
    const transcriptionUrl = urlOf(call.body, 'transcribeCallback');
    const actionUrl = urlOf(call.body, 'action');
    expect(recordingUrl.href).toBe(`${PUBLIC_URL}/webhooks/twilio/recording?numero=%2B33757001122`);
    expect(transcriptionUrl.href).toBe(`${PUBLIC_URL}/webhooks/twilio/transcription?numero=%2B33757001122`);
    const path = (u: URL) => `${u.pathname}${u.search}`;

    const done = await post(path(actionUrl), { ...callParams(callSid), CallStatus: 'in-progress', RecordingSid: recordingSid, RecordingDuration: '37', Digits: '#' });
    expect(done.body).toContain('<Hangup/>');

    const before = await journalCount();
    expect((await post(path(recordingUrl), recordingParams(callSid, recordingSid), { token: 'forged' })).statusCode).toBe(403);
    expect(await journalCount()).toBe(before);
    expect((await post(path(recordingUrl), recordingParams(callSid, recordingSid))).statusCode).toBe(200);
    await env.deps.queue.drain();
    const message = await messageOf('voice', callSid);
    expect(message).toMatchObject({ channel: 'voice', body_text: voicePlaceholder(37) });
    const complaint = await env.deps.db.selectFrom('complaints').selectAll().where('id', '=', message!.complaint_id).executeTakeFirstOrThrow();
    expect(complaint.channel).toBe('voice');
    const customer = await env.deps.db.selectFrom('customer_identities').select('value').where('customer_id', '=', complaint.customer_id).where('kind', '=', 'phone').executeTakeFirst();
    expect(customer?.value).toBe(caller);
    const audio = await env.deps.db.selectFrom('attachments').selectAll().where('message_id', '=', message!.id).execute();
    expect(audio.map((a) => [a.filename, a.content_type])).toEqual([[`message-vocal-${callSid}.mp3`, 'audio/mpeg']]);
    const qualificationsBefore = await env.deps.db.selectFrom('qualifications').select('id').where('message_id', '=', message!.id).execute();
    expect(qualificationsBefore).toHaveLength(1);

    const text = 'Bonjour, mon véhicule est au garage depuis trois semaines et l’assureur refuse de prendre en charge la réparation après mon accident.';
    const complaintsBefore = await env.deps.db.selectFrom('complaints').select('id').where('tenant_id', '=', tenantId).execute();
    expect((await post(path(transcriptionUrl), transcriptionParams(callSid, recordingSid, text))).statusCode).toBe(200);
    await env.deps.queue.drain();
    const updated = await messageOf('voice', callSid);
    expect(updated).toMatchObject({ id: message!.id, body_text: text, complaint_id: complaint.id });
    expect((await env.deps.db.selectFrom('complaints').select('description').where('id', '=', complaint.id).executeTakeFirstOrThrow()).description).toBe(text);
    expect(await env.deps.db.selectFrom('complaints').select('id').where('tenant_id', '=', tenantId).execute()).toHaveLength(complaintsBefore.length);
    const qualified = async () =>
      (await env.deps.db.selectFrom('events').select('data').where('complaint_id', '=', complaint.id).where('type', 'in', ['complaint.qualified', 'complaint.triage']).execute()).filter((e) => e.data.messageId === message!.id);
    expect(await qualified()).toHaveLength(2);
    expect(await journalOf('voice', `${callSid}:transcription`)).toMatchObject({ status: 'processed', message_id: message!.id });
    // A retried transcription changes nothing.
    await post(path(transcriptionUrl), transcriptionParams(callSid, recordingSid, text));
    await env.deps.queue.drain();
    expect(await qualified()).toHaveLength(2);
  });

  it('keeps a transcription that arrives before the recording, and uses it as the message text', async () => {
    const callSid = sid('CA');
    const recordingSid = sid('RE');
    await post('/webhooks/twilio/voice', callParams(callSid));
    const q = '?numero=%2B33757001122';
    const text = 'Ma résiliation de contrat habitation n’a jamais été prise en compte.';
    expect((await post(`/webhooks/twilio/transcription${q}`, transcriptionParams(callSid, recordingSid, text))).statusCode).toBe(200);
    expect(await journalOf('voice', `${callSid}:transcription`)).toMatchObject({ status: 'ignored' });
    await env.deps.queue.drain();
    expect(await messageOf('voice', callSid)).toBeUndefined();
    await post(`/webhooks/twilio/recording${q}`, recordingParams(callSid, recordingSid));
    await env.deps.queue.drain();
    const message = await messageOf('voice', callSid);
    expect(message?.body_text).toBe(text);
    expect(await journalOf('voice', `${callSid}:transcription`)).toMatchObject({ status: 'processed', message_id: message!.id });
    expect(await env.deps.db.selectFrom('attachments').select('id').where('message_id', '=', message!.id).execute()).toHaveLength(1);
  });
  it('applies, at the next sweep, a transcription journaled by a process that died before applying it', async () => {
    const callSid = sid('CA');
    const recordingSid = sid('RE');
    await post('/webhooks/twilio/voice', callParams(callSid));
    await post('/webhooks/twilio/recording?numero=%2B33757001122', recordingParams(callSid, recordingSid));
    await env.deps.queue.drain();
    const message = await messageOf('voice', callSid);
    expect(message?.body_text).toBe(voicePlaceholder(37));
    // What the transcription webhook commits before it reconciles; the process dies right there.
    const text = 'Bonjour, je n’ai toujours pas reçu le remboursement de mes lunettes.';
    await env.deps.db
      .insertInto('inbound_journal')
      .values({ tenant_id: tenantId, channel: 'voice', external_id: `${callSid}:transcription`, payload: new TextEncoder().encode(new URLSearchParams(transcriptionParams(callSid, recordingSid, text)).toString()), content_type: 'application/x-www-form-urlencoded', status: 'ignored', received_at: new Date(Date.now() - 5 * 60_000) })
      .execute();
    await recoverySweep(env.deps);
    expect((await messageOf('voice', callSid))?.body_text).toBe(text);
    expect(await journalOf('voice', `${callSid}:transcription`)).toMatchObject({ status: 'processed', message_id: message!.id });
  });
});

describe('one customer across email and SMS', () => {
  it('links the SMS from +33612345678 to the customer who wrote by email with « 06 12 34 56 78 » on file, and joins the same matter', async () => {
    const created = await admin.post(
      '/api/complaints',
      sampleComplaint({
        channel: 'email',
        contractNumber: 'SAN-2025-4004',
        complainant: { name: 'Jeanne Dupont', email: 'jeanne.dupont@example.fr', phone: '06 12 34 56 78' },
        nature: 'Remboursement dentaire refusé',
        description: 'Ma mutuelle refuse de rembourser ma couronne dentaire alors que le devis avait été accepté.',
        receivedAt: new Date(Date.now() - 86_400_000).toISOString(),
        sentOn: new Date(Date.now() - 86_400_000).toISOString().slice(0, 10),
      }),
    );
    expect(created.statusCode).toBe(201);
    const email = created.json();
    const p = smsParams({ From: '+33612345678', Body: 'Bonjour, toujours rien pour le remboursement de ma couronne dentaire refusé par la mutuelle alors que le devis était accepté.' });
    await post('/webhooks/twilio/sms', p);
    await env.deps.queue.drain();
    const outcome = (await admin.get(`/api/inbound?channel=sms&externalId=${p.MessageSid}`)).json();
    expect(outcome.customerId).toBe(email.customerId);
    expect(outcome.complaintId).toBe(email.id);
    const message = await messageOf('sms', p.MessageSid!);
    expect(message?.meta).toMatchObject({ via: 'related' });
  });
});
