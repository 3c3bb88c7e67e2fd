/**
 * Behavioural suite shared by every JobQueue driver (memory.test.ts, bullmq.test.ts): both drivers must
 * behave the same, so the embedded and the distributed modes cannot drift apart.
 * Call it inside a `describe`; it registers its own hooks.
 */
import { Writable } from 'node:stream';
import { afterEach, expect, it } from 'vitest';
import { createLogger, type Logger } from '../logger.ts';
import { PermanentJobError, type JobHandlers, type JobQueue, type QueueOptions } from './types.ts';

export type QueueFactory = (logger: Logger, options: Partial<QueueOptions>) => Promise<JobQueue>;

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

/** A real pino logger (same redaction as production) writing into an array. */
export function captureLogger(): { logger: Logger; lines: LogLine[]; raw: string[] } {
  const raw: string[] = [];
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        raw.push(line);
        lines.push(JSON.parse(line) as LogLine);
      }
      cb();
    },
  });
  return { logger: createLogger('debug', stream), lines, raw };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitFor: timed out');
    await sleep(5);
  }
}

/** Small backoff so retry tests stay fast. */
export const TEST_QUEUE_OPTIONS: Partial<QueueOptions> = { concurrency: 4, attempts: 5, backoffMs: 20 };

const ERROR = 50;

