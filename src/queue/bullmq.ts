import { Queue, UnrecoverableError, Worker, type Job, type JobType } from 'bullmq';
import { Redis } from 'ioredis';
import type { Logger } from '../logger.ts';
import {
  DEFAULT_QUEUE_OPTIONS,
  PermanentJobError,
  type AddOptions,
  type JobHandler,
  type JobHandlers,
  type JobMap,
  type JobName,
  type JobQueue,
  type QueueOptions,
} from './types.ts';

export type BullQueueOptions = Partial<QueueOptions> & {
  /** Redis key prefix (default 'guichet'); tests use a unique one per run to isolate themselves. */
  prefix?: string;
};

/** Every job name, known at runtime. `Record<JobName, …>` makes tsc fail when JobMap gains a name not listed here. */
const JOB_NAMES = Object.keys({ ingest: true, classify: true, retrain: true, send: true } satisfies Record<JobName, true>) as JobName[];

/** States that mean "not finished yet" for drain(). */
const PENDING_STATES: JobType[] = ['waiting', 'active', 'delayed', 'prioritized'];

export const bullQueueName = (name: JobName): string => `guichet-${name}`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function quit(connection: Redis): Promise<void> {
  if (connection.status === 'end') return;
  try {
    await connection.quit();
  } catch {
    connection.disconnect();
  }
}

/**
 * BullMQ driver (distributed mode): one BullMQ queue per job name (`guichet-<name>`), any number of
 * processes adding and consuming. Dedup uses BullMQ deduplication (not a custom job id) so a job id is
 * ignored only while its job is waiting, delayed or running — exactly the memory driver's contract —
 * and can be enqueued again once it has completed or failed, whatever the completed/failed retention.
 */
export async function createBullQueue(redisUrl: string, logger: Logger, options: BullQueueOptions = {}): Promise<Omit<JobQueue, 'addCoalesced'>> {
  const { prefix = 'guichet', ...rest } = options;
  const opts: QueueOptions = { ...DEFAULT_QUEUE_OPTIONS, ...rest };
  const attempts = Math.max(1, Math.floor(opts.attempts));
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const log = logger.child({ queue: 'bullmq' });

  // Producer connection (add, counts): bounded retries so an `add` fails instead of hanging when Redis
  // is away — the journal row is durable and recovery re-enqueues.
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: 3 });
  connection.on('error', (err: Error) => log.warn({ error: err.message }, 'redis connection error'));
  try {
    await connection.ping();
  } catch (err) {
    connection.disconnect();
    throw new Error(`cannot reach Redis: ${(err as Error).message}`, { cause: err });
  }

  const queues = new Map<JobName, Queue>();
  for (const name of JOB_NAMES) {
    const queue = new Queue(bullQueueName(name), { connection, prefix });
    queue.on('error', (err: Error) => log.warn({ job: name, error: err.message }, 'queue error'));
    queues.set(name, queue);
  }
  await Promise.all([...queues.values()].map((q) => q.waitUntilReady()));

  let workerConnection: Redis | undefined;
  const workers: Worker[] = [];
  let started = false;
  let closing = false;
  // Running jobs may still queue their follow-ups while the workers wind down; only then do queues close.
  let queuesClosed = false;
  let closed: Promise<void> | undefined;

  /** Errors our processor already logged; any other failure (e.g. a job stalled too often) is logged on 'failed'. */
  const logged = new WeakSet<Error>();

  function processor<K extends JobName>(name: K, handler: JobHandler<K>) {
    return async (job: Job<JobMap[K]>): Promise<void> => {
      const attempt = job.attemptsMade + 1;
      const jobId = job.deduplicationId ?? job.id ?? '';
      try {
        await handler(job.data, { attempt, jobId });
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        const permanent = error instanceof PermanentJobError;
        const maxAttempts = job.opts.attempts ?? attempts;
        if (permanent || attempt >= maxAttempts) {
          log.error({ job: name, jobId, attempt, permanent, error: error.message }, 'job failed, dropped');
        } else {
          const delayMs = opts.backoffMs * 2 ** (attempt - 1);
          log.warn({ job: name, jobId, attempt, delayMs, error: error.message }, 'job failed, will retry');
        }
        const thrown = permanent ? new UnrecoverableError(error.message) : error;
        logged.add(thrown);
        throw thrown;
      }
    };
  }

  return {
    kind: 'bullmq',

    async add<K extends JobName>(name: K, data: JobMap[K], addOptions: AddOptions = {}): Promise<void> {
      if (queuesClosed) throw new Error('queue is closed');
      const queue = queues.get(name);
      if (!queue) throw new Error(`unknown job ${name}`);
      await queue.add(name, data, {
        ...(addOptions.jobId === undefined ? {} : { deduplication: { id: addOptions.jobId } }),
        ...(addOptions.delayMs ? { delay: addOptions.delayMs } : {}),
        attempts,
        backoff: { type: 'exponential', delay: opts.backoffMs },
        removeOnComplete: { count: opts.keepCompleted },
        removeOnFail: { count: opts.keepFailed },
      });
    },

    async start(handlers: JobHandlers): Promise<void> {
      if (closing) throw new Error('queue is closed');
      if (started) throw new Error('queue already started');
      started = true;
      // BullMQ requires maxRetriesPerRequest: null for worker connections; each Worker uses this one
      // for its regular commands and duplicates it for its blocking fetch.
      const wc = new Redis(redisUrl, { maxRetriesPerRequest: null });
      workerConnection = wc;
      wc.on('error', (err: Error) => log.warn({ error: err.message }, 'redis worker connection error'));
      for (const name of JOB_NAMES) {
        const worker = new Worker(bullQueueName(name), processor(name, handlers[name] as JobHandler<typeof name>), {
          connection: wc,
          prefix,
          concurrency,
        });
        worker.on('error', (err: Error) => log.warn({ job: name, error: err.message }, 'worker error'));
        worker.on('failed', (job, err) => {
          // A job that stalled too often is failed by BullMQ without reaching our processor's catch.
          if (logged.has(err)) return;
          log.error({ job: name, jobId: job?.deduplicationId ?? job?.id, error: err.message }, 'job failed, dropped');
        });
        worker.on('stalled', (jobId) => log.warn({ job: name, bullJobId: jobId }, 'job stalled, moved back to wait'));
        workers.push(worker);
      }
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },

    async drain(): Promise<void> {
      for (;;) {
        const counts = await Promise.all([...queues.values()].map((q) => q.getJobCounts(...PENDING_STATES)));
        const pending = counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
        if (pending === 0) return;
        await sleep(50);
      }
    },

    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        // Workers first: they stop fetching and let their active jobs finish (a SIGTERM loses nothing).
        const results = await Promise.allSettled(workers.map((w) => w.close()));
        queuesClosed = true;
        results.push(...(await Promise.allSettled([...queues.values()].map((q) => q.close()))));
        if (workerConnection) await quit(workerConnection);
        await quit(connection);
        for (const r of results) {
          if (r.status === 'rejected') log.warn({ error: (r.reason as Error)?.message }, 'error while closing queue');
        }
      })();
      return closed;
    },
  };
}
