import type { Deps } from '../src/deps.ts';
import { recoverPendingInbound } from '../src/intake/journal.ts';
import { staleQueuedOutbound, unqualifiedInboundMessages } from '../src/db/repositories/messages.ts';
import { runDeadlineWatch } from '../src/routing/deadlines.ts';
import { classifyHandler } from './classify.ts';
import { ingestHandler } from './ingest.ts';
import { retrainHandler } from './retrain.ts';
import { sendHandler } from './send.ts';
import { startMaintenance } from './maintenance.ts';
import { runAutoAcknowledgements } from '../src/notify/customer-messages.ts';
import { staleTranscriptions } from '../src/db/repositories/sms.ts';
import { reconcileVoice } from '../src/services/voice-inbound.ts';
import { startMailboxSupervisor, type SupervisorOptions } from '../connectors/email/imap.ts';
import { startSteeringTimers } from '../src/steering/timers.ts';
import { warmUpQualifier } from '../src/classify/qualifier.ts';

/**
 * The worker role: consume the queue, queue again whatever the journal still holds as pending (after a
 * crash, or payloads accepted by an api process without a shared queue), then keep sweeping every minute.
 */
export async function startWorkers(
  deps: Deps,
  options: { sweepEveryMs?: number; /** IMAP readers of the email channels (false: none, e.g. tests driving them). */ mailboxes?: boolean | SupervisorOptions } = {},
): Promise<() => Promise<void>> {
  warmUpQualifier();
  await deps.queue.start({ ingest: ingestHandler(deps), classify: classifyHandler(deps), retrain: retrainHandler(deps), send: sendHandler(deps) });
  const recover = () => recoverySweep(deps);
  await recover();
  const sweep = setInterval(() => {
    recover().catch((err: unknown) => deps.logger.error({ err }, 'recovery sweep failed'));
  }, options.sweepEveryMs ?? 60_000);
  sweep.unref();
  const watch = () =>
    runDeadlineWatch(deps)
      .then((r) => r.escalated > 0 && deps.logger.info(r, 'deadline watch'))
      .catch((err: unknown) => deps.logger.error({ err }, 'deadline watch failed'));
  void watch();
  const hourly = setInterval(watch, 3_600_000);
  hourly.unref();
  const stopMaintenance = startMaintenance(deps);
  const stopSteering = startSteeringTimers(deps);
  const mailboxes = options.mailboxes === false ? null : startMailboxSupervisor(deps, options.mailboxes === true ? {} : options.mailboxes);
  return async () => {
    clearInterval(sweep);
    clearInterval(hourly);
    stopMaintenance();
    stopSteering();
    await mailboxes?.stop();
  };
}

/** Inbound messages of the last week that were never qualified (a job lost in a crash) are queued again. */
async function recoverUnqualified(deps: Deps): Promise<void> {
  // Same job id as the ingest job's fallback uses: a classify job still waiting is not queued twice. The
  // ingest job qualifies what it ingested right after its commit: a message of the last minute may be
  // between the two, and is left to it.
  const now = deps.clock.now().getTime();
  const rows = await unqualifiedInboundMessages(deps.db, new Date(now - 7 * 86_400_000), 500, new Date(now - 60_000));
  for (const r of rows) await deps.queue.add('classify', r, { jobId: `classify-${r.messageId}` });
}

/** Outbound messages left queued for two minutes (a send job lost in a crash) are queued again, same job id. */
async function recoverQueuedOutbound(deps: Deps): Promise<void> {
  const rows = await staleQueuedOutbound(deps.db, new Date(deps.clock.now().getTime() - 120_000), 500);
  for (const r of rows) await deps.queue.add('send', r, { jobId: `send-${r.messageId}` });
}

/**
 * What the worker re-checks at start and every minute, so that a crash loses nothing: pending journal
 * rows, unqualified messages, outbound messages left queued, due acknowledgements, unapplied transcriptions.
 */
export async function recoverySweep(deps: Deps): Promise<void> {
  await recoverPendingInbound(deps);
  await recoverUnqualified(deps);
  await recoverQueuedOutbound(deps);
  // Acknowledgements of qualified complaints whose process sends them automatically.
  await runAutoAcknowledgements(deps);
  // Voice transcriptions left unapplied by a process that died after journaling them.
  const now = deps.clock.now().getTime();
  for (const t of await staleTranscriptions(deps.db, new Date(now - 120_000), new Date(now - 86_400_000), 100)) await reconcileVoice(deps, t.tenantId, t.callSid);
}
