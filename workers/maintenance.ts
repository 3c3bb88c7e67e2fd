import type { Deps } from '../src/deps.ts';
import { deleteExpiredSessions } from '../src/db/repositories/sessions.ts';

/** Hourly housekeeping every deployment needs: expired sessions are purged. */
export function startMaintenance(deps: Deps, everyMs = 3_600_000): () => void {
  const run = () =>
    deleteExpiredSessions(deps.db, deps.clock.now())
      .then((n) => {
        if (n > 0) deps.logger.info({ purged: n }, 'expired sessions purged');
      })
      .catch((err: unknown) => deps.logger.error({ err }, 'session purge failed'));
  void run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