export function queueSuite(factory: QueueFactory): void {
  const opened: JobQueue[] = [];
  let capture = captureLogger();

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((q) => q.close()));
    capture = captureLogger();
  });

  async function make(options: Partial<QueueOptions> = {}): Promise<JobQueue> {
    const queue = await factory(capture.logger, { ...TEST_QUEUE_OPTIONS, ...options });
    opened.push(queue);
    return queue;
  }

  const handlers = (ingest: JobHandlers['ingest']): JobHandlers => ({ ingest, classify: async () => {}, retrain: async () => {}, send: async () => {} });

  it('keeps jobs added before start() waiting, then runs them in order', async () => {
    const queue = await make({ concurrency: 1 });
    const seen: string[] = [];
    for (let i = 1; i <= 5; i++) await queue.add('ingest', { journalId: `j${i}` });
    await sleep(100);
    expect(seen).toEqual([]);
    await queue.start(handlers(async ({ journalId }) => void seen.push(journalId)));
    await queue.drain();
    expect(seen).toEqual(['j1', 'j2', 'j3', 'j4', 'j5']);
  });

  it('never runs more jobs at once than the concurrency', async () => {
    const queue = await make({ concurrency: 3 });
    let active = 0;
    let maxActive = 0;
    const done: string[] = [];
    await queue.start(
      handlers(async ({ journalId }) => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(80);
        active--;
        done.push(journalId);
      }),
    );
    for (let i = 0; i < 9; i++) await queue.add('ingest', { journalId: `c${i}` });
    await queue.drain();
    expect(done.sort()).toEqual(Array.from({ length: 9 }, (_, i) => `c${i}`).sort());
    expect(maxActive).toBe(3);
  });

  it('ignores a job id already waiting or running, accepts it again once finished', async () => {
    const queue = await make();
    const runs: Array<{ journalId: string; jobId: string }> = [];
    let release: () => void = () => {};
    let gate: Promise<void> = Promise.resolve();
    await queue.add('ingest', { journalId: 'a' }, { jobId: 'ingest:a' });
    await queue.add('ingest', { journalId: 'a-bis' }, { jobId: 'ingest:a' }); // waiting: ignored
    await queue.add('ingest', { journalId: 'b' }, { jobId: 'ingest:b' });
    await queue.start(
      handlers(async ({ journalId }, meta) => {
        runs.push({ journalId, jobId: meta.jobId });
        await gate;
      }),
    );
    await queue.drain();
    expect(runs.sort((x, y) => x.journalId.localeCompare(y.journalId))).toEqual([
      { journalId: 'a', jobId: 'ingest:a' },
      { journalId: 'b', jobId: 'ingest:b' },
    ]);

    // Running: ignored.
    gate = new Promise((resolve) => (release = resolve));
    await queue.add('ingest', { journalId: 'a2' }, { jobId: 'ingest:a' });
    await waitFor(() => runs.length === 3);
    await queue.add('ingest', { journalId: 'a3' }, { jobId: 'ingest:a' });
    release();
    await queue.drain();
    expect(runs.map((r) => r.journalId)).toEqual(['a', 'b', 'a2']);

    // Finished: can be added again.
    await queue.add('ingest', { journalId: 'a4' }, { jobId: 'ingest:a' });
    await queue.drain();
    expect(runs.map((r) => r.journalId)).toEqual(['a', 'b', 'a2', 'a4']);
  });

  it('coalesces the adds of one key in a window into one job, and drain() waits for an add still scheduled', async () => {
    const queue = await make();
    const seen: string[] = [];
    await queue.start(handlers(async ({ journalId }) => void seen.push(journalId)));
    const burst = Array.from({ length: 20 }, (_, i) => queue.addCoalesced('ingest', { journalId: `t1-${i}` }, { key: 't1', windowMs: 200, jobId: `ingest-t1-${i}` }));
    const other = queue.addCoalesced('ingest', { journalId: 't2-0' }, { key: 't2', windowMs: 200, jobId: 'ingest-t2-0' });
    await Promise.all([...burst, other]);
    await queue.drain();
    expect(seen.sort()).toEqual(['t1-0', 't2-0']);
    // Within the window after the last add: scheduled, not yet added. drain() must not return before it ran.
    void queue.addCoalesced('ingest', { journalId: 't1-late' }, { key: 't1', windowMs: 200, jobId: 'ingest-t1-late' });
    await queue.drain();
    expect(seen).toContain('t1-late');
  });

  it('gives each job its own id when none is given (no dedup)', async () => {
    const queue = await make();
    const ids: string[] = [];
    await queue.start(handlers(async (_data, meta) => void ids.push(meta.jobId)));
    await queue.add('ingest', { journalId: 'x' });
    await queue.add('ingest', { journalId: 'x' });
    await queue.drain();
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    for (const id of ids) expect(id).not.toBe('');
  });

  it('retries with exponential backoff, attempt numbers starting at 1', async () => {
    const queue = await make({ attempts: 5, backoffMs: 20 });
    const calls: Array<{ attempt: number; at: number }> = [];
    await queue.start(
      handlers(async (_data, { attempt }) => {
        calls.push({ attempt, at: performance.now() });
        if (attempt < 3) throw new Error(`transient ${attempt}`);
      }),
    );
    await queue.add('ingest', { journalId: 'r1' }, { jobId: 'retry-1' });
    await queue.drain();
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    const [c1, c2, c3] = calls as [(typeof calls)[0], (typeof calls)[0], (typeof calls)[0]];
    expect(c2.at - c1.at).toBeGreaterThanOrEqual(18); // 20 ms
    expect(c3.at - c2.at).toBeGreaterThanOrEqual(38); // 40 ms
    expect(capture.lines.filter((l) => l.level >= ERROR)).toEqual([]);
    expect(capture.lines.filter((l) => l.msg === 'job failed, will retry').map((l) => l.attempt)).toEqual([1, 2]);
  });

  it('drops a job after its last attempt, logging name, id and message but never the data', async () => {
    const queue = await make({ attempts: 3, backoffMs: 10 });
    const attempts: number[] = [];
    await queue.start(
      handlers(async (_data, { attempt }) => {
        attempts.push(attempt);
        throw new Error(`mapper exploded #${attempt}`);
      }),
    );
    await queue.add('ingest', { journalId: 'data-must-not-be-logged' }, { jobId: 'doomed-1' });
    await queue.drain();
    expect(attempts).toEqual([1, 2, 3]);
    const errors = capture.lines.filter((l) => l.level >= ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ job: 'ingest', jobId: 'doomed-1', attempt: 3, error: 'mapper exploded #3' });
    expect(capture.raw.join('\n')).not.toContain('data-must-not-be-logged');

    // Dropped means finished: recovery can enqueue the same id again.
    await queue.add('ingest', { journalId: 'again' }, { jobId: 'doomed-1' });
    await queue.drain();
    expect(attempts).toEqual([1, 2, 3, 1, 2, 3]);
  });

  it('does not retry a PermanentJobError', async () => {
    const queue = await make({ attempts: 5 });
    const attempts: number[] = [];
    await queue.start(
      handlers(async (_data, { attempt }) => {
        attempts.push(attempt);
        throw new PermanentJobError('journal row unreadable');
      }),
    );
    await queue.add('ingest', { journalId: 'p1' }, { jobId: 'perm-1' });
    await queue.drain();
    await sleep(100); // a retry would have been scheduled after 20 ms
    expect(attempts).toEqual([1]);
    const errors = capture.lines.filter((l) => l.level >= ERROR);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ job: 'ingest', jobId: 'perm-1', error: 'journal row unreadable' });
  });

  it('drain() resolves at once when idle and waits for delayed jobs', async () => {
    const queue = await make();
    const seen: string[] = [];
    await queue.start(handlers(async ({ journalId }) => void seen.push(journalId)));
    await queue.drain();
    const t0 = performance.now();
    await queue.add('ingest', { journalId: 'later' }, { delayMs: 150 });
    await queue.add('ingest', { journalId: 'now' });
    await queue.drain();
    expect(performance.now() - t0).toBeGreaterThanOrEqual(140);
    expect(seen).toEqual(['now', 'later']);
  });

  it('close() lets a running job finish', async () => {
    const queue = await make();
    let started = false;
    let finished = false;
    await queue.start(
      handlers(async () => {
        started = true;
        await sleep(200);
        finished = true;
      }),
    );
    await queue.add('ingest', { journalId: 'slow' });
    await waitFor(() => started);
    await queue.close();
    expect(finished).toBe(true);
    await queue.close(); // idempotent
    await expect(queue.add('ingest', { journalId: 'late' })).rejects.toThrow(/closed/);
  });
}
