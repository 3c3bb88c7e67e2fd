import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDeps, type Clock, type Deps } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { buildApp } from '../../src/http/app.ts';
import { startWorkers } from '../../workers/index.ts';

export interface TestEnv {
  deps: Deps;
  app: FastifyInstance;
  dbLabel: 'postgres' | 'pglite';
  close(): Promise<void>;
}

/** A settable clock for tests that cross deadlines. */
export class TestClock implements Clock {
  constructor(private current: Date = new Date()) {}
  now(): Date {
    return new Date(this.current);
  }
  set(at: Date | string): void {
    this.current = new Date(at);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

let counter = 0;

/**
 * A fresh, migrated database for one test file: a PostgreSQL database cloned from the migrated template
 * when DATABASE_URL is set, else an in-memory PGlite. Plus a temporary file store.
 */
export async function createTestEnv(
  options: { clock?: Clock; config?: Partial<Config>; workers?: boolean } = {},
): Promise<TestEnv> {
  const template = inject('pgTemplate');
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-files-'));
  let databaseUrl: string | undefined;
  let dropDb: (() => Promise<void>) | undefined;
  if (template && process.env.DATABASE_URL) {
    const name = `guichet_t_${process.ppid}_${process.pid}_${++counter}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    dropDb = async () => {
      const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    };
  }
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      DATA_DIR: 'memory',
      LOG_LEVEL: 'silent',
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(process.env.REDIS_URL ? { REDIS_URL: process.env.REDIS_URL } : {}),
    },
    { filesDir, ...options.config },
  );
  const isolation = `guichet-test-${process.pid}-${++counter}-${Date.now().toString(36)}`;
  const deps = await createDeps(config, {
    logger: createLogger('silent'),
    queuePrefix: isolation,
    secretKey: 'test-secret-key-that-is-long-enough-0123456789',
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp(deps, deps.secretKey, { rateLimitNamespace: `${isolation}-rate-` });
  await app.ready();
  const stopWorkers = options.workers === false ? async () => {} : await startWorkers(deps, { sweepEveryMs: 3_600_000 });
  return {
    deps,
    app,
    dbLabel: deps.dbKind,
    async close() {
      await app.close();
      await stopWorkers();
      await deps.close();
      await dropDb?.();
      await rm(filesDir, { recursive: true, force: true });
    },
  };
}
