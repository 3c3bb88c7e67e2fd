import { gzipSync } from 'node:zlib';
import { Qualifier } from './qualifier.ts';
import type { TrainRequest } from './train-thread.ts';

/** Runs on the training thread: trains, serializes and gzips, returning bytes that own their buffer. */
export function trainGzipped({ examples, version }: TrainRequest): Uint8Array {
  const q = Qualifier.train(examples, { version });
  return new Uint8Array(gzipSync(JSON.stringify(q.serialize())));
}
