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
import { TWILIO_FORM_TYPE } from '../../connectors/sms/payload.ts';
import { startWorkers } from '../../workers/index.ts';
import { buildApp } from '../http/app.ts';
import { withScratchDatabase } from './scratch-db.ts';
import { spawnLoad } from './http-load.ts';
import { sql } from 'kysely';

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
  channel: 'email' | 'webform' | 'sms';
  externalId: string;
  payload: Uint8Array;
  contentType: string;
}

/** Mixed channels — email 50% and 10% email replies, SMS 20%, web form 10% — and 10% exact duplicates (same provider id again). */
export function corpus(tenantId: string, n: number): { items: Item[] } {
  const items: Item[] = [];
  const emailIds: string[] = [];
  for (let i = 0; items.length < n; i++) {
    const roll = i % 10;
    if (roll === 3 && items.length > 10) {
      items.push(items[items.length - 7]!); // exact duplicate of an earlier payload
      continue;
    }
    const who = `client${i % 4000}`;
    const text = `${TOPICS[i % TOPICS.length]} (dossier ${i})`;
    if (roll === 7 && emailIds.length > 5) {
      const parent = emailIds[emailIds.length - 5]!;
      const id = `reply-${i}-${randomUUID()}@bench.example`;
      items.push(email(id, who, `Re: suite`, `Je relance : ${text}`, parent));
      continue;
    }
    if (roll === 5 || roll === 9) {
      // An SMS as Twilio posts it; the same customer's phone follows their open conversation.
      const sid = `SM${randomUUID().replace(/-/g, '')}`;
      const form = new URLSearchParams({ MessageSid: sid, AccountSid: 'AC00000000000000000000000000000000', From: `+3361${String(i % 4000).padStart(7, '0')}`, To: '+33700000000', Body: text, NumMedia: '0' });
      items.push({ channel: 'sms', externalId: sid, payload: new TextEncoder().encode(form.toString()), contentType: TWILIO_FORM_TYPE });
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
  return { items };
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

/**
 * Tables the pipeline writes for a message, in foreign-key order. Tables filled by triggers from these
 * (complaint_facts and the steering rollups) are not copied: inserting the complaints fills them again.
 */
const PIPELINE_TABLES = ['customers', 'customer_identities', 'complaints', 'messages', 'attachments', 'inbound_journal', 'qualifications', 'merge_suggestions', 'events'] as const;
const DERIVED_TABLES = new Set(['complaint_facts', 'steering_weekly', 'steering_weekly_hist', 'steering_backlog', 'steering_pending', 'steering_repeat', 'reference_counters', 'processes']);

async function tenantRowCounts(deps: Deps, tenantId: string): Promise<Map<string, number>> {
  const tables = await sql<{ table_name: string }>`SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id' ORDER BY 1`.execute(deps.db);
  const out = new Map<string, number>();
  for (const { table_name } of tables.rows) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table_name)} WHERE tenant_id = ${tenantId}`.execute(deps.db);
    out.set(table_name, Number(rows[0]!.n));
  }
  return out;
}

/**
 * The ceiling: every row the end-to-end run wrote for the tenant (journal, customers and identities,
 * complaints, messages, qualifications, events…), read back and inserted again as they are — new ids,
 * into a second tenant — in multi-row INSERTs of 1,000, with the same indexes and triggers. No parsing,
 * no matching, no classification: what the database alone needs to store the same rows.
 * Fails if the pipeline wrote a table this list does not know, so the ceiling stays the same rows.
 */
async function rawCeiling(deps: Deps, from: { tenantId: string }, before: Map<string, number>): Promise<{ seconds: number; rows: Record<string, { rows: number; ms: number }> }> {
  const after = await tenantRowCounts(deps, from.tenantId);
  const unknown = [...after].filter(([t, n]) => n > (before.get(t) ?? 0) && !DERIVED_TABLES.has(t) && !(PIPELINE_TABLES as readonly string[]).includes(t));
  if (unknown.length > 0) throw new Error(`the pipeline wrote tables the ceiling does not copy: ${unknown.map(([t]) => t).join(', ')}`);
  const { tenant: copy, user } = await signup(deps, {
    companyName: `Banc plafond ${randomUUID().slice(0, 6)}`,
    managerName: 'Banc',
    email: `bench-${randomUUID()}@bench.example`,
    plan: 'enterprise',
    password: 'bench-password-123456',
  });
  const processes = async (tenantId: string) => (await sql<{ id: string; key: string }>`SELECT id, key FROM processes WHERE tenant_id = ${tenantId}`.execute(deps.db)).rows;
  const copyProcess = new Map((await processes(copy.id)).map((p) => [p.key, p.id]));
  const idMap = new Map<string, string>([[from.tenantId, copy.id]]);
  for (const p of await processes(from.tenantId)) idMap.set(p.id, copyProcess.get(p.key)!);
  for (const u of (await sql<{ id: string }>`SELECT id FROM users WHERE tenant_id = ${from.tenantId}`.execute(deps.db)).rows) idMap.set(u.id, user.id);

  // Read everything first (not timed), with new ids for every row.
  const columns = await sql<{ table_name: string; column_name: string; data_type: string }>`
    SELECT table_name, column_name, data_type FROM information_schema.columns
    WHERE table_schema = 'public' AND is_generated = 'NEVER' AND table_name IN (${sql.join([...PIPELINE_TABLES])})`.execute(deps.db);
  const tables: { name: string; rows: Record<string, unknown>[] }[] = [];
  for (const name of PIPELINE_TABLES) {
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)} WHERE tenant_id = ${from.tenantId}`.execute(deps.db);
    for (const r of rows) if (typeof r.id === 'string') idMap.set(r.id, randomUUID());
    // Self-references (a customer or complaint merged into another) after the rows they point to.
    rows.sort((a, b) => Number(a.merged_into_id != null) - Number(b.merged_into_id != null));
    tables.push({ name, rows });
  }
  const copied = tables.map(({ name, rows }) => {
    // A serial id (events) is left to its sequence, as the pipeline leaves it.
    const cols = columns.rows.filter((c) => c.table_name === name && !(c.column_name === 'id' && c.data_type !== 'uuid'));
    return {
      name,
      rows: rows.map((r) => {
        const out: Record<string, unknown> = {};
        for (const c of cols) {
          let v = r[c.column_name];
          if (c.data_type === 'uuid' && typeof v === 'string') v = idMap.get(v) ?? v;
          else if ((c.data_type === 'jsonb' || c.data_type === 'json') && v != null) v = JSON.stringify(v);
          if (name === 'complaints' && c.column_name === 'tracking_token') v = `${String(v)}-copie`;
          out[c.column_name] = v;
        }
        return out;
      }),
    };
  });
  const perTable: Record<string, { rows: number; ms: number }> = {};
  let seconds = 0;
  for (const { name, rows } of copied) {
    const t0 = performance.now();
    for (let i = 0; i < rows.length; i += 1000) await deps.db.insertInto(name as 'events').values(rows.slice(i, i + 1000) as never).execute();
    const ms = performance.now() - t0;
    seconds += ms / 1000;
    if (rows.length > 0) perTable[name] = { rows: rows.length, ms: Math.round(ms) };
  }
  return { seconds, rows: perTable };
}

