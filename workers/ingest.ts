import type { Deps } from '../src/deps.ts';
import { ingestJournal } from '../src/intake/ingest.ts';
import { finishJournal, getJournal, recordJournalFailure } from '../src/db/repositories/inbound.ts';
import type { JobHandler } from '../src/queue/types.ts';

/** After this many failed attempts (across restarts), a payload goes to the quarantine with its last error. */
export const MAX_INGEST_ATTEMPTS = 8;

/** The `ingest` job: a thin wrapper that records failures on the journal row, where agents can see them. */
export function ingestHandler(deps: Deps): JobHandler<'ingest'> {
  return async ({ journalId }) => {
    try {
      const result = await ingestJournal(deps, journalId);
      if (result.status === 'processed' && result.messageId && result.tenantId) {
        await deps.queue.add('classify', { tenantId: result.tenantId, messageId: result.messageId }, { jobId: `classify-${result.messageId}` });
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await recordJournalFailure(deps.db, journalId, message);
      const row = await getJournal(deps.db, journalId);
      if (row && row.status === 'pending' && row.attempts >= MAX_INGEST_ATTEMPTS) {
        await finishJournal(deps.db, journalId, {
          status: 'quarantined',
          reason: `Échecs répétés (${row.attempts}) : ${message}`.slice(0, 1000),
          at: deps.clock.now(),
        });
        deps.logger.error({ journalId, attempts: row.attempts }, 'inbound payload quarantined after repeated failures');
        return;
      }
      throw err;
    }
  };
}
