import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { signup } from '../services/accounts.ts';
import { acceptInbound } from '../intake/journal.ts';
import { buildWebformPayload } from '../../connectors/webform/payload.ts';
import { startWorkers } from '../../workers/index.ts';
import { buildApp } from '../http/app.ts';
import { withScratchDatabase } from './scratch-db.ts';
import type { Insertable } from 'kysely';
import type { MessagesTable } from '../db/types.ts';

type NewMessage = Insertable<MessagesTable>;

const TOPICS = [
  'Mon dégât des eaux du mois dernier n’est toujours pas indemnisé, l’expert n’a rien envoyé.',
  'La franchise appliquée sur mon sinistre auto est bien plus élevée que prévu au contrat.',
  'Je demande la résiliation de mon contrat habitation à l’échéance, loi Hamon.',
  'Mon remboursement optique n’est jamais arrivé malgré la facture envoyée deux fois.',
  'Les frais vétérinaires de mon chien ont été refusés sans explication.',
  'Mon assurance emprunteur a augmenté sans avenant ni courrier.',
  'Le bris de glace de mon pare-brise est refusé alors que je suis couvert.',
  'Je n’arrive pas à obtenir mon attestation d’assurance pour mon nouveau logement.',
];

interface Item {
  channel: 'email' | 'webform';
  externalId: string;
  payload: Uint8Array;
  contentType: string;
}

/** 20,000-ish messages: mixed channels, 10% exact duplicates (same provider id again), 10% replies. */
export function corpus(tenantId: string, n: number): { items: Item[]; rows: number } {
  const items: Item[] = [];
  const emailIds: string[] = [];
  let unique = 0;
  for (let i = 0; items.length < n; i++) {
    const roll = i % 10;
    if (roll === 3 && items.length > 10) {
      items.push(items[items.length - 7]!); // exact duplicate of an earlier payload
      continue;
    }
    unique++;
    const who = `client${i % 4000}`;
    const text = `${TOPICS[i % TOPICS.length]} (dossier ${i})`;
    if (roll === 7 && emailIds.length > 5) {
      const parent = emailIds[emailIds.length - 5]!;
      const id = `reply-${i}-${randomUUID()}@bench.example`;
      items.push(email(id, who, `Re: suite`, `Je relance : ${text}`, parent));
      continue;
    }
    if (i % 2 === 0) {
      const id = `m-${i}-${randomUUID()}@bench.example`;
      emailIds.push(id);
      items.push(email(id, who, `Réclamation ${i}`, text));
    } else {
      const { payload, contentType } = buildWebformPayload({
        tenantId,
        kind: 'complaint',
        fields: { name: `Client ${i % 4000}`, email: `${who}@bench.example`, description: text },
        files: [],
        submittedAt: new Date(),
      });
      items.push({ channel: 'webform', externalId: randomUUID(), payload, contentType });
    }
  }
  return { items, rows: unique };
}

function email(id: string, who: string, subject: string, text: string, inReplyTo?: string): Item {
  const mime = [
    `From: ${who} <${who}@bench.example>`,
    'To: reclamations@cabinet.example',
    `Subject: ${subject}`,
    `Message-ID: <${id}>`,
    ...(inReplyTo ? [`In-Reply-To: <${inReplyTo}>`, `References: <${inReplyTo}>`] : []),
    'Date: Mon, 30 Nov 2026 10:00:00 +0100',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=UTF-8',
    '',
    text,
    '',
  ].join('\r\n');
  return { channel: 'email', externalId: id, payload: new TextEncoder().encode(mime), contentType: 'message/rfc822' };
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

/** The ceiling: the same number of message rows, straight into the table in multi-row INSERTs of 1,000. */
async function rawCeiling(deps: Deps, tenantId: string, rows: number): Promise<number> {
  const { customerId, complaintId } = await (await import('./seed.ts')).oneComplaint(deps, tenantId);
  const values: NewMessage[] = Array.from({ length: rows }, (_, i) => ({
    tenant_id: tenantId,
    complaint_id: complaintId,
    direction: 'inbound' as const,
    channel: 'email',
    customer_id: customerId,
    subject: `Réclamation ${i}`,
    body_text: `${TOPICS[i % TOPICS.length]} (dossier ${i})`,
    external_id: `raw-${i}-${randomUUID()}`,
  }));
  const t0 = performance.now();
  for (let i = 0; i < values.length; i += 1000) await deps.db.insertInto('messages').values(values.slice(i, i + 1000)).execute();
  return rows / ((performance.now() - t0) / 1000);
}

/** Form posts under 200 concurrent clients, from a separate process, against a listening server. */
async function formLatency(deps: Deps, slug: string, requests: number, concurrency: number) {
  const app = await buildApp(deps, 'bench-secret-0123456789abcdef0123456789', { rateLimitNamespace: `guichet-bench-${process.pid}-rate-` });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'form-load.ts'), `http://127.0.0.1:${port}/f/${slug}`, String(requests), String(concurrency)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`form load exited with ${code}`))));
    });
    return JSON.parse(out.trim().split('\n').pop()!) as { ok: number; failed: number; p50Ms: number; p99Ms: number; perSecond: number };
  } finally {
    await app.close();
  }
}

