import type { AddOptions, JobMap, JobName, JobQueue } from './types.ts';

export interface CoalesceOptions {
  /** Calls with the same key share one add… */
  key: string;
  /** …made at most this often (ms after the previous add of the key); the first call of a quiet key adds at once. */
  windowMs: number;
}

/**
 * A queue whose producers can ask for a job "soon" rather than now: addCoalesced() calls of one key that
 * come while an add is scheduled share it (the job added carries the first call's data), and adds of a
 * key are at least `windowMs` apart. For jobs that process whatever is pending (an ingest job ingests all
 * of its tenant's pending journal rows), this turns a burst of producers into a few jobs. drain() also
 * waits for the adds still scheduled, so "drained" keeps meaning "nothing left to do".
 */
export function withCoalescedAdds(queue: Omit<JobQueue, 'addCoalesced'>): JobQueue {
  const scheduled = new Map<string, Promise<void>>();
  const lastAddAt = new Map<string, number>();
  return {
    kind: queue.kind,
    add: (name, data, options) => queue.add(name, data, options),
    addCoalesced<K extends JobName>(name: K, data: JobMap[K], options: AddOptions & CoalesceOptions): Promise<void> {
      const open = scheduled.get(options.key);
      if (open) return open;
      const { key, windowMs, ...addOptions } = options;
      const added = new Promise<void>((resolve, reject) => {
        const fire = () => {
          scheduled.delete(key);
          lastAddAt.set(key, Date.now());
          queue.add(name, data, addOptions).then(resolve, reject);
        };
        const wait = (lastAddAt.get(key) ?? 0) + windowMs - Date.now();
        if (wait > 0) setTimeout(fire, wait);
        else setImmediate(fire);
      });
      scheduled.set(key, added);
      if (lastAddAt.size > 10_000) lastAddAt.clear();
      return added;
    },
    start: (handlers) => queue.start(handlers),
    async drain(): Promise<void> {
      for (;;) {
        // Settled either way: a failed add is its producer's concern, not the drain's.
        while (scheduled.size > 0) await Promise.allSettled([...scheduled.values()]);
        await queue.drain();
        if (scheduled.size === 0) return;
      }
    },
    close: () => queue.close(),
  };
}
