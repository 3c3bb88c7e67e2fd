/** Pure helpers of the steering figures: ISO weeks, histogram statistics, baselines. No I/O. */
import { addDays, dayOfWeek, type IsoDate } from '../domain/calendar.ts';

/** Monday of the ISO week of `date`. */
export function weekStart(date: IsoDate): IsoDate {
  return addDays(date, -((dayOfWeek(date) + 6) % 7));
}

/** Sunday of the ISO week of `date`. */
export function weekEnd(date: IsoDate): IsoDate {
  return addDays(weekStart(date), 6);
}

/** The Mondays from the week of `from` to the week of `to`, both included. */
export function weeksBetween(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let w = weekStart(from), end = weekStart(to); w <= end; w = addDays(w, 7)) out.push(w);
  return out;
}

/** ISO 8601 week label, e.g. `2026-W09`. */
export function isoWeekLabel(monday: IsoDate): string {
  const thursday = addDays(weekStart(monday), 3);
  const year = Number(thursday.slice(0, 4));
  const jan4 = `${year}-01-04`;
  const firstMonday = weekStart(jan4);
  const n = Math.round((Date.parse(`${weekStart(monday)}T00:00:00Z`) - Date.parse(`${firstMonday}T00:00:00Z`)) / (7 * 86_400_000)) + 1;
  return `${year}-W${String(n).padStart(2, '0')}`;
}

export interface Bin {
  days: number;
  n: number;
}

/**
 * Nearest-rank percentile of a histogram: the smallest value v such that at least ⌈p·N⌉ observations are
 * ≤ v. Null when empty.
 */
export function percentileOf(bins: readonly Bin[], p: number): number | null {
  const sorted = [...bins].filter((b) => b.n > 0).sort((a, b) => a.days - b.days);
  const total = sorted.reduce((s, b) => s + b.n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(p * total));
  let seen = 0;
  for (const b of sorted) {
    seen += b.n;
    if (seen >= rank) return b.days;
  }
  return sorted[sorted.length - 1]!.days;
}

/** Mean of a histogram, rounded to one decimal; null when empty. */
export function meanOf(bins: readonly Bin[]): number | null {
  let n = 0;
  let sum = 0;
  for (const b of bins) {
    n += b.n;
    sum += b.n * b.days;
  }
  return n === 0 ? null : Math.round((sum / n) * 10) / 10;
}

/** Share in percent with one decimal, null when the whole is zero. */
export function rate(part: number, whole: number): number | null {
  return whole === 0 ? null : Math.round((part / whole) * 1000) / 10;
}

/** Mean and sample standard deviation. */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  if (values.length === 0) return { mean: 0, sd: 0 };
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  if (values.length < 2) return { mean, sd: 0 };
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, sd: Math.sqrt(variance) };
}

export interface SpikeRule {
  /** Weeks of baseline before the analysed week. */
  baselineWeeks: number;
  /** How many standard deviations above the mean. */
  k: number;
  /** Fewer complaints than this in the week is never a signal. */
  minCount: number;
}

export const DEFAULT_SPIKE_RULE: SpikeRule = { baselineWeeks: 8, k: 3, minCount: 5 };

/**
 * Is `count` well above its baseline? Threshold = mean + k·sd, where sd is never taken below √mean nor 1:
 * weekly counts are Poisson-like, and a flat baseline (sd 0) must not make every extra complaint a signal.
 */
export function spike(count: number, baseline: readonly number[], rule: SpikeRule = DEFAULT_SPIKE_RULE): { isSpike: boolean; mean: number; sd: number; threshold: number } {
  const { mean, sd } = meanSd(baseline);
  const effective = Math.max(sd, Math.sqrt(mean), 1);
  const threshold = mean + rule.k * effective;
  return { isSpike: count >= rule.minCount && count > threshold, mean, sd, threshold };
}
