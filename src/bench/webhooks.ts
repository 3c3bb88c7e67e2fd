/**
 * `guichet bench webhooks`: signed Twilio SMS webhooks accepted per second, and their latency, under 200
 * concurrent clients (a separate load process, http-load.ts), against the real app (channel lookup by
 * the `To` number, credentials opened, signature checked, payload journaled, ingestion queued) — beside a
 * bare fastify route doing one INSERT of the same row into the same database, measured in the same run.
 * The ratio says what verifying and journaling cost over the floor. Runs api-only (no workers consume the
 * queue during the measurement, as with a separate api process); afterwards every accepted request must be
 * exactly one journal row.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import type { Config } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { signup } from '../services/accounts.ts';
import { saveChannel } from '../services/channels.ts';
import { insertJournal } from '../db/repositories/inbound.ts';
import { buildApp } from '../http/app.ts';
import { withScratchDatabase } from './scratch-db.ts';
import { spawnLoad, type LoadResult } from './http-load.ts';

const PUBLIC_URL = 'https://guichet.bench.example';
const ACCOUNT_SID = `AC${'b'.repeat(32)}`;
const TOKEN = 'bench-twilio-auth-token-0123456789';
const NUMBER = '+33757001199';

function load(url: string, requests: number, concurrency: number): Promise<LoadResult> {
  return spawnLoad('twilio', url, [PUBLIC_URL, TOKEN, ACCOUNT_SID, NUMBER], requests, concurrency);
}

async function listen(app: { listen(o: { host: string; port: number }): Promise<string>; server: { address(): unknown } }): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  return typeof address === 'object' && address ? (address as { port: number }).port : 0;
}

/** The floor: fastify, the raw form body, one INSERT of a journal row, the same empty TwiML answer. */
async function bareRoute(deps: Deps, tenantId: string) {
  const app = Fastify({ logger: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_r, body, done) => done(null, body));
  app.post('/bare', async (request, reply) => {
    await insertJournal(deps.db, { tenantId, channel: 'bench', externalId: randomUUID(), payload: new TextEncoder().encode(request.body as string), contentType: 'application/x-www-form-urlencoded', receivedAt: new Date() });
    return reply.type('text/xml').send('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
  return app;
}

async function countRows(deps: Deps, tenantId: string, channel: string): Promise<number> {
  const r = await deps.db.selectFrom('inbound_journal').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).where('channel', '=', channel).executeTakeFirstOrThrow();
  return Number(r.n);
}

async function measure(deps: Deps, label: string, requests: number, concurrency: number) {
  const { tenant } = await signup(deps, {
    companyName: `Banc webhooks ${label} ${randomUUID().slice(0, 6)}`,
    managerName: 'Banc',
    email: `bench-${randomUUID()}@bench.example`,
    plan: 'enterprise',
    password: 'bench-password-123456',
  });
  await saveChannel(deps, tenant.id, { kind: 'twilio', name: 'Banc SMS', config: { number: NUMBER, accountSid: ACCOUNT_SID }, secrets: { authToken: TOKEN } }, { actorUserId: null });
  const warmup = Math.min(200, requests);

  const bare = await bareRoute(deps, tenant.id);
  const barePort = await listen(bare);
  let bareResult: LoadResult;
  try {
    await load(`http://127.0.0.1:${barePort}/bare`, warmup, concurrency);
    bareResult = await load(`http://127.0.0.1:${barePort}/bare`, requests, concurrency);
  } finally {
    await bare.close();
  }

  const app = await buildApp(deps, 'bench-secret-0123456789abcdef0123456789', { rateLimitNamespace: `guichet-bench-${process.pid}-rate-` });
  const port = await listen(app);
  let webhook: LoadResult;
  try {
    await load(`http://127.0.0.1:${port}/webhooks/twilio/sms`, warmup, concurrency);
    webhook = await load(`http://127.0.0.1:${port}/webhooks/twilio/sms`, requests, concurrency);
  } finally {
    await app.close();
  }
  const journaled = await countRows(deps, tenant.id, 'sms');
  const result = {
    requests,
    concurrency,
    signedSms: webhook,
    bareInsert: bareResult,
    ratio: Number((webhook.perSecond / Math.max(1, bareResult.perSecond)).toFixed(3)),
    // Warm-up included: every 200 answered is one journal row, none lost, none twice.
    journalRows: journaled,
    journalRowsExpected: webhook.ok + Math.min(warmup, requests),
  };
  console.log(`${label}: ${JSON.stringify(result)}`);
  return result;
}

export async function benchWebhooks(config: Config, args: string[]) {
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : NaN;
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const requests = flag('n', 5000);
  const concurrency = flag('c', 200);
  const logger = createLogger('warn');
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-webhooks-'));
  const base = { ...config, publicUrl: PUBLIC_URL, filesDir };
  const out: Record<string, unknown> = {};
  try {
    if (config.databaseUrl && config.redisUrl) {
      out.postgresBullmq = await withScratchDatabase(config.databaseUrl, `guichet_bench_webhooks_${process.pid}`, async (url) => {
        const deps = await createDeps({ ...base, databaseUrl: url }, { logger, queuePrefix: `guichet-bench-webhooks-${process.pid}` });
        try {
          return await measure(deps, 'postgres+bullmq', requests, concurrency);
        } finally {
          await deps.close();
        }
      });
    } else {
      out.postgresBullmq = { skipped: 'DATABASE_URL et REDIS_URL requis' };
    }
    const deps = await createDeps({ ...base, databaseUrl: undefined, redisUrl: undefined, pgliteDir: 'memory' }, { logger });
    try {
      out.embedded = await measure(deps, 'embedded', requests, concurrency);
    } finally {
      await deps.close();
    }
  } finally {
    rmSync(filesDir, { recursive: true, force: true });
  }
  return { bench: 'webhooks', peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...out };
}
