import { randomUUID } from 'node:crypto';
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

/**
 * In-process job runner (embedded mode): one process, no Redis. Same contract as the BullMQ driver:
 * FIFO, a concurrency limit (shared by every job name), dedup by job id while a job is waiting,
 * delayed or running, exponential-backoff retries, `PermanentJobError` never retried. Nothing survives
 * a restart — the durable state is in the database and recovery re-enqueues from it.
 */
interface Entry {
  name: JobName;
  /** JSON round-tripped at add time, as BullMQ would store it. */
  data: unknown;
  jobId: string;
  attempt: number;
}

export function createMemoryQueue(logger: Logger, options: Partial<QueueOptions> = {}): Omit<JobQueue, 'addCoalesced'> {
  const opts: QueueOptions = { ...DEFAULT_QUEUE_OPTIONS, ...options };
  const concurrency = Math.max(1, Math.floor(opts.concurrency));
  const attempts = Math.max(1, Math.floor(opts.attempts));

  const waiting: Entry[] = [];
  /** Timers of delayed jobs and of retries waiting for their backoff. */
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<void>>();
  /** `${name}\0${jobId}` of every job waiting, delayed or running (the dedup window). */
  const live = new Set<string>();
  const idleWaiters: Array<() => void> = [];
  let handlers: JobHandlers | undefined;
  let closing = false;
  let closed: Promise<void> | undefined;

  const key = (name: JobName, jobId: string) => `${name}\0${jobId}`;
  const isIdle = () => waiting.length === 0 && timers.size === 0 && running.size === 0;

  function settleIdle(): void {
    if (!isIdle()) return;
    for (const resolve of idleWaiters.splice(0)) resolve();
  }

  function schedule(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  }

  function enqueue(entry: Entry): void {
    if (closing) return;
    waiting.push(entry);
    pump();
  }

  function pump(): void {
    while (handlers && !closing && running.size < concurrency && waiting.length > 0) {
      const entry = waiting.shift() as Entry;
      const run = execute(entry, handlers).finally(() => {
        running.delete(run);
        pump();
        settleIdle();
      });
      running.add(run);
    }
  }

  async function execute(entry: Entry, hs: JobHandlers): Promise<void> {
    const { name, jobId, attempt } = entry;
    try {
      const handler = hs[name] as JobHandler<JobName> | undefined;
      if (!handler) throw new PermanentJobError(`no handler for job ${name}`);
      await handler(entry.data as JobMap[JobName], { attempt, jobId });
      live.delete(key(name, jobId));
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      const permanent = error instanceof PermanentJobError;
      if (permanent || attempt >= attempts) {
        live.delete(key(name, jobId));
        logger.error({ job: name, jobId, attempt, permanent, error: error.message }, 'job failed, dropped');
        return;
      }
      if (closing) {
        live.delete(key(name, jobId));
        logger.warn({ job: name, jobId, attempt, error: error.message }, 'job failed while closing, retry abandoned');
        return;
      }
      const delayMs = opts.backoffMs * 2 ** (attempt - 1);
      logger.warn({ job: name, jobId, attempt, delayMs, error: error.message }, 'job failed, will retry');
      schedule(delayMs, () => enqueue({ ...entry, attempt: attempt + 1 }));
    }
  }

  return {
    kind: 'memory',

    async add<K extends JobName>(name: K, data: JobMap[K], addOptions: AddOptions = {}): Promise<void> {
      if (closing) throw new Error('queue is closed');
      const jobId = addOptions.jobId ?? randomUUID();
      const k = key(name, jobId);
      if (live.has(k)) return;
      const entry: Entry = { name, data: JSON.parse(JSON.stringify(data)) as unknown, jobId, attempt: 1 };
      live.add(k);
      const delayMs = addOptions.delayMs ?? 0;
      if (delayMs > 0) schedule(delayMs, () => enqueue(entry));
      else enqueue(entry);
    },

    async start(hs: JobHandlers): Promise<void> {
      if (closing) throw new Error('queue is closed');
      if (handlers) throw new Error('queue already started');
      handlers = hs;
      pump();
    },

    drain(): Promise<void> {
      if (isIdle()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },

    close(): Promise<void> {
      closed ??= (async () => {
        closing = true;
        for (const timer of timers) clearTimeout(timer);
        const abandoned = waiting.length + timers.size;
        timers.clear();
        waiting.length = 0;
        if (abandoned > 0) logger.warn({ abandoned }, 'memory queue closed with jobs not run (recovery re-enqueues them)');
        // Running jobs finish; their retries (if any) are abandoned since we are closing.
        while (running.size > 0) await Promise.allSettled([...running]);
        live.clear();
        settleIdle();
      })();
      return closed;
    },
  };
}
