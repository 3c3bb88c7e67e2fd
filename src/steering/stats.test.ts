import { describe, expect, it } from 'vitest';
import { isoWeekLabel, meanOf, meanSd, percentileOf, rate, spike, weekEnd, weekStart, weeksBetween } from './stats.ts';
import { prng } from './test-prng.ts';

describe('ISO weeks', () => {
  it('starts on Monday and ends on Sunday', () => {
    expect(weekStart('2026-06-17')).toBe('2026-06-15');
    expect(weekStart('2026-06-15')).toBe('2026-06-15');
    expect(weekStart('2026-06-21')).toBe('2026-06-15');
    expect(weekEnd('2026-06-15')).toBe('2026-06-21');
    expect(weeksBetween('2026-06-17', '2026-07-01')).toEqual(['2026-06-15', '2026-06-22', '2026-06-29']);
  });
  it('names weeks as ISO 8601 does, across years', () => {
    expect(isoWeekLabel('2026-01-01')).toBe('2026-W01');
    expect(isoWeekLabel('2026-12-28')).toBe('2026-W53');
    expect(isoWeekLabel('2027-01-01')).toBe('2026-W53');
    expect(isoWeekLabel('2027-01-04')).toBe('2027-W01');
    expect(isoWeekLabel('2025-12-29')).toBe('2026-W01');
  });
});

describe('histogram statistics', () => {
  it('gives the nearest-rank percentile and the mean of the raw values', () => {
    const r = prng(5);
    for (let k = 0; k < 200; k++) {
      const values = Array.from({ length: r.int(1, 60) }, () => r.int(0, 90));
      const bins = new Map<number, number>();
      for (const v of values) bins.set(v, (bins.get(v) ?? 0) + 1);
      const hist = [...bins].map(([days, n]) => ({ days, n }));
      const sorted = [...values].sort((a, b) => a - b);
      expect(percentileOf(hist, 0.9)).toBe(sorted[Math.ceil(0.9 * sorted.length) - 1]);
      expect(percentileOf(hist, 0.5)).toBe(sorted[Math.ceil(0.5 * sorted.length) - 1]);
      expect(meanOf(hist)).toBe(Math.round((values.reduce((s, v) => s + v, 0) / values.length) * 10) / 10);
    }
    expect(percentileOf([], 0.9)).toBeNull();
    expect(meanOf([])).toBeNull();
    expect(rate(1, 3)).toBe(33.3);
    expect(rate(0, 0)).toBeNull();
  });
});

describe('spike rule', () => {
  it('flags a count well above its baseline, never a small or ordinary one', () => {
    expect(meanSd([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, sd: Math.sqrt(32 / 7) });
    expect(spike(20, [5, 6, 4, 5, 7, 5, 6, 4]).isSpike).toBe(true);
    expect(spike(9, [5, 6, 4, 5, 7, 5, 6, 4]).isSpike).toBe(false);
    // A flat baseline does not make every extra complaint a signal (sd floored at √mean).
    expect(spike(7, [3, 3, 3, 3, 3, 3, 3, 3]).isSpike).toBe(false);
    expect(spike(9, [3, 3, 3, 3, 3, 3, 3, 3]).isSpike).toBe(true);
    // Below the minimum count: never.
    expect(spike(4, [0, 0, 0, 0, 0, 0, 0, 0]).isSpike).toBe(false);
    expect(spike(5, [0, 0, 0, 0, 0, 0, 0, 0]).isSpike).toBe(true);
  });
});
