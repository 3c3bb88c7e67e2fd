import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { bullQueueName, createBullQueue } from './bullmq.ts';
import { withCoalescedAdds } from './coalesce.ts';
import { createQueue } from './index.ts';
import { captureLogger, queueSuite, sleep, TEST_QUEUE_OPTIONS, waitFor } from './queue-suite.ts';

const redisUrl = process.env.REDIS_URL;
if (!redisUrl && process.env.REQUIRE_SERVICES === '1') {
  throw new Error('REQUIRE_SERVICES=1 but REDIS_URL is not set: the BullMQ driver tests cannot run');
}

/** One prefix per run; each queue gets its own sub-prefix so tests never see each other's jobs. */
const runPrefix = `guichet-test-${process.pid}-${randomBytes(4).toString('hex')}`;
let n = 0;
const nextPrefix = () => `${runPrefix}-${++n}`;

(redisUrl ? describe : describe.skip)('bullmq queue', () => {
  const url = redisUrl as string;

  afterAll(async () => {
    // Delete every key this run created (queues closed by the suite's afterEach).
    const redis = new Redis(url);
    try {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${runPrefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
      const [, left] = await redis.scan('0', 'MATCH', `${runPrefix}*`, 'COUNT', 10000);
      expect(left).toEqual([]);
    } finally {
      await redis.quit();
    }
  });

  queueSuite(async (logger, options) => withCoalescedAdds(await createBullQueue(url, logger, { ...options, prefix: nextPrefix() })));

  it('shares the jobs of one prefix between two worker processes, each job handled exactly once', async () => {
    const prefix = nextPrefix();
    const { logger } = captureLogger();
    const options = { ...TEST_QUEUE_OPTIONS, concurrency: 2, prefix };
    const a = await createBullQueue(url, logger, options);
    const b = await createBullQueue(url, logger, options);
    const handledBy = new Map<string, string[]>();
    const handler = (who: string) => async ({ journalId }: { journalId: string }) => {
      handledBy.set(journalId, [...(handledBy.get(journalId) ?? []), who]);
      await sleep(10);
    };
    try {
      await a.start({ ingest: handler('a'), classify: async () => {}, retrain: async () => {}, send: async () => {} });
      await b.start({ ingest: handler('b'), classify: async () => {}, retrain: async () => {}, send: async () => {} });
      const ids = Array.from({ length: 50 }, (_, i) => `j-${i}`);
      // Added from both "processes", each id twice: dedup holds across instances.
      await Promise.all(ids.map((id, i) => (i % 2 ? a : b).add('ingest', { journalId: id }, { jobId: `ingest:${id}` })));
      await Promise.all(ids.map((id, i) => (i % 2 ? b : a).add('ingest', { journalId: id }, { jobId: `ingest:${id}` })));
      await a.drain();
      await b.drain();
      expect([...handledBy.keys()].sort()).toEqual([...ids].sort());
      for (const id of ids) expect(handledBy.get(id), id).toHaveLength(1);
      const perWorker = { a: 0, b: 0 };
      for (const [who] of handledBy.values()) perWorker[who as 'a' | 'b']++;
      expect(perWorker.a).toBeGreaterThan(0);
      expect(perWorker.b).toBeGreaterThan(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('close() mid-run loses nothing: the running job completes, the waiting one is left for the next process', async () => {
    const prefix = nextPrefix();
    const { logger } = captureLogger();
    const options = { ...TEST_QUEUE_OPTIONS, concurrency: 1, prefix };
    const seen: string[] = [];
    const first = await createBullQueue(url, logger, options);
    let started = false;
    await first.start({
      ingest: async ({ journalId }) => {
        started = true;
        await sleep(150);
        seen.push(`first:${journalId}`);
      },
      classify: async () => {}, retrain: async () => {}, send: async () => {},
    });
    await first.add('ingest', { journalId: 'running' }, { jobId: 'running' });
    await first.add('ingest', { journalId: 'waiting' }, { jobId: 'waiting' });
    await waitFor(() => started);
    await first.close(); // what the SIGTERM handler does
    expect(seen).toEqual(['first:running']);

    const redis = new Redis(url);
    const inspect = new Queue(bullQueueName('ingest'), { connection: redis, prefix });
    try {
      expect(await inspect.getJobCounts('active', 'waiting', 'completed', 'failed')).toEqual({ active: 0, waiting: 1, completed: 1, failed: 0 });
    } finally {
      await inspect.close();
      await redis.quit();
    }

    const second = await createBullQueue(url, logger, options);
    try {
      await second.start({ ingest: async ({ journalId }) => void seen.push(`second:${journalId}`), classify: async () => {}, retrain: async () => {}, send: async () => {} });
      await second.drain();
      expect(seen).toEqual(['first:running', 'second:waiting']);
    } finally {
      await second.close();
    }
  });

  it('createQueue() picks BullMQ with REDIS_URL', async () => {
    const { logger } = captureLogger();
    const queue = await createQueue({ redisUrl: url }, logger, { prefix: nextPrefix() });
    expect(queue.kind).toBe('bullmq');
    await queue.close();
  });

  it('fails fast when Redis cannot be reached', async () => {
    const { logger } = captureLogger();
    await expect(createBullQueue('redis://127.0.0.1:1/0', logger, { prefix: nextPrefix() })).rejects.toThrow(/cannot reach Redis/);
  });
});
