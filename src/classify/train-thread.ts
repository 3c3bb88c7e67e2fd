import { Worker } from 'node:worker_threads';
import type { Example } from './qualifier.ts';

/** What the training thread is given, and what it sends back. */
export interface TrainRequest {
  examples: Example[];
  version: string;
}
export type TrainReply = { ok: true; model: Uint8Array } | { ok: false; message: string };

// One training thread at a time per process (each holds about 100 MB while it runs); the others wait
// their turn, whatever became of the one before.
let turn: Promise<unknown> = Promise.resolve();

/**
 * Trains a qualifier on a thread of its own and resolves with the serialized model, gzipped (what
 * `tenant_models.model` stores). Training the full corpus takes seconds of CPU: on the main thread it
 * would freeze every request and job of the process meanwhile (the all-in-one `start` serves the console
 * from that same thread).
 */
export function trainGzippedInThread(request: TrainRequest): Promise<Buffer> {
  const mine = turn.then(() => runThread(request));
  turn = mine.catch(() => undefined);
  return mine;
}

function runThread(request: TrainRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./train-worker.mjs', import.meta.url), { workerData: request });
    let settled = false;
    worker.once('message', (reply: TrainReply) => {
      settled = true;
      if (reply.ok) resolve(Buffer.from(reply.model.buffer, reply.model.byteOffset, reply.model.byteLength));
      else reject(new Error(`model training failed: ${reply.message}`));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`model training thread exited with code ${code} before answering`));
    });
  });
}
