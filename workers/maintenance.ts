import type { Deps } from '../src/deps.ts';
import { deleteExpiredSessions } from '../src/db/repositories/sessions.ts';
import { prunePresence } from '../src/db/repositories/presence.ts';

/** Hourly housekeeping every deployment needs: expired sessions and stale presence heartbeats are purged. */
export function startMaintenance(deps: Deps, everyMs = 3_600_000): () => void {
  const run = () =>
    deleteExpiredSessions(deps.db, deps.clock.now())
      .then(async (n) => {
        if (n > 0) deps.logger.info({ purged: n }, 'expired sessions purged');
        await prunePresence(deps.db, new Date(deps.clock.now().getTime() - 3_600_000));
      })
      .catch((err: unknown) => deps.logger.error({ err }, 'session purge failed'));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
