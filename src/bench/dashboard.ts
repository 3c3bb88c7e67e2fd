/**
 * `guichet bench dashboard [--n 100000] [--scale 1m] [--rounds 20]`: the managers' dashboard API (rollups)
 * against the straightforward SQL over the complaints table, same figures, same run, same data.
 * Seeds one tenant with INSERT … SELECT generate_series (triggers on: the rollups are built as in use),
 * then times GET /api/dashboard for a mix of queries (default period, one year, one filter, two filters)
 * and the naive queries for the same mix. Prints p50/p95 of both and their ratio (naive / API).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { buildApp } from '../http/app.ts';
import { signup } from '../services/accounts.ts';
import { addDays, localDateOf } from '../domain/calendar.ts';
import { analyzeBench, naiveDashboard, seedBenchComplaints, seedBenchCustomers, type NaiveFilters } from '../db/repositories/steering-bench.ts';
import { periodOf } from '../steering/dashboard.ts';
import { withScratchDatabase } from './scratch-db.ts';

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!.toFixed(2));
}

interface Result {
  n: number;
  seedSeconds: number;
  queries: number;
  api: { p50: number; p95: number };
  naive: { p50: number; p95: number };
  ratio: { p50: number; p95: number };
}

async function measure(deps: Deps, n: number, rounds: number, label: string): Promise<Result> {
  const password = 'bench-password-123456';
  const email = `bench-${randomUUID()}@bench.example`;
  const { tenant, user } = await signup(deps, { companyName: `Banc pilotage ${label}`, managerName: 'Banc', email, plan: 'enterprise', password });
  const customers = Math.max(10, Math.round(n / 3));
  const t0 = performance.now();
  await seedBenchCustomers(deps.db, tenant.id, customers);
  const chunk = deps.dbKind === 'postgres' ? 100_000 : 20_000;
  for (let from = 1; from <= n; from += chunk) {
    await seedBenchComplaints(deps.db, tenant.id, { from, to: Math.min(n, from + chunk - 1), customers, assignees: [user.id] });
    console.log(`${label}: ${Math.min(n, from + chunk - 1)} / ${n} complaints seeded`);
  }
  await analyzeBench(deps.db);
  const seedSeconds = Number(((performance.now() - t0) / 1000).toFixed(1));

  const app = await buildApp(deps, deps.secretKey);
  await app.ready();
  try {
    const csrf = await app.inject({ method: 'GET', url: '/api/auth/csrf' });
    const csrfCookie = csrf.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email, password },
      headers: { cookie: csrfCookie, 'x-csrf-token': (csrf.json() as { csrfToken: string }).csrfToken },
    });
    if (login.statusCode !== 200) throw new Error(`login failed: ${login.statusCode}`);
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const today = localDateOf(deps.clock.now());
    const yearAgo = addDays(today, -364);
    const processId = (await deps.db.selectFrom('processes').select('id').where('tenant_id', '=', tenant.id).where('key', '=', 'reclamation-indemnisation').executeTakeFirstOrThrow()).id;
    const mix: { query: Record<string, string>; filters: NaiveFilters }[] = [
      { query: {}, filters: {} },
      { query: { from: yearAgo }, filters: {} },
      { query: { from: yearAgo, cause: 'indemnisation' }, filters: { cause: 'indemnisation' } },
      { query: { product: 'habitation' }, filters: { product: 'habitation' } },
      { query: { process: processId }, filters: { processId } },
      { query: { from: yearAgo, channel: 'email', cause: 'delai' }, filters: { channel: 'email', cause: 'delai' } },
    ];
    const api = async (q: Record<string, string>) => {
      const qs = new URLSearchParams(q).toString();
      const res = await app.inject({ method: 'GET', url: `/api/dashboard${qs ? `?${qs}` : ''}`, headers: { cookie } });
      if (res.statusCode !== 200) throw new Error(`dashboard ${res.statusCode}: ${res.body}`);
    };
    const naive = async (m: (typeof mix)[number]) => {
      const p = periodOf(m.query, deps.clock.now());
      await naiveDashboard(deps.db, tenant.id, { from: p.from, to: p.to, today: p.today, weekEnd: p.weekEnd, filters: m.filters });
    };
    // Warm-up: plans, caches, JIT.
    for (const m of mix) {
      await api(m.query);
      await naive(m);
    }
    const apiMs: number[] = [];
    const naiveMs: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (const m of mix) {
        let t = performance.now();
        await api(m.query);
        apiMs.push(performance.now() - t);
        t = performance.now();
        await naive(m);
        naiveMs.push(performance.now() - t);
      }
    }
    const a = { p50: percentile(apiMs, 0.5), p95: percentile(apiMs, 0.95) };
    const b = { p50: percentile(naiveMs, 0.5), p95: percentile(naiveMs, 0.95) };
    const result = { n, seedSeconds, queries: apiMs.length, api: a, naive: b, ratio: { p50: Number((b.p50 / a.p50).toFixed(2)), p95: Number((b.p95 / a.p95).toFixed(2)) } };
    console.log(`${label}: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await app.close();
  }
}

export async function benchDashboard(config: Config, args: string[]) {
  const scale = argValue(args, 'scale');
  const n = Number(argValue(args, 'n') ?? (scale === '1m' ? 1_000_000 : 100_000));
  if (!Number.isSafeInteger(n) || n < 100) throw new Error('--n : un entier ≥ 100');
  const rounds = Number(argValue(args, 'rounds') ?? 20);
  const logger = createLogger('warn');
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-'));
  const out: { postgres: Result | { skipped: string }; pglite: Result | { skipped: string } } = {
    postgres: { skipped: 'DATABASE_URL absent' },
    pglite: { skipped: 'PostgreSQL seulement au million (--scale 1m)' },
  };
  try {
    if (config.databaseUrl) {
      out.postgres = await withScratchDatabase(config.databaseUrl, `guichet_bench_dash_${process.pid}`, async (url) => {
        const deps = await createDeps({ ...config, databaseUrl: url, redisUrl: undefined, filesDir }, { logger });
        try {
          return await measure(deps, n, rounds, 'postgres');
        } finally {
          await deps.close();
        }
      });
    }
    if (scale !== '1m') {
      const deps = await createDeps({ ...config, databaseUrl: undefined, redisUrl: undefined, pgliteDir: 'memory', filesDir }, { logger });
      try {
        out.pglite = await measure(deps, n, rounds, 'pglite');
      } finally {
        await deps.close();
      }
    }
  } finally {
    rmSync(filesDir, { recursive: true, force: true });
  }
  return { bench: 'dashboard', unit: 'milliseconds per GET /api/dashboard (naive: same figures by plain SQL on complaints)', ...out };
}
