import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { signup } from '../services/accounts.ts';
import { buildApp } from '../http/app.ts';
import { CAUSES, PRODUCTS } from '../domain/taxonomy.ts';
import { withScratchDatabase } from './scratch-db.ts';
import { COUNT_CAP, SEARCH_CAP } from '../db/repositories/complaints.ts';

/**
 * `guichet bench console`: the console's read paths at scale. Seeds N complaints (100,000 by default;
 * `--scale 1m` for 1,000,000 on the PostgreSQL server) with customers, messages and events, then times,
 * through the HTTP API (auth, validation, serialisation included), the inbox list, a filtered list, a
 * full-text search and the complaint page — beside the same SQL run directly, in the same run (the two
 * interleaved, request by request). The ratio is raw SQL time / API time (1 = no overhead; the aim is
 * ≥ 0.5) per query; the aim for the API is a p95 under 50 ms at 1,000,000.
 */

const SENTENCES = [
  'Mon dégât des eaux n’est toujours pas indemnisé, l’expert est passé il y a un mois',
  'La franchise appliquée sur mon sinistre automobile est bien plus élevée que prévu au contrat',
  'Je demande la résiliation de mon contrat habitation à l’échéance et je n’ai aucune réponse',
  'Mon remboursement optique n’est jamais arrivé malgré la facture envoyée deux fois',
  'Les frais vétérinaires de mon chien ont été refusés sans explication',
  'Mon assurance emprunteur a augmenté sans avenant ni courrier préalable',
  'Le bris de glace de mon pare-brise est refusé alors que je suis couvert tous risques',
  'Impossible d’obtenir mon attestation d’assurance pour mon nouveau logement',
  'Le conseiller ne me rappelle jamais, cela fait trois semaines que j’attends',
  'On m’a vendu une garantie obsèques dont je n’avais pas besoin, je veux être remboursé',
];
const SEARCHES = ['franchise', 'pare-brise', 'vétérinaires', 'attestation logement', 'emprunteur avenant', 'résiliation échéance'];

