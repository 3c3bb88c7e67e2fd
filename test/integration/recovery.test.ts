import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { signup } from '../../src/services/accounts.ts';
import { inboundOutcome } from '../../src/intake/journal.ts';
import { startWorkers } from '../../workers/index.ts';

/**
 * Nothing is lost: a payload journaled by a process killed before processing is ingested after the
 * restart, exactly once — and restarting again does not ingest it twice.
 */
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-recovery-'));
const dbName = `guichet_recovery_${process.pid}`;
afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (process.env.DATABASE_URL) {
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await c.end();
  }
});

async function environment(): Promise<Record<string, string>> {
  const env: Record<string, string> = { NODE_ENV: 'test', LOG_LEVEL: 'silent', DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: process.env.REDIS_URL ?? '' };
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

async function boot(config: Config, prefix: string) {
  const deps = await createDeps(config, { logger: createLogger('silent'), queuePrefix: prefix });
  return deps;
}

describe(`crash recovery (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('ingests, after a restart, once, what a killed process had journaled', async () => {
    const vars = await environment();
    const config = loadConfig(vars);
    const first = await boot(config, `guichet-recovery-${process.pid}-a`);
    const { tenant } = await signup(first, { companyName: 'Cabinet Reprise', managerName: 'R', email: `reprise${process.pid}@example.fr`, plan: 'pro', password: 'password-assez-long' });
    await first.close();

    const child = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/accept-and-die.ts', tenant.id, 'cle-crash'], {
      env: { ...process.env, ...vars },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(JSON.parse(child.stdout.trim())).toMatchObject({ duplicate: false, status: 'pending' });

    const second = await boot(config, `guichet-recovery-${process.pid}-b`);
    expect((await inboundOutcome(second, tenant.id, 'webform', 'cle-crash')).status).toBe('pending');
    const stop = await startWorkers(second);
    await second.queue.drain();
    const outcome = await inboundOutcome(second, tenant.id, 'webform', 'cle-crash');
    expect(outcome.status).toBe('processed');
    expect(outcome.reference).toMatch(/^REC-\d{4}-000001$/);
    await stop();
    await second.close();

    const third = await boot(config, `guichet-recovery-${process.pid}-c`);
    const stop3 = await startWorkers(third);
    await third.queue.drain();
    const count = await third.db.selectFrom('messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(1);
    expect((await inboundOutcome(third, tenant.id, 'webform', 'cle-crash')).complaintId).toBe(outcome.complaintId);
    await stop3();
    await third.close();
  });
});
