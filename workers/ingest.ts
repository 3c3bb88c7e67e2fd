import type { Deps } from '../src/deps.ts';
import { commitBatch, ingestBatch, prepareBatch, type BatchOutcome, type PreparedBatch } from '../src/intake/ingest.ts';
import { finishJournal, getJournal, journalTenantId, listPendingJournal, recordJournalFailure, type JournalRow } from '../src/db/repositories/inbound.ts';
import { qualifyBatch } from '../src/classify/apply.ts';
import type { JobHandler } from '../src/queue/types.ts';

/** After this many failed attempts (across restarts), a payload goes to the quarantine with its last error. */
export const MAX_INGEST_ATTEMPTS = 8;

/**
 * Rows per ingestion transaction. On the embedded database every statement of every request waits for
 * the one connection: smaller batches keep a form post from waiting behind a long transaction.
 */
export const BATCH_SIZE = { postgres: 400, pglite: 40 } as const;

/** Delayed retries of a failed row; beyond, the minute sweep retries it. */
const RETRIES_BEFORE_SWEEP = 5;

/** A job keeps batching for this long, then hands over to a new job (other tenants get their turn). */
const SLICE_MS = 5_000;

/**
 * The `ingest` job. Its data names one journal row, but the job ingests every pending row of that row's
 * tenant, in batches: one transaction per batch ingests the rows and qualifies and routes what they
 * created (see ingestBatch). acceptInbound queues such a job after committing the row, so a job always starts
 * after the rows it was queued for are visible; a crash loses nothing (the rows stay pending; the worker
 * sweep queues them again).
 *
 * Within one process, jobs of one tenant run one at a time, and a job finding one already running and
 * another waiting returns at once: the waiting one starts after this job's rows were committed and will
 * ingest them. A batch that fails is replayed row by row, so that one bad payload does not hold the others
 * (there the qualification runs apart, and falls back to a `classify` job per message): a row's failure is
 * recorded on it (visible to agents), retried later with a growing delay, and after MAX_INGEST_ATTEMPTS it
 * goes to the quarantine.
 */
export function ingestHandler(deps: Deps): JobHandler<'ingest'> {
  return async ({ journalId }) => {
    const tenantId = await journalTenantId(deps.db, journalId);
    if (!tenantId) return;
    await inLane(deps, tenantId, () => ingestPending(deps, tenantId));
  };
}

interface Lane {
  tail: Promise<void>;
  queued: number;
}
const lanes = new WeakMap<Deps, Map<string, Lane>>();

function inLane(deps: Deps, tenantId: string, run: () => Promise<void>): Promise<void> {
  let byTenant = lanes.get(deps);
  if (!byTenant) lanes.set(deps, (byTenant = new Map()));
  let lane = byTenant.get(tenantId);
  if (!lane) byTenant.set(tenantId, (lane = { tail: Promise.resolve(), queued: 0 }));
  // One running and one waiting: the waiting one will see our rows.
  if (lane.queued >= 2) return lane.tail.catch(() => {});
  const l = lane;
  l.queued++;
  const next = l.tail
    .catch(() => {})
    .then(run)
    .finally(() => {
      l.queued--;
      if (l.queued === 0 && byTenant.get(tenantId) === l) byTenant.delete(tenantId);
    });
  l.tail = next;
  return next;
}

/** Rows that failed here, not to be tried again before the time given (ms since epoch). */
const cooling = new Map<string, number>();

