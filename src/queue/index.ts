import type { Logger } from '../logger.ts';
import { createMemoryQueue } from './memory.ts';
import { withCoalescedAdds } from './coalesce.ts';
import type { JobQueue, QueueOptions } from './types.ts';

export { PermanentJobError, DEFAULT_QUEUE_OPTIONS } from './types.ts';
export type { AddOptions, JobHandler, JobHandlers, JobMap, JobName, JobQueue, QueueOptions } from './types.ts';

/**
 * BullMQ on Redis when `redisUrl` is set (any number of api / worker processes), else the in-process
 * runner. The BullMQ driver (and ioredis) is only loaded in distributed mode.
 */
export async function createQueue(
  config: { redisUrl?: string | undefined },
  logger: Logger,
  options: Partial<QueueOptions> & { prefix?: string } = {},
): Promise<JobQueue> {
  if (config.redisUrl) {
    const { createBullQueue } = await import('./bullmq.ts');
    return withCoalescedAdds(await createBullQueue(config.redisUrl, logger, options));
  }
  const { prefix: _prefix, ...memoryOptions } = options;
  return withCoalescedAdds(createMemoryQueue(logger, memoryOptions));
}
