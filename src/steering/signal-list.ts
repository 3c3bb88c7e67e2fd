import type { Deps } from '../deps.ts';
import { addDays, localDateOf } from '../domain/calendar.ts';
import { listSignals, type Signal } from '../db/repositories/steering-signals.ts';
import { actionsOfSignals } from '../db/repositories/actions.ts';
import type { Actor } from '../services/actor.ts';
import { weekStart } from './stats.ts';

export function signalDto(s: Signal, actions: { id: string; title: string; status: string }[] = []) {
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
    actions,
  };
}

/** Signals of the last `weeks` analysed weeks, newest week first, largest first, each with the actions opened from it. */
export async function listSignalDtos(deps: Deps, actor: Actor, weeks: number) {
  const fromWeek = addDays(weekStart(localDateOf(deps.clock.now())), -7 * weeks);
  const signals = await listSignals(deps.db, actor.tenantId, { fromWeek, limit: 200 });
  const actions = await actionsOfSignals(deps.db, actor.tenantId, signals.map((s) => s.id));
  return signals.map((s) => signalDto(s, actions.filter((a) => a.signal_id === s.id).map(({ id, title, status }) => ({ id, title, status }))));
}