/** Form posts under 200 concurrent clients, from a separate process, against a listening server. */
async function formLatency(deps: Deps, slug: string, requests: number, concurrency: number) {
  const app = await buildApp(deps, 'bench-secret-0123456789abcdef0123456789', { rateLimitNamespace: `guichet-bench-${process.pid}-rate-` });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  try {
    return await spawnLoad('form', `http://127.0.0.1:${port}/f/${slug}`, [], requests, concurrency);
  } finally {
    await app.close();
  }
}

interface WorkerProcess {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  filesDir: string;
}

/** Starts src/bench/ingest-worker.ts and waits until it consumes; stop() resolves to its CPU time (ms). */
async function spawnWorker(w: WorkerProcess): Promise<{ stop: () => Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'ingest-worker.ts'), w.databaseUrl, w.redisUrl, w.prefix, w.filesDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('ready\n')) resolve();
    });
    void exited.then((code) => reject(new Error(`bench worker exited with ${code}`)));
  });
  return {
    stop: async () => {
      child.kill('SIGTERM');
      if ((await exited) !== 0) throw new Error('bench worker did not stop cleanly');
      return (JSON.parse(out.trim().split('\n').pop()!) as { cpuMs: number }).cpuMs;
    },
  };
}

async function measure(deps: Deps, n: number, label: string, formRequests: number, topology: { workerProcess?: WorkerProcess } = {}) {
  const { tenant } = await signup(deps, {
    companyName: `Banc ingestion ${label} ${randomUUID().slice(0, 6)}`,
    managerName: 'Banc',
    email: `bench-${randomUUID()}@bench.example`,
    plan: 'enterprise',
    password: 'bench-password-123456',
  });
  const { items } = corpus(tenant.id, n);
  const before = await tenantRowCounts(deps, tenant.id);
  // PostgreSQL + BullMQ as deployed: this process accepts (the api), a worker process ingests. The
  // embedded mode is one process by nature.
  const worker = topology.workerProcess ? await spawnWorker(topology.workerProcess) : null;
  const stop = worker ? worker.stop : await startWorkers(deps, { mailboxes: false });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await pool(items, 32, (it) => acceptInbound(deps, { tenantId: tenant.id, ...it }));
  const acceptSeconds = (performance.now() - t0) / 1000;
  await deps.queue.drain();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const workerCpuMs = (await stop()) ?? 0;
  const counts = await deps.db
    .selectFrom('inbound_journal')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('tenant_id', '=', tenant.id)
    .groupBy('status')
    .execute();
  const messagesPerSecond = n / seconds;
  const ceiling = await rawCeiling(deps, { tenantId: tenant.id }, before);
  const ceilingPerSecond = n / ceiling.seconds;
  const form = await formLatency(deps, tenant.slug, formRequests, 200);
  const result = {
    messages: n,
    journalRows: Object.fromEntries(counts.map((c) => [c.status, Number(c.n)])),
    seconds: Number(seconds.toFixed(2)),
    acceptSeconds: Number(acceptSeconds.toFixed(2)),
    // CPU of Guichet's processes per message (on the embedded database: everything, PGlite included;
    // on PostgreSQL, the accepting process and the worker process, not the server's).
    cpuMsPerMessage: Number(((cpu.user + cpu.system) / 1000 / n + workerCpuMs / n).toFixed(3)),
    processes: worker ? 'api + worker' : 'one',
    messagesPerSecond: Math.round(messagesPerSecond),
    // The same rows straight into the tables (see rawCeiling), as messages per second.
    rawInsertPerSecond: Math.round(ceilingPerSecond),
    rawRows: ceiling.rows,
    ratio: Number((messagesPerSecond / ceilingPerSecond).toFixed(4)),
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
        const prefix = `guichet-bench-${process.pid}`;
        const deps = await createDeps({ ...config, databaseUrl: url, filesDir, formRatePerMinute: 1_000_000 }, { logger, queuePrefix: prefix });
        try {
          return await measure(deps, n, 'postgres+bullmq', formRequests, { workerProcess: { databaseUrl: url, redisUrl: config.redisUrl!, prefix, filesDir } });
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
