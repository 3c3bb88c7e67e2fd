import { z } from 'zod';

/** How a process hands its complaints to agents (processes.settings.assignment). */
export const assignmentSchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('none') }),
  z.object({ mode: z.literal('fixed'), userId: z.uuid() }),
  z.object({ mode: z.literal('round_robin'), userIds: z.array(z.uuid()).min(1).max(100) }),
]);
export type Assignment = z.infer<typeof assignmentSchema>;

export function assignmentOf(settings: Record<string, unknown> | null | undefined): Assignment {
  const parsed = assignmentSchema.safeParse((settings ?? {}).assignment ?? { mode: 'none' });
  return parsed.success ? parsed.data : { mode: 'none' };
}

/**
 * Round-robin among the members still active: the next one after whoever this process assigned last,
 * in the order the manager listed them. Pure, so that fairness is easy to test.
 */
export function nextAssignee(assignment: Assignment, activeUserIds: ReadonlySet<string>, lastAssigned: string | null): string | null {
  switch (assignment.mode) {
    case 'none':
      return null;
    case 'fixed':
      return activeUserIds.has(assignment.userId) ? assignment.userId : null;
    case 'round_robin': {
      const members = assignment.userIds.filter((id) => activeUserIds.has(id));
      if (members.length === 0) return null;
      const at = lastAssigned ? members.indexOf(lastAssigned) : -1;
      return members[(at + 1) % members.length]!;
    }
  }
}
