import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, sampleComplaint, signupTenant } from '../helpers/http.ts';
import { submitForm } from '../helpers/inbound.ts';
import { saveChannel } from '../../src/services/channels.ts';
import { runAutoAcknowledgements } from '../../src/notify/customer-messages.ts';
import { formatDateLong } from '../../src/domain/customer-status.ts';
import { DEFAULT_MEDIATOR } from '../../src/notify/communication.ts';
import { smsSegments } from '../../src/domain/sms.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.ts';
import { startFakeTwilio, type FakeTwilio } from '../helpers/twilio-fake.ts';

const SID = `AC${'b2'.repeat(16)}`;
let env: TestEnv;
let smtp: SmtpCapture;
let twilio: FakeTwilio;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  twilio = await startFakeTwilio(SID, 'tok');
  env = await createTestEnv({ config: { twilioApiBaseUrl: twilio.baseUrl } });
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
  await twilio?.close();
});

// Every channel points at local stand-ins: the mails and SMS really leave through the connectors.
const emailChannel = (address: string) => ({
  kind: 'email',
  name: 'Réclamations',
  config: { address, imap: { host: '127.0.0.1', user: address }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } },
  secrets: { imapPassword: 'x' },
});
const smsChannel = (number: string) => ({ kind: 'twilio', name: 'SMS', config: { number, accountSid: SID }, secrets: { authToken: 'tok' } });

const TEXT = 'Mon dégât des eaux du 3 novembre n’est toujours pas indemnisé, l’expert est passé il y a un mois et je n’ai plus de nouvelles malgré mes relances.';

async function firmWithComplaint(name: string, channels: unknown[], fields: Record<string, string> = {}) {
  const t = await signupTenant(env.app, name);
  for (const c of channels) await saveChannel(env.deps, t.tenant.id, c, { actorUserId: null });
  const r = await submitForm(env.deps, t.tenant.id, { name: 'Lucie Bernard', email: `lucie.${t.tenant.slug}@example.fr`, description: TEXT, ...fields });
  const complaintId = r.outcome.complaintId!;
  return { ...t, complaintId, detail: async () => (await t.client.get(`/api/complaints/${complaintId}`)).json() };
}

const outbound = (detail: { messages: { direction: string }[] }) => detail.messages.filter((m) => m.direction === 'outbound') as unknown as {
  channel: string; recipient: string; subject: string | null; bodyText: string; purpose: string; automatic: boolean; delivery: { status: string; error: string | null } | null;
}[];