async function measure(deps: Deps, n: number, label: string, formRequests: number) {
  const { tenant } = await signup(deps, {
    companyName: `Banc ingestion ${label} ${randomUUID().slice(0, 6)}`,
    managerName: 'Banc',
    email: `bench-${randomUUID()}@bench.example`,
    plan: 'enterprise',
    password: 'bench-password-123456',
  });
  const { items, rows } = corpus(tenant.id, n);
  const stop = await startWorkers(deps);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(items, 32, (it) => acceptInbound(deps, { tenantId: tenant.id, ...it }));
  const acceptSeconds = (performance.now() - t0) / 1000;
  await deps.queue.drain();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await stop();
  const counts = await deps.db
    .selectFrom('inbound_journal')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenant.id)
    .groupBy('status')
    .execute();
  const messagesPerSecond = n / seconds;
  const ceiling = await rawCeiling(deps, tenant.id, rows);
  const form = await formLatency(deps, tenant.slug, formRequests, 200);
  const result = {
    messages: n,
    journalRows: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
    seconds: Number(seconds.toFixed(2)),
    acceptSeconds: Number(acceptSeconds.toFixed(2)),
    // CPU of this process (on the embedded database: everything, PGlite included) per message.
    cpuMsPerMessage: Number(((cpu.user + cpu.system) / 1000 / n).toFixed(3)),
    messagesPerSecond: Math.round(messagesPerSecond),
    rawInsertPerSecond: Math.round(ceiling),
    ratio: Number((messagesPerSecond / ceiling).toFixed(4)),
    formPost: form,
  };
  console.log(`${label}: ${JSON.stringify(result)}`);
  return result;
}

export async function benchIngest(config: Config, args: string[]) {
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : NaN;
    return Number.isFinite(v) && v > 0 ? v : fallback;
  };
  const n = flag('n', 20_000);
  // `--only postgres` or `--only embedded`: one backend (profiling); both by default.
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const formRequests = flag('form', 2000);
  const logger = createLogger('warn');
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-ingest-'));
  const out: Record<string, unknown> = {};
  try {
    if (only === 'embedded') {
      out.postgresBullmq = { skipped: '--only embedded' };
    } else if (config.databaseUrl && config.redisUrl) {
      out.postgresBullmq = await withScratchDatabase(config.databaseUrl, `guichet_bench_ingest_${process.pid}`, async (url) => {
        const deps = await createDeps({ ...config, databaseUrl: url, filesDir, formRatePerMinute: 1_000_000 }, { logger, queuePrefix: `guichet-bench-${process.pid}` });
        try {
          return await measure(deps, n, 'postgres+bullmq', formRequests);
        } finally {
          await deps.close();
        }
      });
    } else {
      out.postgresBullmq = { skipped: 'DATABASE_URL et REDIS_URL requis' };
    }
    if (only === 'postgres') {
      out.embedded = { skipped: '--only postgres' };
    } else {
      const deps = await createDeps({ ...config, databaseUrl: undefined, redisUrl: undefined, pgliteDir: 'memory', filesDir, formRatePerMinute: 1_000_000 }, { logger });
      try {
        out.embedded = await measure(deps, n, 'embedded', formRequests);
      } finally {
        await deps.close();
      }
    }
  } finally {
    rmSync(filesDir, { recursive: true, force: true });
  }
  return { bench: 'ingest', peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...out };
}
