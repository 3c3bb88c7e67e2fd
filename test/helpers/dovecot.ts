import { dovecotUnavailableReason } from '../../src/testing/dovecot.ts';

export { startDovecot, freePort, type DovecotServer } from '../../src/testing/dovecot.ts';

/**
 * Whether the Dovecot tests of a file run here. Without /usr/sbin/dovecot they are skipped, except with
 * REQUIRE_SERVICES=1 (CI), where a missing server is a failure, never a silent skip.
 */
export function dovecotTestsEnabled(): boolean {
  const reason = dovecotUnavailableReason();
  if (!reason) return true;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 but Dovecot cannot run: ${reason}`);
  return false;
}
