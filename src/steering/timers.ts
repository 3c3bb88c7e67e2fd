import type { Deps } from '../deps.ts';
import { computeAllSignals } from './signals.ts';
import { startDigestTimer } from './digest.ts';

const SIGNALS_EVERY_MS = 6 * 3_600_000;

/**
 * The steering timers of the worker: signals recomputed four times a day (the analysed week is the last
 * complete one, so each run after Monday 00:00 sees the new week), and the Monday digest. Off in tests
 * (NODE_ENV=test), which drive them directly with their own clock.
 */
export function startSteeringTimers(deps: Deps, options: { force?: boolean } = {}): () => void {
  if (deps.config.env === 'test' && !options.force) return () => {};
  const signals = () =>
    computeAllSignals(deps)
      .then((r) => {
        const found = r.reduce((s, x) => s + x.created, 0);
        if (found > 0) deps.logger.info({ created: found }, 'new steering signals');
      })
      .catch((err: unknown) => deps.logger.error({ err }, 'steering signals failed'));
  void signals();
  const timer = setInterval(signals, SIGNALS_EVERY_MS);
  timer.unref();
  const stopDigest = startDigestTimer(deps);
  return () => {
    clearInterval(timer);
    stopDigest();
  };
}
