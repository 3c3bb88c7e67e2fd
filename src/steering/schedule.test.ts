import { describe, expect, it } from 'vitest';
import { digestTimeOfWeek, nextDigestRun, zonedInstant } from './schedule.ts';
import { prng } from './test-prng.ts';

/** Paris wall clock of an instant, e.g. `Mon 08:00`. */
function paris(d: Date): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(d);
}

describe('nextDigestRun (Monday 08:00 Europe/Paris)', () => {
  it('lands on Monday 08:00 in winter and summer time, across both changes', () => {
    const cases: [string, string][] = [
      ['2026-03-25T12:00:00Z', '2026-03-30T06:00:00.000Z'], // week of the spring change: 08:00 CEST
      ['2026-03-23T06:59:59Z', '2026-03-23T07:00:00.000Z'], // Monday 07:59:59 CET: this very morning
      ['2026-03-23T07:00:00Z', '2026-03-30T06:00:00.000Z'], // exactly 08:00: the next one
      ['2026-03-29T01:30:00Z', '2026-03-30T06:00:00.000Z'], // during the spring gap
      ['2026-10-21T10:00:00Z', '2026-10-26T07:00:00.000Z'], // week of the autumn change: 08:00 CET
      ['2026-10-25T00:30:00Z', '2026-10-26T07:00:00.000Z'], // 02:30 CEST, the hour that happens twice
      ['2026-10-25T01:30:00Z', '2026-10-26T07:00:00.000Z'], // 02:30 CET, its second occurrence
      ['2026-07-01T00:00:00Z', '2026-07-06T06:00:00.000Z'],
      ['2026-12-28T06:59:00Z', '2026-12-28T07:00:00.000Z'], // ISO week 53 of 2026
      ['2026-12-31T23:30:00Z', '2027-01-04T07:00:00.000Z'], // New Year's night in Paris
    ];
    for (const [after, want] of cases) expect(nextDigestRun(new Date(after)).toISOString(), after).toBe(want);
  });

  it('is always the first Monday 08:00 after the instant, within a week', () => {
    const r = prng(11);
    const start = Date.parse('2025-01-01T00:00:00Z');
    for (let i = 0; i < 2000; i++) {
      const after = new Date(start + Math.floor(r.next() * 2 * 365 * 86_400_000));
      const next = nextDigestRun(after);
      expect(paris(next)).toBe('Mon 08:00:00');
      expect(next.getTime()).toBeGreaterThan(after.getTime());
      expect(next.getTime() - after.getTime()).toBeLessThanOrEqual(7 * 86_400_000 + 3_600_000);
      expect(nextDigestRun(new Date(next.getTime() - 1)).getTime()).toBe(next.getTime());
    }
  });

  it('converts a Paris wall-clock time to its instant', () => {
    expect(zonedInstant('2026-01-15', 8).toISOString()).toBe('2026-01-15T07:00:00.000Z');
    expect(zonedInstant('2026-06-15', 8).toISOString()).toBe('2026-06-15T06:00:00.000Z');
    expect(digestTimeOfWeek('2026-06-18').toISOString()).toBe('2026-06-15T06:00:00.000Z');
  });
});
