import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.ts';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signupTenant } from '../helpers/http.ts';
import { dovecotTestsEnabled, startDovecot, type DovecotServer } from '../helpers/dovecot.ts';
import { customerMail } from '../helpers/mail.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.ts';
import { startWorkers } from '../../workers/index.ts';
import { openChannel, saveChannel } from '../../src/services/channels.ts';
import type { Channel, Message } from '../../src/db/types.ts';
import { inboundOutcome } from '../../src/intake/journal.ts';
import { enqueueDelivery, queueOutbound, type OutboundDraft } from '../../src/notify/outbound.ts';
import { deliverMessage } from '../../src/notify/dispatch.ts';
import { importMailbox, MailboxReader } from '../../connectors/email/imap.ts';

/**
 * Outbound email through nodemailer to a local smtp-server (captured, parsed with mailparser), and the
 * customer's replies coming back through Dovecot: by the headers, or by the subject token alone.
 */
const enabled = dovecotTestsEnabled();
const mode = `${process.env.DATABASE_URL ? 'postgres' : 'pglite'} + ${process.env.REDIS_URL ? 'bullmq' : 'in-process queue'}`;
const OUR_ID = /^<guichet\.(REC-\d{4}-\d{6})\.([a-z0-9-]+)\.([0-9a-z]{8})@cabinet-martin\.example>$/;

let env: TestEnv;
let dovecot: DovecotServer;
let smtp: SmtpCapture;
let stopWorkers: () => Promise<void> = async () => {};
const readers: MailboxReader[] = [];

beforeAll(async () => {
  if (!enabled) return;
  env = await createTestEnv({ workers: false });
  stopWorkers = await startWorkers(env.deps, { sweepEveryMs: 3_600_000, mailboxes: false });
  [dovecot, smtp] = await Promise.all([startDovecot(), startSmtpCapture()]);
});
afterAll(async () => {
  await Promise.all(readers.map((r) => r.stop()));
  await stopWorkers();
  await env?.close();
  await Promise.all([dovecot?.destroy(), smtp?.close()]);
});

let seq = 0;
/** A tenant whose mailbox reads a Dovecot folder and sends through the capturing SMTP server. */
async function tenantWithMailbox() {
  const folder = `out${++seq}`;
  const c = await dovecot.client();
  await c.mailboxCreate(folder);
  await c.logout();
  const t = await signupTenant(env.app, `Cabinet Martin ${seq}`);
  const row = await saveChannel(
    env.deps,
    t.tenant.id,
    {
      kind: 'email',
      name: 'Réclamations',
      config: {
        address: `reclamations${seq}@cabinet-martin.example`,
        imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: dovecot.user, folder, pollSeconds: 3600 },
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, fromName: 'Cabinet Martin – Réclamations' },
      },
      secrets: { imapPassword: dovecot.password },
    },
    { actorUserId: null },
  );
  return { t, tenantId: t.tenant.id, folder, channel: openChannel(env.deps, row as Channel & { kind: 'email' }) };
}

type Box = Awaited<ReturnType<typeof tenantWithMailbox>>;

/** A customer's first mail, through IMAP and ingest: its complaint and inbound message. */
async function customerComplaint(box: Box, headers: string[] = []) {
  const mail = customerMail({ to: box.channel.address, subject: 'Remboursement dentaire refusé', headers });
  await dovecot.append(mail.raw, { folder: box.folder });
  await importMailbox(env.deps, box.channel);
  await env.deps.queue.drain();
  const outcome = await inboundOutcome(env.deps, box.tenantId, 'email', mail.messageId!);
  expect(outcome.status).toBe('processed');
  return { mail, complaintId: outcome.complaintId!, reference: outcome.reference!, inboundId: outcome.messageId! };
}

async function queue(draft: OutboundDraft): Promise<Message> {
  const m = await env.deps.db.transaction().execute((trx) => queueOutbound(env.deps, trx, draft, { now: env.deps.clock.now() }));
  expect(m.delivery_status).toBe('queued');
  return m;
}

const draftFor = (box: Box, complaintId: string, over: Partial<OutboundDraft> = {}): OutboundDraft => ({
  tenantId: box.tenantId,
  complaintId,
  customerId: null,
  channel: 'email',
  recipient: 'jeanne.dupont@example.fr',
  subject: 'Accusé de réception de votre réclamation',
  text: 'Bonjour Madame Dupont,\n\nNous avons bien reçu votre réclamation.\nNous vous répondrons sous dix jours ouvrables.\n\nCordialement,\nLe cabinet',
  purpose: 'ack',
  automatic: true,
  authorUserId: null,
  ...over,
});

