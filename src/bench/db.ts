import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { signup } from '../services/accounts.ts';
import { createComplaint, type CreateComplaintInput } from '../services/complaints.ts';
import type { Actor } from '../services/actor.ts';
import { CAUSES, PRODUCTS } from '../domain/taxonomy.ts';
import type { NewComplaint } from '../db/types.ts';
import { insertCustomer } from '../db/repositories/customers.ts';
import { withScratchDatabase } from './scratch-db.ts';

interface BackendResult {
  n: number;
  concurrency: number;
  repositoryPerSecond: number;
  rawInsertPerSecond: number;
  ratio: number;
}

function argValue(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const v = i >= 0 ? Number(args[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function inputs(n: number): CreateComplaintInput[] {
  return Array.from({ length: n }, (_, i) => ({
    channel: (['letter', 'phone', 'email', 'in_person'] as const)[i % 4]!,
    sentOn: null,
    complainant: { name: `Client ${i}`, email: `client${i}@bench.example`, phone: `06${String(10000000 + i).slice(-8)}` },
    subject: `Réclamation de banc d’essai ${i}`,
    description: `Mon dossier ${i} n’avance pas : sinistre déclaré il y a trois semaines, aucune nouvelle de l’expert.`,
    contractNumber: `BENCH-${i}`,
    cause: CAUSES[i % CAUSES.length]!,
    product: PRODUCTS[i % PRODUCTS.length]!,
  }));
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** Creations through the service and repositories vs one multi-row INSERT of the same rows, one backend. */
async function measure(deps: Deps, n: number, concurrency: number, label: string): Promise<BackendResult> {
  const { tenant, user } = await signup(deps, {
    companyName: `Banc ${label} ${randomUUID().slice(0, 8)}`,
    managerName: 'Banc',
    email: `bench-${randomUUID()}@bench.example`,
    plan: 'enterprise',
    password: 'bench-password-123456',
  });
  const actor: Actor = { tenantId: tenant.id, userId: user.id, role: 'admin' };
  const list = inputs(n);
  // Warm-up outside the measure (JIT, prepared plans, first counter row).
  await pool(inputs(20), 1, (input) => createComplaint(deps, actor, { ...input, complainant: { name: 'warm' } }));

  const t0 = performance.now();
  await pool(list, concurrency, (input) => createComplaint(deps, actor, input));
  const repoSeconds = (performance.now() - t0) / 1000;

  // The ceiling: the same number of complaint rows (one shared customer) in multi-row INSERTs of 1,000.
  const customer = await insertCustomer(deps.db, tenant.id, { displayName: 'Plafond', complainantType: 'client' });
  const rows: NewComplaint[] = list.map((input, i) => ({
    tenant_id: tenant.id,
    reference: `RAW-${i}`,
    customer_id: customer.id,
    channel: input.channel,
    subject: input.subject ?? '',
    description: input.description,
    contract_number: input.contractNumber ?? null,
    cause: input.cause ?? null,
    product: input.product ?? null,
    sent_on: '2026-12-01',
    sent_on_source: 'received',
    received_at: new Date(),
    ack_due_on: '2026-12-12',
    answer_due_on: '2027-02-01',
    tracking_token: randomUUID(),
  }));
  const t1 = performance.now();
  for (let i = 0; i < rows.length; i += 1000) {
    await deps.db.insertInto('complaints').values(rows.slice(i, i + 1000)).execute();
  }
  const rawSeconds = (performance.now() - t1) / 1000;
  const repositoryPerSecond = n / repoSeconds;
  const rawInsertPerSecond = n / rawSeconds;
  const result = {
    n,
    concurrency,
    repositoryPerSecond: Math.round(repositoryPerSecond),
    rawInsertPerSecond: Math.round(rawInsertPerSecond),
    ratio: Number((repositoryPerSecond / rawInsertPerSecond).toFixed(4)),
  };
  console.log(`${label}: ${JSON.stringify(result)}`);
  return result;
}

export async function benchDb(config: Config, args: string[]) {
  const n = argValue(args, 'n', 2000);
  const logger = createLogger('warn');
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-'));
  const out: { postgres: BackendResult | { skipped: string }; pglite: BackendResult } = {
    postgres: { skipped: 'DATABASE_URL absent' },
    pglite: undefined as unknown as BackendResult,
  };
  try {
    if (config.databaseUrl) {
      out.postgres = await withScratchDatabase(config.databaseUrl, `guichet_bench_${process.pid}`, async (url) => {
        const deps = await createDeps({ ...config, databaseUrl: url, filesDir }, { logger });
        try {
          return await measure(deps, n, argValue(args, 'concurrency', 8), 'postgres');
        } finally {
          await deps.close();
        }
      });
    }
    const deps = await createDeps({ ...config, databaseUrl: undefined, pgliteDir: 'memory', filesDir }, { logger });
    try {
      // PGlite is one connection: concurrency only queues; measure it sequentially.
      out.pglite = await measure(deps, n, 1, 'pglite');
    } finally {
      await deps.close();
    }
  } finally {
    rmSync(filesDir, { recursive: true, force: true });
  }
  return { bench: 'db', unit: 'complaints per second', ...out };
}
