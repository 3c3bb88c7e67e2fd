// The training thread (see train-thread.ts). A thread started under tsx loads TypeScript already; one
// started elsewhere (the test runner) registers tsx's loader first.
import { parentPort, workerData } from 'node:worker_threads';

async function load() {
  try {
    return await import('./train-job.ts');
  } catch (err) {
    if (err?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
    const { register } = await import('tsx/esm/api');
    register();
    // A new specifier: the failed first attempt stays in the module map under the plain one.
    return import('./train-job.ts?tsx');
  }
}

try {
  const { trainGzipped } = await load();
  const model = trainGzipped(workerData);
  parentPort.postMessage({ ok: true, model }, [model.buffer]);
} catch (err) {
  parentPort.postMessage({ ok: false, message: err instanceof Error ? err.message : String(err) });
}