function coolingIds(): string[] {
  const now = Date.now();
  for (const [id, until] of cooling) if (until <= now) cooling.delete(id);
  return [...cooling.keys()];
}

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Batches one after the other, in order (a batch's threading sees what the previous one committed), but
 * on PostgreSQL overlapped: while batch k commits, batch k+1 is read and prepared (parsed, qualified by the model —
 * work that depends on nothing batch k writes), so the CPU and the database work at the same time.
 */
async function ingestPending(deps: Deps, tenantId: string): Promise<void> {
  const size = BATCH_SIZE[deps.dbKind];
  // The embedded database runs on this thread: reading ahead would only take its one connection from
  // the requests waiting for it.
  const overlap = deps.dbKind === 'postgres';
  const started = Date.now();
  // A batch that cannot be prepared keeps its error: ingestRows replays its rows one by one and records it.
  const next = async (exclude: string[]) => {
    const rows = await listPendingJournal(deps.db, tenantId, size, [...coolingIds(), ...exclude]);
    const prepared = rows.length > 0 ? await prepareBatch(deps, tenantId, rows, { qualify: true }).catch((error: unknown) => ({ error })) : null;
    return { rows, prepared };
  };
  let current = await next([]);
  for (;;) {
    const { rows, prepared } = current;
    if (rows.length === 0 || !prepared) return;
    const handOver = Date.now() - started > SLICE_MS;
    // Settled either way, so that a failure while the current batch commits is not an unhandled rejection.
    const ahead = handOver || !overlap ? null : next(rows.map((r) => r.id)).then((value) => ({ value }), (error: unknown) => ({ error }));
    await ingestRows(deps, tenantId, rows, prepared);
    if (handOver) {
      // A new job (unique id) carries on after the jobs queued meanwhile, whatever their tenant.
      await deps.queue.add('ingest', { journalId: rows[0]!.id }, { jobId: `ingest-${rows[0]!.id}-more-${Date.now()}` });
      return;
    }
    // Requests waiting for the database (on the embedded one, for its only connection) go first.
    await yieldToOthers();
    const read = ahead ? await ahead : { value: await next([]) };
    if ('error' in read) throw read.error;
    current = read.value;
  }
}

/**
 * One batch, qualified in the same transaction; when it fails (or could not be prepared), its rows one by
 * one, each ingested first and qualified apart (a fault of the qualification must not hold the intake),
 * failures recorded on their row.
 */
async function ingestRows(deps: Deps, tenantId: string, rows: JournalRow[], prepared: PreparedBatch | { error: unknown }): Promise<void> {
  try {
    if ('error' in prepared) throw prepared.error;
    await commitBatch(deps, prepared);
  } catch (err) {
    if (rows.length === 1) return recordFailure(deps, rows[0]!.id, err);
    deps.logger.warn({ tenantId, rows: rows.length, error: (err as Error).message }, 'ingest batch failed, replayed row by row');
    for (const row of rows) {
      try {
        await qualify(deps, await ingestBatch(deps, tenantId, [row]));
      } catch (e) {
        await recordFailure(deps, row.id, e);
      }
      await yieldToOthers();
    }
  }
}

/** Qualifies what a batch created; when that fails, one `classify` job per message takes over. */
async function qualify(deps: Deps, outcome: BatchOutcome): Promise<void> {
  const { tenant, created } = outcome;
  if (!tenant || created.length === 0 || outcome.qualified) return;
  try {
    await qualifyBatch(deps, tenant, created);
  } catch (err) {
    deps.logger.warn({ tenantId: tenant.id, messages: created.length, error: (err as Error).message }, 'batch qualification failed, queued message by message');
    for (const c of created) await deps.queue.add('classify', { tenantId: tenant.id, messageId: c.messageId }, { jobId: `classify-${c.messageId}` });
  }
}

/** Records a failed attempt on the row; retried later (growing delay), quarantined after MAX_INGEST_ATTEMPTS. */
async function recordFailure(deps: Deps, journalId: string, err: unknown): Promise<void> {
  const message = err instanceof Error ? err.message : String(err);
  await recordJournalFailure(deps.db, journalId, message);
  const row = await getJournal(deps.db, journalId);
  if (!row || row.status !== 'pending') return;
  if (row.attempts >= MAX_INGEST_ATTEMPTS) {
    await finishJournal(deps.db, journalId, {
      status: 'quarantined',
      reason: `Échecs répétés (${row.attempts}) : ${message}`.slice(0, 1000),
      at: deps.clock.now(),
    });
    deps.logger.error({ journalId, attempts: row.attempts }, 'inbound payload quarantined after repeated failures');
    return;
  }
  // As the queue's own retries did: 1 s, 2 s, 4 s, 8 s; after that, the worker sweep (every minute).
  const delayMs = Math.min(30_000, 1000 * 2 ** (row.attempts - 1));
  cooling.set(journalId, Date.now() + delayMs);
  deps.logger.warn({ journalId, attempts: row.attempts, delayMs, error: message }, 'inbound payload failed, will retry');
  if (row.attempts < RETRIES_BEFORE_SWEEP) await deps.queue.add('ingest', { journalId }, { jobId: `ingest-${journalId}-retry-${row.attempts}`, delayMs });
}