async function messageRow(tenantId: string, id: string) {
  return env.deps.db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirstOrThrow();
}

describe.skipIf(!enabled)(`email outbound and replies (${mode})`, () => {
  let box: Box;
  let first: Awaited<ReturnType<typeof customerComplaint>>;
  let ackId: string;

  it('sends our acknowledgement: From, our Message-ID, reply headers, reference in the subject, text + HTML, attachment, Auto-Submitted', async () => {
    box = await tenantWithMailbox();
    first = await customerComplaint(box, ['References: <fil-ancien@client.example>']);
    const pdf = new TextEncoder().encode('%PDF-1.4\n% accusé de réception\n');
    const m = await queue(draftFor(box, first.complaintId, { inReplyToMessageId: first.inboundId, attachments: [{ filename: 'accuse-reception.pdf', contentType: 'application/pdf', content: pdf }] }));
    await enqueueDelivery(env.deps, m);
    await env.deps.queue.drain();
    const row = await messageRow(box.tenantId, m.id);
    expect(row).toMatchObject({ delivery_status: 'sent', delivery_attempts: 1, delivery_error: null });
    expect(smtp.mails.length).toBe(1);
    const sent = smtp.mails[0]!;
    const p = sent.parsed;
    expect(p.from?.value[0]).toEqual({ address: box.channel.address, name: 'Cabinet Martin – Réclamations' });
    expect(sent.envelope.to).toEqual(['jeanne.dupont@example.fr']);
    const id = OUR_ID.exec(p.messageId ?? '');
    expect(id, p.messageId).not.toBeNull();
    expect(id![1]).toBe(first.reference);
    expect(id![2]).toBe('ack');
    ackId = p.messageId!.slice(1, -1);
    // providerId = our Message-ID without brackets.
    expect(row.external_id).toBe(ackId);
    expect(p.inReplyTo).toBe(`<${first.mail.messageId}>`);
    expect(p.references).toEqual(['<fil-ancien@client.example>', `<${first.mail.messageId}>`]);
    expect(p.subject).toBe(`Accusé de réception de votre réclamation [${first.reference}]`);
    expect(p.text).toContain('Nous avons bien reçu votre réclamation.');
    expect(p.html).toContain('<p>Bonjour Madame Dupont,</p>');
    expect(p.html).toContain('Nous avons bien reçu votre réclamation.<br>');
    expect(p.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['accuse-reception.pdf', 'application/pdf', '%PDF-1.4\n% accusé de réception\n']]);
    expect(p.headers.get('auto-submitted')).toBe('auto-generated');
  });

  it('sends an agent’s reply as written: its HTML, its subject already carrying the reference, no Auto-Submitted', async () => {
    const before = smtp.mails.length;
    const m = await queue(
      draftFor(box, first.complaintId, {
        subject: `Re: [${first.reference}] votre dossier`,
        text: 'Voici notre réponse <définitive>.',
        html: '<p>Voici notre réponse <strong>définitive</strong>.</p>',
        purpose: 'answer',
        automatic: false,
      }),
    );
    expect(await deliverMessage(env.deps, box.tenantId, m.id)).toBe('sent');
    const p = smtp.mails[before]!.parsed;
    expect(p.subject).toBe(`Re: [${first.reference}] votre dossier`);
    expect(p.html).toContain('<strong>définitive</strong>');
    expect(p.text).toBe('Voici notre réponse <définitive>.');
    expect(OUR_ID.exec(p.messageId ?? '')?.[2]).toBe('answer');
    expect(p.headers.has('auto-submitted')).toBe(false);
    expect(p.inReplyTo).toBeUndefined();
  });

  it('marks the message failed with the server’s reason on a 550 rejection', async () => {
    const before = smtp.mails.length;
    smtp.reject(550, '5.1.1 Mailbox unavailable: user unknown');
    const m = await queue(draftFor(box, first.complaintId, { recipient: 'inconnu@example.fr', automatic: false, purpose: 'answer' }));
    expect(await deliverMessage(env.deps, box.tenantId, m.id)).toBe('failed');
    const row = await messageRow(box.tenantId, m.id);
    expect(row.delivery_status).toBe('failed');
    expect(row.delivery_error).toMatch(/550/);
    expect(row.delivery_error).toMatch(/user unknown/);
    expect(smtp.mails.length).toBe(before);
    const events = await env.deps.db.selectFrom('events').select(['type', 'data']).where('complaint_id', '=', first.complaintId).where('type', '=', 'message.delivery_failed').execute();
    expect(events.some((e) => (e.data as { messageId?: string }).messageId === m.id)).toBe(true);
  });

  it('retries after a 451 and then sends, with the same Message-ID', async () => {
    const before = smtp.mails.length;
    smtp.reject(451, '4.7.1 Greylisted, please try again later');
    const m = await queue(draftFor(box, first.complaintId, { automatic: false, purpose: 'holding' }));
    await enqueueDelivery(env.deps, m);
    // The first attempt fails: the message stays queued with the reason, its Message-ID already fixed.
    const afterFirst = await waitFor('first attempt', async () => {
      const r = await messageRow(box.tenantId, m.id);
      return r.delivery_attempts >= 1 ? r : null;
    });
    expect(afterFirst.delivery_error ?? '').toMatch(/451/);
    const reserved = afterFirst.external_id;
    expect(reserved).toMatch(/^guichet\.REC-\d{4}-\d{6}\.holding\.[0-9a-z]{8}@cabinet-martin\.example$/);
    await env.deps.queue.drain();
    const row = await messageRow(box.tenantId, m.id);
    expect(row).toMatchObject({ delivery_status: 'sent', delivery_attempts: 2, delivery_error: null, external_id: reserved });
    expect(smtp.mails.length).toBe(before + 1);
    expect(smtp.mails[before]!.parsed.messageId).toBe(`<${reserved}>`);
  });

  it('threads the customer’s replies into the same complaint: by In-Reply-To, then by the subject token alone', async () => {
    const r = new MailboxReader(env.deps, box.channel, { ownerId: 'reply-reader', pollMs: 3_600_000, backoff: { initialMs: 100, maxMs: 500 } });
    readers.push(r);
    r.start();
    // 1. A reply to our acknowledgement, with the usual headers.
    const reply = customerMail({
      to: box.channel.address,
      subject: 'Re: Accusé de réception de votre réclamation',
      text: 'Merci. Je joins le devis accepté par la mutuelle.',
      headers: [`In-Reply-To: <${ackId}>`, `References: <${first.mail.messageId}> <${ackId}>`],
    });
    await dovecot.append(reply.raw, { folder: box.folder });
    const outcome = await waitFor('reply ingested', async () => {
      await env.deps.queue.drain();
      const o = await inboundOutcome(env.deps, box.tenantId, 'email', reply.messageId!).catch(() => null);
      return o && o.status !== 'pending' ? o : null;
    });
    expect(outcome).toMatchObject({ status: 'processed', complaintId: first.complaintId, reference: first.reference });
    expect((await messageRow(box.tenantId, outcome.messageId!)).meta).toMatchObject({ via: 'headers' });

    // 2. A reply whose client dropped every header, only the token in the subject remains.
    const bare = customerMail({ to: box.channel.address, subject: `Re: [${first.reference}] encore une question`, text: 'Avez-vous du nouveau ?' });
    await dovecot.append(bare.raw, { folder: box.folder });
    const second = await waitFor('bare reply ingested', async () => {
      await env.deps.queue.drain();
      const o = await inboundOutcome(env.deps, box.tenantId, 'email', bare.messageId!).catch(() => null);
      return o && o.status !== 'pending' ? o : null;
    });
    expect(second).toMatchObject({ status: 'processed', complaintId: first.complaintId });
    expect((await messageRow(box.tenantId, second.messageId!)).meta).toMatchObject({ via: 'reference' });

    const complaints = await env.deps.db.selectFrom('complaints').select('id').where('tenant_id', '=', box.tenantId).execute();
    expect(complaints.length).toBe(1);
    await r.stop();
  });

  it('fails for good, with a readable reason, when the tenant has no mailbox', async () => {
    const t = await signupTenant(env.app, 'Cabinet Sans Boîte');
    const c = (await t.client.post('/api/complaints', { channel: 'letter', sentOn: '2026-03-02', receivedAt: '2026-03-05T09:30:00+01:00', complainant: { name: 'Paul Roy', email: 'paul.roy@example.fr' }, nature: 'Retard', description: 'Mon dossier traîne.', product: 'auto', cause: 'delai' })).json() as { id: string };
    expect(c.id).toBeTruthy();
    const m = await env.deps.db.transaction().execute((trx) =>
      queueOutbound(env.deps, trx, { tenantId: t.tenant.id, complaintId: c.id, customerId: null, channel: 'email', recipient: 'paul.roy@example.fr', subject: 'Réponse', text: 'Bonjour', purpose: 'answer', automatic: false, authorUserId: null }, { now: env.deps.clock.now() }),
    );
    expect(await deliverMessage(env.deps, t.tenant.id, m.id)).toBe('failed');
    expect((await messageRow(t.tenant.id, m.id)).delivery_error).toMatch(/Aucune boîte mail/);
  });
});
