import { describe, expect, it } from 'vitest';
import { createQueue } from './index.ts';
import { createMemoryQueue } from './memory.ts';
import { withCoalescedAdds } from './coalesce.ts';
import { captureLogger, queueSuite, sleep } from './queue-suite.ts';

describe('memory queue', () => {
  queueSuite(async (logger, options) => withCoalescedAdds(createMemoryQueue(logger, options)));

  it('close() abandons waiting and delayed jobs and clears their timers', async () => {
    const { logger, lines } = captureLogger();
    const queue = createMemoryQueue(logger, { concurrency: 1, backoffMs: 20 });
    const seen: string[] = [];
    await queue.add('ingest', { journalId: 'waiting' });
    await queue.add('ingest', { journalId: 'delayed' }, { delayMs: 50 });
    await queue.close();
    await queue.drain(); // nothing left: resolves
    await sleep(80);
    expect(seen).toEqual([]);
    expect(lines.find((l) => l.msg.startsWith('memory queue closed'))).toMatchObject({ abandoned: 2 });
    await expect(queue.start({ ingest: async ({ journalId }) => void seen.push(journalId), classify: async () => {}, retrain: async () => {}, send: async () => {} })).rejects.toThrow(/closed/);
  });

  it('hands each job a copy of its data, as a serialising queue would', async () => {
    const { logger } = captureLogger();
    const queue = createMemoryQueue(logger);
    const data = { journalId: 'j1' };
    let received: unknown;
    await queue.start({ ingest: async (d) => void (received = d), classify: async () => {}, retrain: async () => {}, send: async () => {} });
    await queue.add('ingest', data);
    data.journalId = 'mutated';
    await queue.drain();
    await queue.close();
    expect(received).toEqual({ journalId: 'j1' });
  });

  it('createQueue() picks the in-process runner without REDIS_URL', async () => {
    const { logger } = captureLogger();
    const queue = await createQueue({ redisUrl: undefined }, logger, { prefix: 'ignored' });
    expect(queue.kind).toBe('memory');
    await queue.close();
  });
});
