import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signupTenant } from '../helpers/http.ts';
import { dovecotTestsEnabled, startDovecot, type DovecotServer } from '../helpers/dovecot.ts';
import { customerMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';
import { startWorkers } from '../../workers/index.ts';
import { openChannel, saveChannel, type OpenChannel } from '../../src/services/channels.ts';
import type { Channel } from '../../src/db/types.ts';
import { getMailboxState } from '../../src/db/repositories/mailboxes.ts';
import { getChannel } from '../../src/db/repositories/channels.ts';
import { inboundOutcome } from '../../src/intake/journal.ts';
import { importMailbox, MailboxReader, startMailboxSupervisor, type MailboxReaderOptions } from '../../connectors/email/imap.ts';

/**
 * IMAP intake against a real Dovecot: IDLE delivery, backlog import with progress and SINCE, UIDVALIDITY
 * change, server restart, one reader per mailbox (lease), the worker's supervisor.
 */
const enabled = dovecotTestsEnabled();
const mode = `${process.env.DATABASE_URL ? 'postgres' : 'pglite'} + ${process.env.REDIS_URL ? 'bullmq' : 'in-process queue'}`;

let env: TestEnv;
let dovecot: DovecotServer;
let stopWorkers: () => Promise<void> = async () => {};
const readers: MailboxReader[] = [];

beforeAll(async () => {
  if (!enabled) return;
  env = await createTestEnv({ workers: false });
  // Ingestion runs; the mailbox readers are driven by each test.
  stopWorkers = await startWorkers(env.deps, { sweepEveryMs: 3_600_000, mailboxes: false });
  dovecot = await startDovecot();
});
afterAll(async () => {
  await Promise.all(readers.map((r) => r.stop()));
  await stopWorkers();
  await env?.close();
  await dovecot?.destroy();
});

let seq = 0;
/** A tenant with one mailbox on its own Dovecot folder. */
async function mailbox(options: { afterImport?: 'seen' | 'move' | 'leave'; moveTo?: string; pollSeconds?: number; folder?: string } = {}) {
  const folder = options.folder ?? `boite${++seq}`;
  if (options.folder) seq++;
  const c = await dovecot.client();
  await c.mailboxCreate(folder);
  if (options.moveTo) await c.mailboxCreate(options.moveTo).catch(() => undefined);
  await c.logout();
  const t = await signupTenant(env.app, `Cabinet Boîte ${seq}`);
  const row = await saveChannel(
    env.deps,
    t.tenant.id,
    {
      kind: 'email',
      name: `Réclamations ${seq}`,
      config: {
        address: `reclamations${seq}.${Date.now().toString(36)}@cabinet.example`,
        imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: dovecot.user, folder, afterImport: options.afterImport ?? 'seen', moveTo: options.moveTo ?? null, pollSeconds: options.pollSeconds ?? 3600 },
        smtp: { host: '127.0.0.1', port: 2525 },
      },
      secrets: { imapPassword: dovecot.password },
    },
    { actorUserId: null },
  );
  const channel = openChannel(env.deps, row as Channel & { kind: 'email' });
  return { t, folder, channel, tenantId: t.tenant.id };
}

function reader(channel: OpenChannel<'email'>, options: Partial<MailboxReaderOptions> = {}): MailboxReader {
  const r = new MailboxReader(env.deps, channel, { ownerId: `test-${Math.random().toString(36).slice(2, 8)}`, backoff: { initialMs: 100, maxMs: 500 }, ...options });
  readers.push(r);
  r.start();
  return r;
}

async function journal(tenantId: string): Promise<string[]> {
  const rows = await env.deps.db.selectFrom('inbound_journal').select('external_id').where('tenant_id', '=', tenantId).where('channel', '=', 'email').execute();
  return rows.map((r) => r.external_id);
}

async function health(tenantId: string, channelId: string): Promise<Record<string, unknown>> {
  return (await getChannel(env.deps.db, tenantId, channelId))!.health;
}

async function flagsOf(folder: string): Promise<Map<number, Set<string>>> {
  const c = await dovecot.client();
  await c.mailboxOpen(folder);
  const out = new Map<number, Set<string>>();
  for await (const m of c.fetch('1:*', { uid: true, flags: true })) out.set(m.uid, m.flags ?? new Set());
  await c.logout();
  return out;
}

