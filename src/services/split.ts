import type { Deps } from '../deps.ts';
import type { Complaint } from '../db/types.ts';
import { localDateOf } from '../domain/calendar.ts';
import { NotFoundError, RuleError } from '../domain/errors.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { getComplaintForUpdate } from '../db/repositories/complaints.ts';
import { firstInboundMessageId, getComplaintMessage, moveMessage } from '../db/repositories/messages.ts';
import { repointJournal } from '../db/repositories/inbound.ts';
import { insertEvents } from '../db/repositories/events.ts';
import type { Actor } from './actor.ts';
import { openComplaint } from './complaint-records.ts';
import { createdEventData } from './complaints.ts';

/**
 * Takes a message that was attached to the wrong complaint (a cross-channel duplicate that was not one)
 * out into a complaint of its own, with its attachments; both histories say so.
 */
export async function splitMessage(deps: Deps, actor: Actor, complaintId: string, messageId: string): Promise<Complaint> {
  const tenant = await getTenant(deps.db, actor.tenantId);
  if (!tenant) throw new NotFoundError();
  return deps.db.transaction().execute(async (trx) => {
    const source = await getComplaintForUpdate(trx, actor.tenantId, complaintId);
    if (!source) throw new NotFoundError('Réclamation introuvable.');
    const message = await getComplaintMessage(trx, actor.tenantId, complaintId, messageId);
    if (!message) throw new NotFoundError('Message introuvable.');
    if (message.direction !== 'inbound') throw new RuleError('not_inbound', 'Seul un message reçu d’un client peut être détaché.');
    if ((await firstInboundMessageId(trx, actor.tenantId, complaintId)) === messageId) {
      throw new RuleError('original_message', 'Ce message est celui qui a ouvert la réclamation : il ne peut pas en être détaché.');
    }
    const now = deps.clock.now();
    const text = message.body_text.replace(/\s+/g, ' ').trim();
    const created = await openComplaint(trx, {
      tenant,
      customerId: message.customer_id ?? source.customer_id,
      channel: message.channel,
      sentOn: message.sent_at ? localDateOf(message.sent_at) : null,
      receivedAt: message.created_at,
      subject: (message.subject?.trim() || (text.length > 80 ? `${text.slice(0, 77)}…` : text) || '(sans objet)').slice(0, 200),
      description: message.body_text.trim() || '(message sans texte)',
      createdBy: actor.userId,
      now,
    });
    await moveMessage(trx, actor.tenantId, messageId, created.id);
    await repointJournal(trx, actor.tenantId, messageId, created.id);
    const base = { tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user' as const, at: now };
    await insertEvents(trx, [
      { ...base, complaintId, type: 'message.split_out', data: { messageId, toComplaintId: created.id, toReference: created.reference } },
      { ...base, complaintId: created.id, customerId: created.customer_id, type: 'complaint.created', data: { ...createdEventData(created), splitFrom: source.reference, messageId } },
    ]);
    return created;
  });
}
