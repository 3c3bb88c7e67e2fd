import type { Kysely } from 'kysely';
import type { Database } from '../db/types.ts';
import { listUsers } from '../db/repositories/users.ts';
import { lockProcess, updateProcess } from '../db/repositories/processes.ts';
import { assignmentOf, nextAssignee } from './assignment.ts';

/**
 * Picks the agent a process gives a complaint to (fixed agent or round-robin among its team), and moves
 * the process's rotation on. Runs in the caller's transaction; null when the process assigns nobody.
 */
export async function pickAssignee(trx: Kysely<Database>, tenantId: string, processId: string): Promise<{ assigneeId: string | null; mode: string }> {
  const process = await lockProcess(trx, tenantId, processId);
  if (!process) return { assigneeId: null, mode: 'none' };
  const assignment = assignmentOf(process.settings);
  if (assignment.mode === 'none') return { assigneeId: null, mode: 'none' };
  const active = new Set((await listUsers(trx, tenantId)).filter((u) => u.status === 'active').map((u) => u.id));
  const last = typeof process.settings.lastAssigneeId === 'string' ? process.settings.lastAssigneeId : null;
  const assigneeId = nextAssignee(assignment, active, last);
  if (assigneeId && assignment.mode === 'round_robin') {
    await updateProcess(trx, tenantId, processId, { settings: JSON.stringify({ ...process.settings, lastAssigneeId: assigneeId }) });
  }
  return { assigneeId, mode: assignment.mode };
}
