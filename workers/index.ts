import type { Deps } from '../src/deps.ts';
import { recoverPendingInbound } from '../src/intake/journal.ts';
import { classifyHandler } from './classify.ts';
import { ingestHandler } from './ingest.ts';
import { retrainHandler } from './retrain.ts';
import { startMaintenance } from './maintenance.ts';

/**
 * The worker role: consume the queue, queue again whatever the journal still holds as pending (after a
 * crash, or payloads accepted by an api process without a shared queue), then keep sweeping every minute.
 */
export async function startWorkers(deps: Deps, options: { sweepEveryMs?: number } = {}): Promise<() => Promise<void>> {
  await deps.queue.start({ ingest: ingestHandler(deps), classify: classifyHandler(deps), retrain: retrainHandler(deps) });
  await recoverPendingInbound(deps);
  const sweep = setInterval(() => {
    recoverPendingInbound(deps).catch((err: unknown) => deps.logger.error({ err }, 'inbound recovery sweep failed'));
  }, options.sweepEveryMs ?? 60_000);
  sweep.unref();
  const stopMaintenance = startMaintenance(deps);
  return async () => {
    clearInterval(sweep);
    stopMaintenance();
  };
}
