import type { Deps } from '../deps.ts';
import { addDays, localDateOf, type Zone } from '../domain/calendar.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { getComplaintForUpdate } from '../db/repositories/complaints.ts';
import { openComplaintsDueBefore } from '../db/repositories/notifications.ts';
import { escalate } from './escalation.ts';

/**
 * The deadline watch (hourly job, and `guichet deadlines`): every open complaint whose acknowledgement or
 * answer is due within the next weeks is checked against its process's escalation rules.
 */
export async function runDeadlineWatch(deps: Deps): Promise<{ checked: number; escalated: number }> {
  const now = deps.clock.now();
  const today = localDateOf(now);
  // Rules warn at most 30 jours ouvrables ahead: six calendar weeks covers them.
  const until = addDays(today, 42);
  let after: string | undefined;
  let checked = 0;
  let escalated = 0;
  const zones = new Map<string, Zone>();
  for (;;) {
    const batch = await openComplaintsDueBefore(deps.db, until, 200, after);
    if (batch.length === 0) break;
    for (const c of batch) {
      if (!zones.has(c.tenant_id)) zones.set(c.tenant_id, ((await getTenant(deps.db, c.tenant_id))?.zone ?? 'metropole') as Zone);
      const kinds = await deps.db.transaction().execute(async (trx) => {
        const locked = await getComplaintForUpdate(trx, c.tenant_id, c.id);
        return locked ? escalate(trx, locked, zones.get(c.tenant_id)!, today, now) : [];
      });
      checked++;
      escalated += kinds.length;
    }
    after = batch[batch.length - 1]!.id;
  }
  return { checked, escalated };
}