function arg(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

const lit = (values: readonly string[]) => sql.raw(`ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(',')}]`);

/** Seeds `n` complaints of one tenant in set-based statements (generate_series), in chunks. */
export async function seed(deps: Deps, tenantId: string, userIds: string[], n: number, log: (s: string) => void): Promise<void> {
  const customers = Math.max(1, Math.floor(n / 2));
  const chunk = deps.dbKind === 'postgres' ? 100_000 : 20_000;
  const users = sql.raw(`ARRAY[${userIds.map((u) => `'${u}'::uuid`).join(',')}]`);
  for (let from = 0; from < customers; from += chunk) {
    const to = Math.min(customers, from + chunk) - 1;
    await sql`
      INSERT INTO customers (id, tenant_id, display_name)
      SELECT overlay(overlay(md5('cu' || i) placing '4' from 13) placing '8' from 17)::uuid, ${tenantId}::uuid, (${lit(['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau'])})[1 + i % 10] || ' ' || (${lit(['Camille', 'Léa', 'Hugo', 'Inès', 'Louis', 'Chloé', 'Jules', 'Manon', 'Nathan', 'Zoé'])})[1 + (i / 10) % 10] || ' ' || i
      FROM generate_series(${from}::int, ${to}::int) AS i`.execute(deps.db);
    await sql`
      INSERT INTO customer_identities (tenant_id, customer_id, kind, value)
      SELECT ${tenantId}::uuid, overlay(overlay(md5('cu' || i) placing '4' from 13) placing '8' from 17)::uuid, 'email', 'client' || i || '@bench.example'
      FROM generate_series(${from}::int, ${to}::int) AS i`.execute(deps.db);
  }
  log(`  ${customers} clients`);
  const year = new Date().getUTCFullYear();
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk) - 1;
    await sql`
      INSERT INTO complaints (id, tenant_id, reference, customer_id, channel, kind, cause, product, priority, status, outcome,
        subject, description, contract_number, assignee_id, sent_on, sent_on_source, received_at, ack_due_on, answer_due_on,
        acknowledged_at, answered_at, tracking_token, created_at, updated_at)
      SELECT overlay(overlay(md5('c' || i) placing '4' from 13) placing '8' from 17)::uuid, ${tenantId}::uuid, ${`REC-${year}-`} || lpad(i::text, 7, '0'), overlay(overlay(md5('cu' || (i % ${customers})) placing '4' from 13) placing '8' from 17)::uuid,
        (${lit(['email', 'webform', 'sms', 'voice', 'slack', 'letter', 'phone'])})[1 + i % 7],
        CASE WHEN i % 9 = 0 THEN 'demande' ELSE 'reclamation' END,
        (${lit(CAUSES)})[1 + i % ${CAUSES.length}], (${lit(PRODUCTS)})[1 + (i / 3) % ${PRODUCTS.length}],
        CASE WHEN i % 23 = 0 THEN 'urgente' WHEN i % 7 = 0 THEN 'haute' ELSE 'normale' END,
        (${lit(['nouvelle', 'en_cours', 'en_cours', 'en_attente', 'resolue', 'cloturee', 'cloturee'])})[1 + (i / 7) % 7],
        CASE WHEN (i / 7) % 7 >= 4 THEN (${lit(['accepte', 'partiel', 'refuse'])})[1 + i % 3] END,
        (${lit(SENTENCES)})[1 + i % ${SENTENCES.length}],
        (${lit(SENTENCES)})[1 + i % ${SENTENCES.length}] || '. Dossier ' || i || ', ' || (${lit(SENTENCES)})[1 + (i / 11) % ${SENTENCES.length}] || '.',
        'CT-' || (100000 + i), CASE WHEN i % 5 = 0 THEN NULL ELSE (${users})[1 + i % ${userIds.length}] END,
        (now() - ((i % 400) || ' days')::interval)::date, 'sent', now() - ((i % 400) || ' days')::interval - ((i % 1440) || ' minutes')::interval,
        (now() - ((i % 400) || ' days')::interval + interval '12 days')::date, (now() - ((i % 400) || ' days')::interval + interval '2 months')::date,
        CASE WHEN (i / 7) % 7 >= 1 THEN now() - ((i % 400) || ' days')::interval + interval '2 days' END,
        CASE WHEN (i / 7) % 7 >= 4 THEN now() - ((i % 400) || ' days')::interval + interval '20 days' END,
        md5('t' || i), now() - ((i % 400) || ' days')::interval, now()
      FROM generate_series(${from}::int, ${to}::int) AS i`.execute(deps.db);
    await sql`
      INSERT INTO messages (tenant_id, complaint_id, direction, channel, customer_id, subject, body_text, external_id, sent_at, created_at)
      SELECT ${tenantId}::uuid, overlay(overlay(md5('c' || i) placing '4' from 13) placing '8' from 17)::uuid, 'inbound', 'email', overlay(overlay(md5('cu' || (i % ${customers})) placing '4' from 13) placing '8' from 17)::uuid,
        (${lit(SENTENCES)})[1 + i % ${SENTENCES.length}], (${lit(SENTENCES)})[1 + i % ${SENTENCES.length}] || '. Merci de me répondre rapidement.',
        'bench-' || i || '@bench.example', now() - ((i % 400) || ' days')::interval, now() - ((i % 400) || ' days')::interval
      FROM generate_series(${from}::int, ${to}::int) AS i`.execute(deps.db);
    await sql`
      INSERT INTO messages (tenant_id, complaint_id, direction, channel, author_user_id, body_text, created_at)
      SELECT ${tenantId}::uuid, overlay(overlay(md5('c' || i) placing '4' from 13) placing '8' from 17)::uuid, 'note', 'internal', (${users})[1 + i % ${userIds.length}],
        'Client rappelé, en attente du rapport d’expertise.', now() - ((i % 400) || ' days')::interval + interval '1 day'
      FROM generate_series(${from}::int, ${to}::int) AS i WHERE i % 2 = 0`.execute(deps.db);
    await sql`
      INSERT INTO events (tenant_id, complaint_id, actor_kind, type, data, created_at)
      SELECT ${tenantId}::uuid, overlay(overlay(md5('c' || i) placing '4' from 13) placing '8' from 17)::uuid, 'system', t.type, '{}'::jsonb, now() - ((i % 400) || ' days')::interval
      FROM generate_series(${from}::int, ${to}::int) AS i CROSS JOIN (VALUES ('complaint.created'), ('complaint.qualified')) AS t(type)`.execute(deps.db);
    log(`  ${to + 1} / ${n} réclamations`);
  }
  // What autovacuum does on a live server: statistics, and the visibility map that index-only scans need.
  await sql`VACUUM ANALYZE`.execute(deps.db);
}

