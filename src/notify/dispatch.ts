import type { Deps } from '../deps.ts';
import type { Complaint, Message, Tenant } from '../db/types.ts';
import { getMessage, updateDelivery } from '../db/repositories/messages.ts';
import { getComplaint } from '../db/repositories/complaints.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { listMessageAttachments } from '../db/repositories/attachments.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { PermanentJobError } from '../queue/types.ts';
import { senderFor } from '../../connectors/registry.ts';
import { markAcknowledged } from '../db/repositories/acknowledgements.ts';

/** What a connector's sender receives: everything needed to write one message, nothing to look up. */
export interface OutboundContext {
  deps: Deps;
  tenant: Tenant;
  complaint: Complaint;
  message: Message;
  /** The inbound message answered, when there is one (email In-Reply-To / References, Slack thread). */
  inReplyTo: Message | null;
  attachments: { filename: string; contentType: string; content: Uint8Array }[];
}

export interface OutboundResult {
  /** The provider's id for what was sent: email Message-ID, Twilio SID, Slack message ts. */
  providerId: string;
  meta?: Record<string, unknown>;
}

/** A connector's outbound side: sends one message through the provider's official SDK. */
export type OutboundSender = (ctx: OutboundContext) => Promise<OutboundResult>;

/** The provider refused for good (unknown recipient, channel not configured): retrying cannot help. */
export class PermanentDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentDeliveryError';
  }
}

/** Attempts after which a transient failure is final (the queue's own retries count towards it). */
export const MAX_DELIVERY_ATTEMPTS = 5;

/**
 * The `send` job: delivers one queued outbound message through its channel's connector, then records the
 * provider id and `sent`. A failure is written on the message (visible in the timeline) and retried by the
 * queue; a permanent one, or the last attempt, marks it `failed` with the reason.
 */
export async function deliverMessage(deps: Deps, tenantId: string, messageId: string): Promise<Message['delivery_status']> {
  const message = await getMessage(deps.db, tenantId, messageId);
  if (!message || message.direction !== 'outbound') throw new PermanentJobError(`no outbound message ${messageId}`);
  if (message.delivery_status !== 'queued') return message.delivery_status;
  const attempts = message.delivery_attempts + 1;
  const fail = async (reason: string, final: boolean) => {
    const now = deps.clock.now();
    await updateDelivery(deps.db, tenantId, messageId, { delivery_attempts: attempts, delivery_error: reason.slice(0, 1000), delivery_status: final ? 'failed' : 'queued' });
    if (final) {
      await insertEvents(deps.db, [{ tenantId, complaintId: message.complaint_id, actorKind: 'system', type: 'message.delivery_failed', data: { messageId, channel: message.channel, reason: reason.slice(0, 1000), attempts }, at: now }]);
    }
  };
  const sender = senderFor(message.channel);
  if (!sender) {
    await fail(`Aucun connecteur d’envoi pour le canal ${message.channel}.`, true);
    return 'failed';
  }
  const [tenant, complaint] = await Promise.all([getTenant(deps.db, tenantId), getComplaint(deps.db, tenantId, message.complaint_id)]);
  if (!tenant || !complaint) throw new PermanentJobError(`complaint of message ${messageId} is gone`);
  const answeredId = typeof message.meta.inReplyToMessageId === 'string' ? message.meta.inReplyToMessageId : null;
  const inReplyTo = answeredId ? ((await getMessage(deps.db, tenantId, answeredId)) ?? null) : null;
  const attachments = await Promise.all(
    (await listMessageAttachments(deps.db, tenantId, messageId)).map(async (a) => ({ filename: a.filename, contentType: a.content_type, content: new Uint8Array(await deps.files.get(a.sha256)) })),
  );
  let result: OutboundResult;
  try {
    result = await sender({ deps, tenant, complaint, message, inReplyTo, attachments });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const final = err instanceof PermanentDeliveryError || attempts >= MAX_DELIVERY_ATTEMPTS;
    await fail(reason, final);
    deps.logger.warn({ messageId, channel: message.channel, attempts, final, reason }, 'outbound delivery failed');
    if (final) return 'failed';
    throw err;
  }
  const now = deps.clock.now();
  await updateDelivery(deps.db, tenantId, messageId, {
    delivery_status: 'sent',
    delivery_error: null,
    delivery_attempts: attempts,
    external_id: result.providerId,
    sent_at: now,
    meta: JSON.stringify({ ...message.meta, ...(result.meta ?? {}) }),
  });
  await insertEvents(deps.db, [{ tenantId, complaintId: message.complaint_id, actorKind: 'system', type: 'message.sent', data: { messageId, channel: message.channel, providerId: result.providerId }, at: now }]);
  // The acknowledgement clock stops when our acknowledgement has actually left.
  if (message.purpose === 'ack' && (await markAcknowledged(deps.db, tenantId, message.complaint_id, now))) {
    await insertEvents(deps.db, [{ tenantId, complaintId: message.complaint_id, actorKind: 'system', type: 'complaint.acknowledged', data: { messageId, channel: message.channel }, at: now }]);
  }
  return 'sent';
}

/** A provider reports what became of a message we sent (Twilio status callback, a bounce). */
export async function recordDeliveryReport(
  deps: Deps,
  message: Pick<Message, 'tenant_id' | 'id' | 'complaint_id' | 'channel' | 'delivery_status'>,
  report: { status: 'delivered' | 'failed'; reason: string | null; source: string },
): Promise<void> {
  // A late "delivered" never overrides a recorded failure; a failure always wins.
  if (report.status === 'delivered' && message.delivery_status === 'failed') return;
  const now = deps.clock.now();
  await deps.db.transaction().execute(async (trx) => {
    await updateDelivery(trx, message.tenant_id, message.id, {
      delivery_status: report.status,
      delivery_error: report.status === 'failed' ? (report.reason ?? 'Non distribué.').slice(0, 1000) : null,
      ...(report.status === 'delivered' ? { delivered_at: now } : {}),
    });
    await insertEvents(trx, [{ tenantId: message.tenant_id, complaintId: message.complaint_id, actorKind: 'system', type: report.status === 'delivered' ? 'message.delivered' : 'message.delivery_failed', data: { messageId: message.id, channel: message.channel, source: report.source, ...(report.reason ? { reason: report.reason } : {}) }, at: now }]);
  });
}
