import type { Deps } from '../deps.ts';
import { eventLabel } from '../domain/event-labels.ts';
import { ValidationError } from '../domain/errors.ts';
import { listAuditEvents } from '../db/repositories/audit.ts';
import type { Actor } from '../services/actor.ts';

export interface AuditViewQuery {
  from?: string | undefined;
  to?: string | undefined;
  actor?: string | undefined;
  type?: string | undefined;
  complaint?: string | undefined;
  cursor?: string | undefined;
  limit?: number | undefined;
}

const ACTOR_KIND_FR: Record<string, string> = { system: 'Guichet (automatique)', customer: 'Client' };

/** The audit trail (every change and every access, who, when, what) in French, newest first, by cursor pages. */
export async function auditView(deps: Deps, actor: Actor, q: AuditViewQuery) {
  if (q.from && q.to && q.from > q.to) throw new ValidationError('Période invalide.', { from: 'La date de début doit précéder la date de fin.' });
  let beforeId: number | undefined;
  if (q.cursor !== undefined) {
    beforeId = Number(q.cursor);
    if (!Number.isSafeInteger(beforeId) || beforeId <= 0) throw new ValidationError('Pagination invalide.', { cursor: 'Curseur de pagination invalide.' });
  }
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 200);
  const rows = await listAuditEvents(deps.db, actor.tenantId, {
    from: q.from,
    to: q.to,
    actorUserId: q.actor,
    type: q.type,
    complaintId: q.complaint,
    beforeId,
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  return {
    items: page.map((r) => ({
      id: r.id,
      type: r.type,
      label: eventLabel(r.type),
      at: r.createdAt.toISOString(),
      actorKind: r.actorKind,
      actorUserId: r.actorUserId,
      actorName: r.actorKind === 'user' ? (r.actorName ?? 'Utilisateur supprimé') : (ACTOR_KIND_FR[r.actorKind] ?? r.actorKind),
      complaintId: r.complaintId,
      reference: r.reference,
      customerId: r.customerId,
      data: r.data,
    })),
    nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null,
  };
}