interface Timing {
  p50Ms: number;
  p95Ms: number;
}

function summarise(samples: number[]): Timing {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { p50Ms: Number(at(0.5).toFixed(2)), p95Ms: Number(at(0.95).toFixed(2)) };
}

/**
 * Times `a` and `b` (the raw SQL and the API call of one query) interleaved, each on the same input, the
 * one then the other and the other way round on the next: a burst of load on a shared machine falls on
 * both sides alike, and neither always finds the cache warmed by the other.
 */
async function timePair(runs: number, a: (i: number) => Promise<void>, b: (i: number) => Promise<void>): Promise<{ a: Timing; b: Timing }> {
  for (let i = 0; i < Math.min(5, runs); i++) {
    await a(i);
    await b(i);
  } // warm-up
  const samples = { a: [] as number[], b: [] as number[] };
  const timed = async (side: 'a' | 'b', i: number) => {
    const t0 = performance.now();
    await (side === 'a' ? a : b)(i);
    samples[side].push(performance.now() - t0);
  };
  for (let i = 0; i < runs; i++) {
    const [first, second] = i % 2 === 0 ? (['a', 'b'] as const) : (['b', 'a'] as const);
    await timed(first, i);
    await timed(second, i);
  }
  return { a: summarise(samples.a), b: summarise(samples.b) };
}

async function login(app: FastifyInstance, email: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'GET', url: '/api/auth/csrf' });
  const jar = new Map<string, string>();
  const keep = (r: typeof res) => {
    const set = r.headers['set-cookie'];
    for (const c of Array.isArray(set) ? set : set ? [set] : []) {
      const [pair] = c.split(';');
      const [k, v] = pair!.split('=');
      jar.set(k!.trim(), v ?? '');
    }
  };
  keep(res);
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const token = (res.json() as { csrfToken: string }).csrfToken;
  const r = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { cookie: cookie(), 'x-csrf-token': token }, payload: { email, password } });
  if (r.statusCode !== 200) throw new Error(`login failed: ${r.statusCode} ${r.body}`);
  keep(r);
  return cookie();
}

