import type { Deps } from '../deps.ts';
import { addDays, localDateOf } from '../domain/calendar.ts';
import { listSignals, type Signal } from '../db/repositories/steering-signals.ts';
import type { Actor } from '../services/actor.ts';
import { weekStart } from './stats.ts';

export function signalDto(s: Signal) {
  return {
    id: s.id,
    kind: s.kind,
    week: s.week,
    key: s.key,
    dimension: s.dimension,
    value: s.value,
    label: s.label,
    count: s.count,
    baselineMean: s.baseline_mean,
    baselineSd: s.baseline_sd,
    threshold: s.threshold,
    trend: s.trend,
    examples: s.examples,
    createdAt: s.created_at.toISOString(),
    updatedAt: s.updated_at.toISOString(),
  };
}

/** Signals of the last `weeks` analysed weeks, newest week first, largest first. */
export async function listSignalDtos(deps: Deps, actor: Actor, weeks: number) {
  const fromWeek = addDays(weekStart(localDateOf(deps.clock.now())), -7 * weeks);
  return (await listSignals(deps.db, actor.tenantId, { fromWeek, limit: 200 })).map(signalDto);
}
