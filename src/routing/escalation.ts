import { z } from 'zod';
import type { Kysely } from 'kysely';
import type { Complaint, Database, NotificationKind } from '../db/types.ts';
import { joursOuvrablesBetween, type Zone } from '../domain/calendar.ts';
import { isOpenStatus } from '../domain/status.ts';
import { formatDateLong } from '../domain/customer-status.ts';
import { listUsers } from '../db/repositories/users.ts';
import { getProcess } from '../db/repositories/processes.ts';
import { insertNotifications } from '../db/repositories/notifications.ts';
import { insertEvents } from '../db/repositories/events.ts';

/** A process's escalation rules (processes.settings.escalation). */
export const escalationSchema = z.object({
  /** From this priority on, managers are told at once (null: never). */
  notifyPriority: z.enum(['haute', 'urgente']).nullable().default('haute'),
  /** Warn when the acknowledgement is due within this many jours ouvrables. */
  ackWithinDays: z.number().int().min(0).max(10).default(2),
  /** Warn when the answer is due within this many jours ouvrables. */
  answerWithinDays: z.number().int().min(0).max(30).default(5),
});
export type Escalation = z.infer<typeof escalationSchema>;

export function escalationOf(settings: Record<string, unknown> | null | undefined): Escalation {
  const parsed = escalationSchema.safeParse((settings ?? {}).escalation ?? {});
  return parsed.success ? parsed.data : escalationSchema.parse({});
}

const RANK = { normale: 0, haute: 1, urgente: 2 } as const;

/** What must be escalated about a complaint today (pure: the rules, the dates, the status). */
export function dueEscalations(c: Pick<Complaint, 'status' | 'priority' | 'acknowledged_at' | 'answered_at' | 'ack_due_on' | 'answer_due_on'>, today: string, zone: Zone, rule: Escalation): { kind: NotificationKind; daysLeft: number | null }[] {
  if (!isOpenStatus(c.status)) return [];
  const out: { kind: NotificationKind; daysLeft: number | null }[] = [];
  if (rule.notifyPriority && RANK[c.priority] >= RANK[rule.notifyPriority]) out.push({ kind: 'priority', daysLeft: null });
  if (c.acknowledged_at === null && c.answered_at === null) {
    const left = joursOuvrablesBetween(today, c.ack_due_on, zone);
    if (c.ack_due_on < today) out.push({ kind: 'ack_overdue', daysLeft: left });
    else if (left <= rule.ackWithinDays) out.push({ kind: 'ack_due', daysLeft: left });
  }
  const left = joursOuvrablesBetween(today, c.answer_due_on, zone);
  if (c.answer_due_on < today) out.push({ kind: 'answer_overdue', daysLeft: left });
  else if (left <= rule.answerWithinDays) out.push({ kind: 'answer_due', daysLeft: left });
  return out;
}

function messageOf(c: Complaint, kind: NotificationKind, daysLeft: number | null): string {
  const days = (n: number) => `${n} jour${Math.abs(n) > 1 ? 's' : ''} ouvrable${Math.abs(n) > 1 ? 's' : ''}`;
  switch (kind) {
    case 'priority':
      return `${c.reference} : priorité ${c.priority} — « ${c.subject} ».`;
    case 'ack_due':
      return `${c.reference} : accusé de réception à envoyer au plus tard le ${formatDateLong(c.ack_due_on)} (${days(daysLeft ?? 0)}).`;
    case 'ack_overdue':
      return `${c.reference} : accusé de réception en retard depuis le ${formatDateLong(c.ack_due_on)}.`;
    case 'answer_due':
      return `${c.reference} : réponse à envoyer au plus tard le ${formatDateLong(c.answer_due_on)} (${days(daysLeft ?? 0)}) — proposez une réponse d’attente si besoin.`;
    case 'answer_overdue':
      return `${c.reference} : réponse en retard depuis le ${formatDateLong(c.answer_due_on)}.`;
  }
}

/**
 * Tells the tenant's managers (and, for deadlines, the assignee) what its process rules say must be
 * escalated; each (user, complaint, kind) once. Returns the kinds newly escalated.
 */
export async function escalate(trx: Kysely<Database>, c: Complaint, zone: Zone, today: string, now: Date): Promise<NotificationKind[]> {
  const process = c.process_id ? await getProcess(trx, c.tenant_id, c.process_id) : undefined;
  const due = dueEscalations(c, today, zone, escalationOf(process?.settings));
  if (due.length === 0) return [];
  const users = (await listUsers(trx, c.tenant_id)).filter((u) => u.status === 'active');
  const managers = users.filter((u) => u.role !== 'agent').map((u) => u.id);
  const rows = due.flatMap(({ kind, daysLeft }) => {
    const to = new Set(managers);
    if (kind !== 'priority' && c.assignee_id) to.add(c.assignee_id);
    return [...to].map((userId) => ({ tenantId: c.tenant_id, userId, complaintId: c.id, kind, message: messageOf(c, kind, daysLeft), at: now }));
  });
  const inserted = await insertNotifications(trx, rows);
  const kinds = [...new Set(inserted.map((n) => n.kind))];
  if (kinds.length > 0) {
    await insertEvents(trx, kinds.map((kind) => ({ tenantId: c.tenant_id, complaintId: c.id, actorKind: 'system' as const, type: 'complaint.escalated', data: { kind, notified: inserted.filter((n) => n.kind === kind).map((n) => n.user_id) }, at: now })));
  }
  return kinds;
}