async function measure(deps: Deps, n: number, runs: number, label: string) {
  const log = (s: string) => console.log(`${label}: ${s}`);
  const password = 'bench-password-123456';
  const email = `bench-${randomUUID()}@bench.example`;
  const { tenant, user } = await signup(deps, { companyName: `Banc console ${randomUUID().slice(0, 6)}`, managerName: 'Banc Console', email, plan: 'enterprise', password });
  const t0 = performance.now();
  await seed(deps, tenant.id, [user.id], n, log);
  log(`chargement en ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const app = await buildApp(deps, deps.secretKey, { rateLimitNamespace: `guichet-bench-console-${process.pid}-` });
  await app.ready();
  const cookie = await login(app, email, password);
  const get = async (url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: { cookie } });
    if (r.statusCode !== 200) throw new Error(`${url} → ${r.statusCode} ${r.body.slice(0, 300)}`);
  };
  const ids = Array.from({ length: runs + 5 }, (_, i) => Math.floor(((i * 7919) % n)));
  const idOf = (i: number) => sql<{ id: string }>`SELECT overlay(overlay(md5(${`c${ids[i % ids.length]}`}) placing '4' from 13) placing '8' from 17)::uuid AS id`.execute(deps.db).then((r) => r.rows[0]!.id);
  const complaintIds = await Promise.all(ids.map((_, i) => idOf(i)));
  const t = tenant.id;
  const q = (i: number) => SEARCHES[i % SEARCHES.length]!;

  // The same work as the API's repositories for each request, written as plain SQL: the same statements
  // (columns, filters, order, limits as parameters), the same ones skipped, run side by side where the
  // service runs them side by side. What only the API does — the session check, validation, the day
  // counts, serialisation — is the overhead the ratio measures.
  const tenantRow = () => sql`SELECT * FROM tenants WHERE id = ${t}`.execute(deps.db);
  const listed = sql`SELECT c.*, cu.display_name AS customer_name, u.name AS assignee_name
    FROM complaints c JOIN customers cu ON cu.id = c.customer_id LEFT JOIN users u ON u.id = c.assignee_id`;
  const raw = {
    inbox: async () => {
      await Promise.all([
        tenantRow(),
        sql`SELECT count(*) AS n FROM (SELECT 1 FROM complaints c WHERE c.tenant_id = ${t} LIMIT ${COUNT_CAP + 1}) s`.execute(deps.db),
        sql`${listed} WHERE c.tenant_id = ${t} ORDER BY c.received_at DESC, c.id DESC LIMIT ${26}`.execute(deps.db),
      ]);
    },
    filtered: async () => {
      const where = sql`c.tenant_id = ${t} AND c.status IN (${'en_cours'}) AND c.cause IN (${'indemnisation'})`;
      await Promise.all([
        tenantRow(),
        sql`SELECT count(*) AS n FROM (SELECT 1 FROM complaints c WHERE ${where} LIMIT ${COUNT_CAP + 1}) s`.execute(deps.db),
        sql`${listed} WHERE ${where} ORDER BY c.received_at DESC, c.id DESC LIMIT ${26}`.execute(deps.db),
      ]);
    },
    search: async (i: number) => {
      // The searches have no digit and are no reference: full text or customer name, as the repository builds it.
      const search = async () => {
        const like = `%${q(i)}%`;
        const ids = (await sql<{ id: string }>`SELECT id FROM customers WHERE tenant_id = ${t} AND display_name ILIKE ${like} LIMIT ${50}`.execute(deps.db)).rows.map((r) => r.id);
        const match = ids.length > 0
          ? sql`(c.search_vector @@ websearch_to_tsquery('guichet_fr', ${q(i)}) OR c.customer_id IN (${sql.join(ids)}))`
          : sql`c.search_vector @@ websearch_to_tsquery('guichet_fr', ${q(i)})`;
        const found = (await sql<{ id: string }>`SELECT c.id FROM complaints c WHERE c.tenant_id = ${t} AND ${match} LIMIT ${SEARCH_CAP + 1}`.execute(deps.db)).rows;
        if (found.length === 0) return;
        const among = found.length <= SEARCH_CAP ? sql`AND c.id IN (${sql.join(found.map((f) => f.id))})` : sql``;
        await sql`${listed} WHERE c.tenant_id = ${t} AND ${match} ${among} ORDER BY c.received_at DESC, c.id DESC LIMIT ${26}`.execute(deps.db);
      };
      await Promise.all([tenantRow(), search()]);
    },
    page: async (i: number) => {
      const id = complaintIds[i % complaintIds.length]!;
      const [complaint] = await Promise.all([
        sql<{ customer_id: string; assignee_id: string | null; process_id: string | null }>`SELECT * FROM complaints WHERE tenant_id = ${t} AND id = ${id}`.execute(deps.db),
        tenantRow(),
        sql`SELECT * FROM messages WHERE tenant_id = ${t} AND complaint_id = ${id} ORDER BY created_at, id`.execute(deps.db),
        sql`SELECT * FROM attachments WHERE tenant_id = ${t} AND complaint_id = ${id} ORDER BY created_at, id`.execute(deps.db),
        sql`SELECT * FROM events WHERE tenant_id = ${t} AND complaint_id = ${id} AND type NOT IN (${'complaint.viewed'}) ORDER BY id`.execute(deps.db),
      ]);
      const c = complaint.rows[0]!;
      await Promise.all([
        sql`SELECT * FROM customers WHERE tenant_id = ${t} AND id = ${c.customer_id}`.execute(deps.db),
        sql`SELECT kind, value FROM customer_identities WHERE tenant_id = ${t} AND customer_id = ${c.customer_id} ORDER BY kind, value`.execute(deps.db),
        c.assignee_id ? sql`SELECT * FROM users WHERE tenant_id = ${t} AND id = ${c.assignee_id}`.execute(deps.db) : undefined,
        c.process_id ? sql`SELECT * FROM processes WHERE tenant_id = ${t} AND id = ${c.process_id}`.execute(deps.db) : undefined,
        sql`INSERT INTO events (tenant_id, complaint_id, customer_id, actor_user_id, actor_kind, type, data, created_at)
          VALUES (${t}, ${id}, ${null}, ${user.id}, ${'user'}, ${'complaint.viewed'}, ${'{}'}, ${new Date()})`.execute(deps.db),
      ]);
    },
  };
  const api = {
    inbox: () => get('/api/complaints?limit=25'),
    filtered: () => get('/api/complaints?limit=25&status=en_cours&cause=indemnisation'),
    search: (i: number) => get(`/api/complaints?limit=25&q=${encodeURIComponent(q(i))}`),
    page: (i: number) => get(`/api/complaints/${complaintIds[i % complaintIds.length]}`),
  };
  const out: Record<string, { api: Timing; rawSql: Timing; ratio: number }> = {};
  for (const name of ['inbox', 'filtered', 'search', 'page'] as const) {
    const { a: rawT, b: apiT } = await timePair(runs, raw[name], api[name]);
    out[name] = { api: apiT, rawSql: rawT, ratio: Number((rawT.p95Ms / apiT.p95Ms).toFixed(3)) };
    log(`${name} ${JSON.stringify(out[name])}`);
  }
  await app.close();
  const worstP95 = Math.max(...Object.values(out).map((o) => o.api.p95Ms));
  const minRatio = Math.min(...Object.values(out).map((o) => o.ratio));
  return { complaints: n, runs, ...out, worstApiP95Ms: worstP95, minRatio };
}

export async function benchConsole(config: Config, args: string[]) {
  const scale = arg(args, 'scale');
  const n = scale === '1m' ? 1_000_000 : Number(arg(args, 'n') ?? 100_000);
  const runs = Number(arg(args, 'runs') ?? 200);
  /** `--db postgres` or `--db embedded` runs one backend only. */
  const only = arg(args, 'db');
  const logger = createLogger('warn');
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-console-'));
  const out: Record<string, unknown> = {};
  try {
    if (config.databaseUrl && only !== 'embedded') {
      out.postgres = await withScratchDatabase(config.databaseUrl, `guichet_bench_console_${process.pid}`, async (url) => {
        const deps = await createDeps({ ...config, databaseUrl: url, redisUrl: undefined, filesDir }, { logger });
        try {
          return await measure(deps, n, runs, 'postgres');
        } finally {
          await deps.close();
        }
      });
    }
    if (scale !== '1m' && only !== 'postgres') {
      const deps = await createDeps({ ...config, databaseUrl: undefined, redisUrl: undefined, pgliteDir: 'memory', filesDir }, { logger });
      try {
        out.embedded = await measure(deps, n, runs, 'embedded');
      } finally {
        await deps.close();
      }
    }
  } finally {
    rmSync(filesDir, { recursive: true, force: true });
  }
  return { bench: 'console', peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...out };
}
