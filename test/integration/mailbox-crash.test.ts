import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { signup } from '../../src/services/accounts.ts';
import { saveChannel } from '../../src/services/channels.ts';
import { getMailboxState } from '../../src/db/repositories/mailboxes.ts';
import { dovecotTestsEnabled, startDovecot, type DovecotServer } from '../helpers/dovecot.ts';
import { customerMail } from '../helpers/mail.ts';

/**
 * Nothing lost, nothing twice: a backlog import killed with SIGKILL in the middle, then resumed with
 * `guichet mailbox import`, journals every mail exactly once — the checkpoint commits with the rows.
 */
const enabled = dovecotTestsEnabled();
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-mailbox-crash-'));
const dbName = `guichet_mbcrash_${process.pid}`;
let dovecot: DovecotServer;

beforeAll(async () => {
  if (enabled) dovecot = await startDovecot();
});
afterAll(async () => {
  await dovecot?.destroy();
  rmSync(dataDir, { recursive: true, force: true });
  if (process.env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }
});

/** One database shared by this process and its children: a PGlite folder, or a PostgreSQL database. */
async function environment(): Promise<Record<string, string>> {
  // No Redis for the children: the journal is the durable part, ingestion is not under test here.
  const env: Record<string, string> = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', SECRET_KEY: 'mailbox-crash-test-secret-key-0123456789' };
  if (process.env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${dbName}`);
    await c.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${dbName}`;
    env.DATABASE_URL = url.toString();
  }
  return env;
}

async function withDeps<T>(config: Config, fn: (deps: Awaited<ReturnType<typeof createDeps>>) => Promise<T>): Promise<T> {
  const deps = await createDeps(config, { logger: createLogger('silent') });
  try {
    return await fn(deps);
  } finally {
    await deps.close();
  }
}

describe.skipIf(!enabled)(`mailbox import killed mid-backlog (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('journals each of 300 mails exactly once across a SIGKILL and a resumed import', { timeout: 180_000 }, async () => {
    const vars = await environment();
    const config = loadConfig(vars);
    const address = `reprise.${process.pid}@cabinet.example`;
    const { tenantId, channelId } = await withDeps(config, async (deps) => {
      const { tenant } = await signup(deps, { companyName: 'Cabinet Reprise Mail', managerName: 'R', email: `reprise-mail${process.pid}@example.fr`, plan: 'pro', password: 'password-assez-long' });
      const channel = await saveChannel(
        deps,
        tenant.id,
        {
          kind: 'email',
          name: 'Réclamations',
          config: { address, imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: dovecot.user, afterImport: 'seen' }, smtp: { host: '127.0.0.1', port: 2525 } },
          secrets: { imapPassword: dovecot.password },
        },
        { actorUserId: null },
      );
      return { tenantId: tenant.id, channelId: channel.id };
    });
    const mails = Array.from({ length: 300 }, (_, i) => customerMail({ subject: `Arriéré ${i}`, text: `Dossier ${i} en attente de réponse.`, ...(i % 50 === 7 ? { messageId: null } : {}) }));
    await dovecot.appendMany(mails.map((m) => m.raw), { connections: 4 });

    // 1. The import runs in a child process, killed with SIGKILL once about a third is done.
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/mailbox-import.ts', tenantId, channelId, '10'], { env: { ...process.env, ...vars }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let lastDone = 0;
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const p = JSON.parse(line) as { done?: number };
      if (typeof p.done === 'number') lastDone = p.done;
      if (lastDone >= 100) child.kill('SIGKILL');
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal, stderr).toBe('SIGKILL');
    expect(lastDone).toBeGreaterThanOrEqual(100);

    const before = await withDeps(config, async (deps) => {
      const rows = await deps.db.selectFrom('inbound_journal').select('external_id').where('tenant_id', '=', tenantId).execute();
      const state = (await getMailboxState(deps.db, tenantId, channelId))!;
      // The checkpoint covers exactly what was journaled.
      expect(state.last_uid).toBe(rows.length);
      return { journaled: rows.length, leaseUntil: state.lease_until };
    });
    expect(before.journaled).toBeGreaterThanOrEqual(100);
    expect(before.journaled).toBeLessThan(300);

    // 2. The dead process's lease expires, then `guichet mailbox import` resumes from the checkpoint.
    await new Promise((r) => setTimeout(r, Math.max(0, (before.leaseUntil?.getTime() ?? 0) - Date.now()) + 500));
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'mailbox', 'import', '--channel', address, '--batch', '50'], { env: { ...process.env, ...vars }, encoding: 'utf8', timeout: 120_000 });
    expect(cli.status, cli.stderr).toBe(0);
    const summary = JSON.parse(cli.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
    expect(summary).toMatchObject({ found: 300 - before.journaled, imported: 300 - before.journaled, duplicates: 0, done: 300, total: 300, lastUid: 300 });

    // 3. Every mail once.
    await withDeps(config, async (deps) => {
      const rows = await deps.db.selectFrom('inbound_journal').select(['external_id', 'status']).where('tenant_id', '=', tenantId).where('channel', '=', 'email').execute();
      expect(rows.length).toBe(300);
      expect(new Set(rows.map((r) => r.external_id)).size).toBe(300);
      const withId = mails.filter((m) => m.messageId).map((m) => m.messageId);
      expect(rows.filter((r) => !r.external_id.startsWith('sha256:')).map((r) => r.external_id).sort()).toEqual(withId.sort());
      expect(rows.every((r) => r.status === 'pending')).toBe(true);
      const state = (await getMailboxState(deps.db, tenantId, channelId))!;
      expect(state).toMatchObject({ last_uid: 300, import_done: 300, import_total: 300, lease_owner: null });
    });
  });
});