describe.skipIf(!enabled)(`IMAP mailbox intake (${mode})`, () => {
  it('imports a mail appended while the reader idles within seconds (IDLE, no polling), then marks it read', async () => {
    const box = await mailbox();
    const r = reader(box.channel, { pollMs: 3_600_000 });
    await waitFor('connected', async () => (await health(box.tenantId, box.channel.id)).connected === true);
    await new Promise((res) => setTimeout(res, 300)); // the reader is now in IDLE
    const mail = customerMail({ subject: 'Sinistre dégât des eaux', text: 'Mon dégât des eaux n’est toujours pas indemnisé.' });
    const started = Date.now();
    await dovecot.append(mail.raw, { folder: box.folder });
    await waitFor('journaled', async () => (await journal(box.tenantId)).includes(mail.messageId!), 5000);
    expect(Date.now() - started).toBeLessThan(5000);
    await env.deps.queue.drain();
    const outcome = await inboundOutcome(env.deps, box.tenantId, 'email', mail.messageId!);
    expect(outcome.status).toBe('processed');
    expect(outcome.reference).toMatch(/^REC-\d{4}-\d{6}$/);
    // \Seen only after the journal commit; the checkpoint is at the mail's UID.
    await waitFor('seen flag', async () => [...(await flagsOf(box.folder)).values()].every((f) => f.has('\\Seen')));
    const state = await getMailboxState(env.deps.db, box.tenantId, box.channel.id);
    expect(state).toMatchObject({ last_uid: 1, folder: box.folder });
    const h = await health(box.tenantId, box.channel.id);
    expect(h).toMatchObject({ connected: true, backlog: 0 });
    expect(typeof h.lastSuccessAt).toBe('string');
    await r.stop();
    expect((await health(box.tenantId, box.channel.id)).connected).toBe(false);
    expect((await getMailboxState(env.deps.db, box.tenantId, box.channel.id))!.lease_owner).toBeNull();
  });

  it('imports a backlog of 300 mails in batches with progress, shown in the channel API health', async () => {
    const box = await mailbox({ afterImport: 'leave' });
    const mails = Array.from({ length: 300 }, (_, i) => customerMail({ subject: `Réclamation n° ${i}`, text: `Dossier ${i} : remboursement en attente.` }));
    await dovecot.appendMany(mails.map((m) => m.raw), { folder: box.folder, connections: 4 });
    const progress: { done: number; total: number }[] = [];
    const summary = await importMailbox(env.deps, box.channel, { batchSize: 40, onProgress: (p) => progress.push(p) });
    expect(summary).toMatchObject({ found: 300, imported: 300, duplicates: 0, done: 300, total: 300 });
    expect(progress[0]).toEqual({ done: 0, total: 300 });
    expect(progress.at(-1)).toEqual({ done: 300, total: 300 });
    // Batches of at most 40; a backlog this long starts with smaller ones (the first commit comes sooner).
    const batches = progress.slice(1).map((p, i) => p.done - progress[i]!.done);
    expect(batches.slice(0, 5)).toEqual([5, 10, 20, 40, 40]);
    expect(Math.max(...batches)).toBe(40);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(300);
    const ids = await journal(box.tenantId);
    expect(ids.length).toBe(300);
    expect(new Set(ids)).toEqual(new Set(mails.map((m) => m.messageId)));
    // afterImport "leave": nothing flagged on the server.
    expect([...(await flagsOf(box.folder)).values()].some((f) => f.has('\\Seen'))).toBe(false);
    const state = (await getMailboxState(env.deps.db, box.tenantId, box.channel.id))!;
    expect(state).toMatchObject({ last_uid: 300, import_done: 300, import_total: 300 });
    expect(state.import_finished_at).not.toBeNull();
    const listed = (await box.t.client.get('/api/channels')).json() as { items: { id: string; health: Record<string, unknown> }[] };
    expect(listed.items.find((c) => c.id === box.channel.id)!.health).toMatchObject({ backlog: 0, import: { done: 300, total: 300 } });
    // A second pass finds nothing new.
    expect(await importMailbox(env.deps, box.channel)).toMatchObject({ found: 0, imported: 0 });
    // One ingest job per batch is enough: each job ingests every pending row of the tenant.
    await env.deps.queue.drain();
    const statuses = await env.deps.db.selectFrom('inbound_journal').select('status').where('tenant_id', '=', box.tenantId).execute();
    expect(statuses.filter((r) => r.status === 'pending')).toEqual([]);
    expect(statuses.length).toBe(300);
  });

  it('bounds each batch by bytes as well as by count', async () => {
    const box = await mailbox();
    const big = 'Voici le détail de mon dossier. '.repeat(300); // ~10 kB each
    for (let i = 0; i < 6; i++) await dovecot.append(customerMail({ subject: `Volumineux ${i}`, text: big }).raw, { folder: box.folder });
    const progress: number[] = [];
    const summary = await importMailbox(env.deps, box.channel, { batchSize: 100, batchBytes: 25_000, onProgress: (p) => progress.push(p.done) });
    expect(summary).toMatchObject({ found: 6, imported: 6 });
    // Two mails (~20 kB) per batch at most.
    expect(progress).toEqual([0, 2, 4, 6]);
  });

  it('fetches sizes only of the mails above a fair share of the byte budget, counting the others at that share', async () => {
    const box = await mailbox();
    const big = customerMail({ subject: 'Volumineux', text: 'Pièces et détails du sinistre. '.repeat(800) }); // ~25 kB
    const small = Array.from({ length: 6 }, (_, i) => customerMail({ subject: `Court ${i}` })); // < 1 kB
    for (const m of [...small.slice(0, 3), big, ...small.slice(3)]) await dovecot.append(m.raw, { folder: box.folder });
    const progress: number[] = [];
    // Share: 40 000 / 4 = 10 000 bytes. Small mails count 10 000 each (three fill a batch up to 30 000),
    // the big one its real ~25 000 (one small mail more fits beside it, two do not).
    const summary = await importMailbox(env.deps, box.channel, { batchSize: 4, batchBytes: 40_000, onProgress: (p) => progress.push(p.done) });
    expect(summary).toMatchObject({ found: 7, imported: 7 });
    expect(progress).toEqual([0, 3, 5, 7]);
  });

  it('imports only mails received since a date (IMAP SEARCH SINCE), and keeps that limit for later passes', async () => {
    const box = await mailbox();
    const old = customerMail({ subject: 'Ancien' });
    const recent = customerMail({ subject: 'Récent' });
    await dovecot.append(old.raw, { folder: box.folder, date: new Date('2025-01-10T10:00:00Z') });
    await dovecot.append(recent.raw, { folder: box.folder, date: new Date('2026-11-20T10:00:00Z') });
    const summary = await importMailbox(env.deps, box.channel, { since: '2026-01-01' });
    expect(summary).toMatchObject({ found: 1, imported: 1 });
    expect(await journal(box.tenantId)).toEqual([recent.messageId]);
    const row = await env.deps.db.selectFrom('inbound_journal').select('received_at').where('tenant_id', '=', box.tenantId).executeTakeFirstOrThrow();
    // The journal keeps when the mailbox received it (IMAP INTERNALDATE), not when we imported it.
    expect(row.received_at.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    expect((await getMailboxState(env.deps.db, box.tenantId, box.channel.id))!.import_since).toBe('2026-01-01');
  });

  it('scans again from UID 1 after a UIDVALIDITY change, without journaling anything twice', async () => {
    const box = await mailbox();
    const first = Array.from({ length: 5 }, (_, i) => customerMail({ subject: `Avant ${i}` }));
    for (const m of first) await dovecot.append(m.raw, { folder: box.folder });
    expect(await importMailbox(env.deps, box.channel)).toMatchObject({ found: 5, imported: 5 });
    const before = (await getMailboxState(env.deps.db, box.tenantId, box.channel.id))!;
    await dovecot.setUidValidity(before.uid_validity! + 1000, box.folder);
    const later = [customerMail({ subject: 'Après 1' }), customerMail({ subject: 'Après 2', messageId: null })];
    for (const m of later) await dovecot.append(m.raw, { folder: box.folder });
    const summary = await importMailbox(env.deps, box.channel);
    expect(summary).toMatchObject({ found: 7, imported: 2, duplicates: 5, uidValidity: before.uid_validity! + 1000 });
    const ids = await journal(box.tenantId);
    expect(ids.length).toBe(7);
    // A mail without Message-ID is journaled under the hash of its bytes, as the mapper names it.
    expect(ids.filter((id) => id.startsWith('sha256:')).length).toBe(1);
    expect(await health(box.tenantId, box.channel.id)).toHaveProperty('rescanAt');
  });

  it('reconnects after a server restart: the error shows in the health meanwhile, then new mail arrives', async () => {
    const box = await mailbox();
    reader(box.channel, { pollMs: 3_600_000 });
    await waitFor('connected', async () => (await health(box.tenantId, box.channel.id)).connected === true);
    await dovecot.stop();
    try {
      const h = await waitFor('error in health', async () => {
        const v = await health(box.tenantId, box.channel.id);
        return v.connected === false && typeof v.lastError === 'string' ? v : null;
      });
      expect(h.lastError).toMatch(/IMAP/);
      expect(typeof h.lastErrorAt).toBe('string');
    } finally {
      await dovecot.start();
    }
    const mail = customerMail({ subject: 'Après redémarrage' });
    await dovecot.append(mail.raw, { folder: box.folder });
    await waitFor('journaled after restart', async () => (await journal(box.tenantId)).includes(mail.messageId!), 10_000);
    // Reconnected, and the health says so: a success recorded after the last error (a reconnect attempt
    // still failing while the server came back may have written its error just before).
    const h = await waitFor('reconnected', async () => {
      const v = await health(box.tenantId, box.channel.id);
      return v.connected === true && Date.parse(v.lastSuccessAt as string) > Date.parse(v.lastErrorAt as string) ? v : null;
    });
    expect(h.connected).toBe(true);
  });

  it('lets one reader import a mailbox when two compete for it; the other takes over once the lease expires', async () => {
    const box = await mailbox();
    for (let i = 0; i < 20; i++) await dovecot.append(customerMail({ subject: `Concurrence ${i}` }).raw, { folder: box.folder });
    const progressA: number[] = [];
    const progressB: number[] = [];
    const a = reader(box.channel, { ownerId: 'reader-a', leaseMs: 3000, batchSize: 5, pollMs: 3_600_000, onProgress: (p) => progressA.push(p.done) });
    const b = reader(box.channel, { ownerId: 'reader-b', leaseMs: 3000, batchSize: 5, pollMs: 3_600_000, onProgress: (p) => progressB.push(p.done) });
    await waitFor('20 journaled', async () => (await journal(box.tenantId)).length === 20);
    await new Promise((r) => setTimeout(r, 500));
    // Exactly one of them read the mailbox.
    expect([progressA.length > 0, progressB.length > 0].filter(Boolean).length).toBe(1);
    const state = (await getMailboxState(env.deps.db, box.tenantId, box.channel.id))!;
    const [holder, other, otherProgress] = state.lease_owner === 'reader-a' ? [a, b, progressB] : [b, a, progressA];
    expect(['reader-a', 'reader-b']).toContain(state.lease_owner);
    // The holder stops (a worker shutting down): the other reader takes the mailbox over.
    await holder.stop();
    const mail = customerMail({ subject: 'Après la relève' });
    await dovecot.append(mail.raw, { folder: box.folder });
    await waitFor('taken over', async () => (await journal(box.tenantId)).includes(mail.messageId!), 10_000);
    // The journal commit comes just before the reader reports its progress.
    await waitFor('progress of the other reader', async () => (otherProgress.at(-1) ?? 0) > 0);
    expect((await journal(box.tenantId)).length).toBe(21);
    await other.stop();
  });

  it('moves imported mails to the configured folder, folder names with accents included', async () => {
    // The reader sends no ENABLE (UTF8=ACCEPT): names go out in modified UTF-7, as the server stores them.
    const box = await mailbox({ afterImport: 'move', moveTo: 'Réclamations traitées', folder: `Entrées à traiter ${seq + 1}` });
    const mails = [customerMail({ subject: 'À archiver 1' }), customerMail({ subject: 'À archiver 2' })];
    for (const m of mails) await dovecot.append(m.raw, { folder: box.folder });
    expect(await importMailbox(env.deps, box.channel)).toMatchObject({ imported: 2 });
    expect(await journal(box.tenantId)).toHaveLength(2);
    expect((await flagsOf(box.folder)).size).toBe(0);
    const archived = await dovecot.client();
    const status = await archived.status('Réclamations traitées', { messages: true });
    const names = (await archived.list()).map((f) => f.path);
    await archived.logout();
    expect(status && status.messages).toBeGreaterThanOrEqual(2);
    expect(names).toContain(box.folder);
  });

  it('reports a wrong password in French in the health, without the password', async () => {
    const box = await mailbox();
    const wrong = { ...box.channel, secrets: { imapPassword: 'mauvais-mot-de-passe' } };
    const r = reader(wrong, { backoff: { initialMs: 5000, maxMs: 5000 } });
    const h = await waitFor('auth error', async () => {
      const v = await health(box.tenantId, box.channel.id);
      return typeof v.lastError === 'string' ? v : null;
    });
    expect(h.lastError).toMatch(/identifiant ou mot de passe incorrect/);
    expect(JSON.stringify(h)).not.toContain('mauvais-mot-de-passe');
    await r.stop();
  });

  it('the worker supervisor starts a reader per enabled mailbox and stops it when the mailbox is disabled', async () => {
    const box = await mailbox();
    const supervisor = startMailboxSupervisor(env.deps, { ownerId: 'supervisor-test', reader: { pollMs: 3_600_000, backoff: { initialMs: 100, maxMs: 500 } } });
    try {
      await supervisor.refresh();
      expect(supervisor.channelIds()).toContain(box.channel.id);
      const mail = customerMail({ subject: 'Par le superviseur' });
      await dovecot.append(mail.raw, { folder: box.folder });
      await waitFor('journaled by the supervisor', async () => (await journal(box.tenantId)).includes(mail.messageId!), 10_000);
      const row = (await getChannel(env.deps.db, box.tenantId, box.channel.id))!;
      await saveChannel(env.deps, box.tenantId, { kind: 'email', name: row.name, enabled: false, config: row.config }, { id: row.id, actorUserId: null });
      await supervisor.refresh();
      expect(supervisor.channelIds()).not.toContain(box.channel.id);
      expect((await getMailboxState(env.deps.db, box.tenantId, box.channel.id))!.lease_owner).toBeNull();
    } finally {
      await supervisor.stop();
    }
  });
});
