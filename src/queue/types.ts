/**
 * Typed job contracts. Job data carries ids only — never secrets nor payloads: the data lives in the
 * database (the inbound journal), so any job can be replayed from it.
 */
export interface JobMap {
  /** Map and ingest one inbound journal row. */
  ingest: { journalId: string };
  /** Qualify one inbound message (kind, cause, product, priority) and route its complaint. */
  classify: { tenantId: string; messageId: string };
  /** Train a new version of a tenant's model from its agents' corrections. */
  retrain: { tenantId: string; requestedBy: string | null };
  /** Deliver one queued outbound message through its channel's connector. */
  send: { tenantId: string; messageId: string };
}
export type JobName = keyof JobMap;

export interface AddOptions {
  /** Deduplicates: a job with the same id already waiting or running is not added twice. */
  jobId?: string;
  delayMs?: number;
}

export type JobHandler<K extends JobName> = (data: JobMap[K], meta: { attempt: number; jobId: string }) => Promise<void>;
export type JobHandlers = { [K in JobName]: JobHandler<K> };

/** Thrown by a handler when retrying cannot help (bad data): the job fails at once, without retries. */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface JobQueue {
  readonly kind: 'memory' | 'bullmq';
  add<K extends JobName>(name: K, data: JobMap[K], options?: AddOptions): Promise<void>;
  /** An add shared with the other calls of the same key in a short window (see queue/coalesce.ts). */
  addCoalesced<K extends JobName>(name: K, data: JobMap[K], options: AddOptions & { key: string; windowMs: number }): Promise<void>;
  /** Starts consuming (worker role). An api-only process never calls it. */
  start(handlers: JobHandlers): Promise<void>;
  /** Resolves when nothing is waiting or running (tests, benches, demo). */
  drain(): Promise<void>;
  /** Stops taking jobs, lets running ones finish, closes connections. */
  close(): Promise<void>;
}

export interface QueueOptions {
  concurrency: number;
  attempts: number;
  /** First retry delay; doubles at each attempt. */
  backoffMs: number;
  /** Completed jobs kept for inspection (BullMQ), the rest trimmed. */
  keepCompleted: number;
  keepFailed: number;
}

export const DEFAULT_QUEUE_OPTIONS: QueueOptions = {
  concurrency: 4,
  attempts: 5,
  backoffMs: 1000,
  keepCompleted: 1000,
  keepFailed: 5000,
};