describe('acknowledgements', () => {
  it('leaves on its own for a qualified complaint, on the customer’s channel, with the answer date and the médiateur — once', async () => {
    const f = await firmWithComplaint('Cabinet Accusé', [emailChannel('reclamations@accuse.example')]);
    expect(await runAutoAcknowledgements(env.deps)).toBeGreaterThanOrEqual(1);
    expect(await runAutoAcknowledgements(env.deps)).toBe(0);
    const d = await f.detail();
    const acks = outbound(d).filter((m) => m.purpose === 'ack');
    expect(acks).toHaveLength(1);
    const ack = acks[0]!;
    expect(ack).toMatchObject({ channel: 'email', recipient: `lucie.${f.tenant.slug}@example.fr`, automatic: true, delivery: { status: 'queued' } });
    expect(ack.subject).toContain(`[${d.complaint.reference}]`);
    expect(ack.bodyText).toContain(formatDateLong(d.complaint.deadlines.answerDueOn));
    expect(ack.bodyText).toContain(DEFAULT_MEDIATOR);
    expect(ack.bodyText).toContain(`/suivi/`);
    expect(ack.bodyText).not.toMatch(/\{\{/);
    // Sent through SMTP: the acknowledgement clock stops when it has left.
    await env.deps.queue.drain();
    const after = await f.detail();
    expect(outbound(after).find((m) => m.purpose === 'ack')?.delivery?.status).toBe('sent');
    expect(after.complaint.acknowledgedAt).not.toBeNull();
    expect(after.complaint.deadlines.ackDaysLeft).toBeNull();
    const mail = smtp.mails.find((m) => m.parsed.subject?.includes(d.complaint.reference));
    expect(mail?.envelope.to).toEqual([`lucie.${f.tenant.slug}@example.fr`]);
  });

  it('waits for an agent when the process asks for approval; the agent sends it', async () => {
    const t = await signupTenant(env.app, 'Cabinet Validation');
    await saveChannel(env.deps, t.tenant.id, emailChannel('reclamations@validation.example'), { actorUserId: null });
    const processes = (await t.client.get('/api/processes')).json().items as { id: string }[];
    for (const p of processes) expect((await t.client.patch(`/api/processes/${p.id}`, { acknowledgement: 'approval' })).statusCode).toBe(200);
    const r = await submitForm(env.deps, t.tenant.id, { name: 'Paul Petit', email: 'paul.petit@example.fr', description: TEXT });
    await runAutoAcknowledgements(env.deps);
    const id = r.outcome.complaintId!;
    expect(outbound((await t.client.get(`/api/complaints/${id}`)).json())).toHaveLength(0);
    const sent = await t.client.post(`/api/complaints/${id}/acknowledge`, {});
    expect(sent.statusCode, sent.body).toBe(201);
    expect(sent.json().message).toMatchObject({ purpose: 'ack', automatic: false, channel: 'email' });
  });

  it('records, once, that a customer with no written channel must be acknowledged by letter or phone', async () => {
    const f = await firmWithComplaint('Cabinet Sans Canal', []);
    await runAutoAcknowledgements(env.deps);
    await runAutoAcknowledgements(env.deps);
    const d = await f.detail();
    expect(d.events.filter((e: { type: string }) => e.type === 'acknowledgement.no_channel')).toHaveLength(1);
    expect(outbound(d)).toHaveLength(0);
  });
});

describe('replies and answers', () => {
  it('replies on the channel the customer used last by default, on another on request, and refuses an unreachable one', async () => {
    const f = await firmWithComplaint('Cabinet Réponse', [emailChannel('contact@reponse.example'), smsChannel('+33640001000')], { phone: '06 12 34 56 78' });
    const r1 = await f.client.post(`/api/complaints/${f.complaintId}/replies`, { text: 'Bonjour, nous relançons l’expert aujourd’hui.' });
    expect(r1.statusCode, r1.body).toBe(201);
    expect(r1.json().message).toMatchObject({ channel: 'email', recipient: `lucie.${f.tenant.slug}@example.fr`, purpose: 'reply', automatic: false });
    expect(r1.json().message.subject).toMatch(/\[REC-\d{4}-\d{6}\]/);
    const r2 = await f.client.post(`/api/complaints/${f.complaintId}/replies`, { channel: 'sms', text: 'Nous relançons l’expert.' });
    expect(r2.statusCode, r2.body).toBe(201);
    expect(r2.json().message).toMatchObject({ channel: 'sms', recipient: '+33612345678' });
    await env.deps.queue.drain();
    expect(twilio.sent().map((r) => [r.form.To, r.form.Body])).toContainEqual(['+33612345678', 'Nous relançons l’expert.']);
    const r3 = await f.client.post(`/api/complaints/${f.complaintId}/replies`, { channel: 'slack', text: 'Bonjour' });
    expect(r3.statusCode).toBe(422);
    expect(r3.json().message).toMatch(/Slack/);
  });

  it('sends chosen attachments of the complaint with an email reply, and refuses them on SMS or from another complaint', async () => {
    const f = await firmWithComplaint('Cabinet Pièces', [emailChannel('contact@pieces.example'), smsChannel('+33640003000')], { phone: '0622334455' });
    const boundary = 'piecesBoundary';
    const up = await f.client.raw({
      method: 'POST',
      url: `/api/complaints/${f.complaintId}/attachments`,
      payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="attestation.txt"\r\nContent-Type: text/plain\r\n\r\nAttestation de prise en charge.\r\n--${boundary}--\r\n`,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(up.statusCode, up.body).toBe(201);
    const attachmentId = up.json().items[0].id as string;
    expect((await f.client.post(`/api/complaints/${f.complaintId}/replies`, { channel: 'sms', text: 'Voir pièce', attachmentIds: [attachmentId] })).statusCode).toBe(400);
    expect((await f.client.post(`/api/complaints/${f.complaintId}/replies`, { text: 'Voir pièce', attachmentIds: ['00000000-0000-4000-8000-000000000000'] })).statusCode).toBe(400);
    const sent = await f.client.post(`/api/complaints/${f.complaintId}/replies`, { text: 'Veuillez trouver l’attestation ci-jointe.', attachmentIds: [attachmentId] });
    expect(sent.statusCode, sent.body).toBe(201);
    await env.deps.queue.drain();
    const mail = smtp.mails.find((m) => m.parsed.text?.includes('attestation ci-jointe'));
    expect(mail?.parsed.attachments.map((a) => [a.filename, a.content.toString('utf8')])).toEqual([['attestation.txt', 'Attestation de prise en charge.']]);
  });

  it('refuses a refusal without the médiateur and voies de recours, then resolves the complaint with its outcome', async () => {
    const f = await firmWithComplaint('Cabinet Refus', [emailChannel('contact@refus.example')]);
    const bare = await f.client.post(`/api/complaints/${f.complaintId}/replies`, { purpose: 'answer', outcome: 'refuse', text: 'Votre demande est refusée.' });
    expect(bare.statusCode).toBe(422);
    expect(bare.json().message).toMatch(/médiateur et les voies de recours/);
    expect((await f.detail()).complaint.status).not.toBe('resolue');
    const preview = (await f.client.get(`/api/complaints/${f.complaintId}/replies/preview?templateKey=answer`)).json();
    expect(preview.text).toContain(DEFAULT_MEDIATOR);
    const ok = await f.client.post(`/api/complaints/${f.complaintId}/replies`, { purpose: 'answer', outcome: 'refuse', text: preview.text.replace('[Votre réponse motivée]', 'Le contrat exclut les infiltrations lentes.') });
    expect(ok.statusCode, ok.body).toBe(201);
    const d = await f.detail();
    expect(d.complaint).toMatchObject({ status: 'resolue', outcome: 'refuse' });
    expect(d.complaint.answeredAt).not.toBeNull();
    expect(d.events.map((e: { type: string }) => e.type)).toContain('complaint.status_changed');
  });

  it('tells an agent a refusal needs an outcome, and keeps nothing of a refused reply', async () => {
    const f = await firmWithComplaint('Cabinet Issue', [emailChannel('contact@issue.example')]);
    const r = await f.client.post(`/api/complaints/${f.complaintId}/replies`, { purpose: 'answer', text: 'Réponse sans issue' });
    expect(r.statusCode).toBe(400);
    expect(outbound(await f.detail())).toHaveLength(0);
  });

  it('gives an SMS acknowledgement short enough for two segments, with the tracking link', async () => {
    const f = await firmWithComplaint('Cabinet Court', [smsChannel('+33640002000')], { phone: '0611223344', email: '' });
    const p = (await f.client.get(`/api/complaints/${f.complaintId}/replies/preview?templateKey=acknowledgement&channel=sms`)).json();
    expect(p.channel).toBe('sms');
    expect(p.text).toContain('/suivi/');
    expect(smsSegments(p.text)).toMatchObject({ encoding: 'GSM-7' });
    expect(smsSegments(p.text).segments).toBeLessThanOrEqual(2);
    for (const kind of ['holding', 'answer']) {
      const t = (await f.client.get(`/api/complaints/${f.complaintId}/replies/preview?templateKey=${kind}&channel=sms`)).json().text;
      expect(smsSegments(t).segments, t).toBeLessThanOrEqual(2);
    }
  });
});

describe('status updates', () => {
  it('writes the new status to the customer on the channels they used, in the tracking page’s words', async () => {
    const f = await firmWithComplaint('Cabinet Statut', [emailChannel('contact@statut.example')]);
    const res = await f.client.post(`/api/complaints/${f.complaintId}/status`, { status: 'en_attente' });
    expect(res.statusCode, res.body).toBe(200);
    const tracking = await env.app.inject({ method: 'GET', url: `/suivi/${(await env.deps.db.selectFrom('complaints').select('tracking_token').where('id', '=', f.complaintId).executeTakeFirstOrThrow()).tracking_token}` });
    const update = outbound(await f.detail()).find((m) => m.purpose === 'status');
    expect(update?.channel).toBe('email');
    // The headline of the status, as the tracking page prints it.
    const headline = update!.bodyText.split('\n')[2]!;
    expect(headline.length).toBeGreaterThan(10);
    expect(tracking.body).toContain(headline.replace(/'/g, '&#39;').replace(/’/g, '’'));
  });
});

describe('presence and live updates', () => {
  it('shows who else has the complaint open', async () => {
    const f = await firmWithComplaint('Cabinet Présence', []);
    const other = await addUser(env.app, f.client, 'agent');
    expect((await f.client.post(`/api/complaints/${f.complaintId}/presence`)).json().viewers).toEqual([]);
    const seen = (await other.client.post(`/api/complaints/${f.complaintId}/presence`)).json().viewers;
    expect(seen).toHaveLength(1);
    expect(seen[0].name).toBeTruthy();
    expect((await other.client.delete(`/api/complaints/${f.complaintId}/presence`)).statusCode).toBe(204);
    expect((await f.client.post(`/api/complaints/${f.complaintId}/presence`)).json().viewers).toEqual([]);
  });

  it('streams a server-sent event to the tenant’s console when a complaint changes, and nothing to another tenant', async () => {
    const f = await firmWithComplaint('Cabinet Direct', []);
    const other = await signupTenant(env.app, 'Cabinet Voisin');
    await env.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (env.app.server.address() as { port: number }).port;
    const open = (cookie: string) =>
      new Promise<{ chunks: string[]; close: () => void }>((resolve, reject) => {
        const chunks: string[] = [];
        const req = http.get({ host: '127.0.0.1', port, path: '/api/stream', headers: { cookie } }, (res) => {
          expect(res.headers['content-type']).toMatch(/text\/event-stream/);
          res.setEncoding('utf8');
          res.on('data', (d: string) => chunks.push(d));
          resolve({ chunks, close: () => req.destroy() });
        });
        req.on('error', reject);
      });
    const mine = await open(f.client.cookieHeader()!);
    const theirs = await open(other.client.cookieHeader()!);
    await new Promise((r) => setTimeout(r, 200));
    expect((await f.client.post(`/api/complaints/${f.complaintId}/notes`, { text: 'Appel du client ce matin.' })).statusCode).toBe(201);
    const deadline = Date.now() + 5000;
    while (!mine.chunks.join('').includes(f.complaintId) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(mine.chunks.join('')).toContain(`event: complaint\ndata: {"complaintId":"${f.complaintId}","type":"note.added"}`);
    // Reading the complaint is not a change: no event (a console refetching on events would loop).
    const seen = mine.chunks.join('').length;
    expect((await f.client.get(`/api/complaints/${f.complaintId}`)).statusCode).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(mine.chunks.join('').slice(seen)).not.toContain(f.complaintId);
    expect(theirs.chunks.join('')).not.toContain(f.complaintId);
    mine.close();
    theirs.close();
  });
});

describe('the complaint file as a PDF', () => {
  it('renders the whole file with its accents, paged, and logs the export', async () => {
    const f = await firmWithComplaint('Cabinet Dossier Épais', [emailChannel('contact@dossier.example')]);
    await f.client.post(`/api/complaints/${f.complaintId}/notes`, { text: 'Appel du client : il attend l’expert depuis un mois, œuvre de patience.' });
    const res = await f.client.get(`/api/complaints/${f.complaintId}/export.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-pdf-'));
    const file = path.join(dir, 'dossier.pdf');
    writeFileSync(file, res.rawPayload);
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    const d = await f.detail();
    expect(text).toContain(`Réclamation ${d.complaint.reference}`);
    expect(text).toContain('Lucie Bernard');
    expect(text).toContain('dégât des eaux');
    expect(text).toContain('œuvre de patience');
    expect(text).toContain('Note interne');
    expect(text).toMatch(/page 1 sur \d/);
    if (process.env.KEEP_PDF) writeFileSync(process.env.KEEP_PDF, res.rawPayload);
    rmSync(dir, { recursive: true, force: true });
    expect(d.events.map((e: { type: string }) => e.type)).toContain('complaint.exported');
    const other = await signupTenant(env.app, 'Cabinet Curieux');
    expect((await other.client.get(`/api/complaints/${f.complaintId}/export.pdf`)).statusCode).toBe(404);
  });
});

describe('what the console proposes', () => {
  it('proposes a holding reply when the answer is due within the set days, until one has left', async () => {
    const t = await signupTenant(env.app, 'Cabinet Attente');
    await saveChannel(env.deps, t.tenant.id, emailChannel('contact@attente.example'), { actorUserId: null });
    // Sent seven weeks ago: the two-month answer date is a week or so away.
    const sent = new Date(Date.now() - 55 * 86_400_000).toISOString().slice(0, 10);
    const c = (await t.client.post('/api/complaints', sampleComplaint({ sentOn: sent, receivedAt: `${sent}T10:00:00+01:00` }))).json();
    const before = (await t.client.get(`/api/complaints/${c.id}`)).json();
    expect(before.complaint.deadlines.answerDaysLeft).toBeLessThanOrEqual(7);
    expect(before.suggestions).toEqual({ holdingReply: true, acknowledgement: true });
    expect(before.allowedStatuses).toEqual(['en_cours', 'en_attente', 'resolue']);
    const preview = (await t.client.get(`/api/complaints/${c.id}/replies/preview?templateKey=holding`)).json();
    expect((await t.client.post(`/api/complaints/${c.id}/replies`, { purpose: 'holding', text: preview.text })).statusCode).toBe(201);
    expect((await t.client.get(`/api/complaints/${c.id}`)).json().suggestions.holdingReply).toBe(false);
    const fresh = (await t.client.post('/api/complaints', sampleComplaint({ sentOn: null, receivedAt: undefined }))).json();
    expect((await t.client.get(`/api/complaints/${fresh.id}`)).json().suggestions.holdingReply).toBe(false);
  });
});
