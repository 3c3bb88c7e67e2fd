import type { Deps } from '../deps.ts';
import type { Message } from '../db/types.ts';
import { insertMessage, countAutomaticOutbound } from '../db/repositories/messages.ts';
import { insertAttachments } from '../db/repositories/attachments.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { isOptedOut } from '../db/repositories/channels.ts';

type Db = Deps['db'];
const HOUR = 3_600_000;

/** Channels Guichet writes to. A Twilio number carries `sms`; Slack threads `slack`. */
export const OUTBOUND_CHANNELS = ['email', 'sms', 'slack'] as const;
export type OutboundChannel = (typeof OUTBOUND_CHANNELS)[number];

/** One message for a customer, before it is queued. */
export interface OutboundDraft {
  tenantId: string;
  complaintId: string;
  customerId: string | null;
  channel: OutboundChannel;
  /** Email address, E.164 phone number, or Slack `channel:thread_ts`. */
  recipient: string;
  subject: string | null;
  text: string;
  html?: string | null;
  /** ack | answer | holding | status | reply | statut … (also part of our email Message-ID). */
  purpose: string;
  /** Sent by Guichet on its own: counted by the loop guard. */
  automatic: boolean;
  authorUserId: string | null;
  /** The inbound message this one answers (email In-Reply-To, Slack thread). */
  inReplyToMessageId?: string | null;
  conversationKey?: string | null;
  /** Provider id known before sending (our email Message-ID), so a retried send keeps it. */
  externalId?: string | null;
  attachments?: { filename: string; contentType: string; content: Uint8Array }[];
}

export interface QueueOptions {
  now: Date;
  /** Automatic messages one recipient may trigger per hour (channel setting); beyond, they are suppressed. */
  automaticPerHour?: number;
}

/**
 * Records an outbound message as `queued` (or `suppressed`, with the reason, when the recipient opted out
 * of this channel or a loop guard trips), inside the caller's transaction. Sending happens in the `send`
 * job, queued by `enqueueDelivery` once the transaction has committed.
 */
export async function queueOutbound(deps: Pick<Deps, 'files'>, trx: Db, draft: OutboundDraft, options: QueueOptions): Promise<Message> {
  let suppressed: string | null = null;
  if (await isOptedOut(trx, draft.tenantId, draft.channel, draft.recipient)) {
    suppressed = 'Le destinataire a demandé à ne plus recevoir de messages sur ce canal (STOP).';
  } else if (draft.automatic) {
    const limit = options.automaticPerHour ?? 5;
    const sent = await countAutomaticOutbound(trx, draft.tenantId, draft.recipient, new Date(options.now.getTime() - HOUR));
    if (sent >= limit) suppressed = `Limite de ${limit} message(s) automatique(s) par heure atteinte pour ce destinataire (protection contre les boucles).`;
  }
  const message = await insertMessage(trx, {
    tenant_id: draft.tenantId,
    complaint_id: draft.complaintId,
    direction: 'outbound',
    channel: draft.channel,
    author_user_id: draft.authorUserId,
    customer_id: draft.customerId,
    subject: draft.subject,
    body_text: draft.text,
    body_html: draft.html ?? null,
    external_id: draft.externalId ?? null,
    sent_at: null,
    created_at: options.now,
    conversation_key: draft.conversationKey ?? null,
    recipient: draft.recipient,
    purpose: draft.purpose,
    automatic: draft.automatic,
    delivery_status: suppressed ? 'suppressed' : 'queued',
    delivery_error: suppressed,
    meta: JSON.stringify(draft.inReplyToMessageId ? { inReplyToMessageId: draft.inReplyToMessageId } : {}),
  });
  if (draft.attachments && draft.attachments.length > 0) {
    const blobs = await Promise.all(draft.attachments.map(async (a) => ({ a, blob: await deps.files.put(a.content) })));
    await insertAttachments(
      trx,
      blobs.map(({ a, blob }) => ({
        tenant_id: draft.tenantId,
        complaint_id: draft.complaintId,
        message_id: message.id,
        filename: a.filename,
        content_type: a.contentType,
        size_bytes: blob.sizeBytes,
        sha256: blob.sha256,
        created_by: draft.authorUserId,
        created_at: options.now,
      })),
    );
  }
  await insertEvents(trx, [
    {
      tenantId: draft.tenantId,
      complaintId: draft.complaintId,
      customerId: draft.customerId,
      actorUserId: draft.authorUserId,
      actorKind: draft.authorUserId ? 'user' : 'system',
      type: suppressed ? 'message.suppressed' : 'message.queued',
      data: { messageId: message.id, channel: draft.channel, purpose: draft.purpose, ...(suppressed ? { reason: suppressed } : {}) },
      at: options.now,
    },
  ]);
  return message;
}

/** After commit: queues the `send` job of a queued message (same job id: never sent twice by the queue). */
export async function enqueueDelivery(deps: Pick<Deps, 'queue'>, message: Pick<Message, 'tenant_id' | 'id' | 'delivery_status'>): Promise<void> {
  if (message.delivery_status !== 'queued') return;
  await deps.queue.add('send', { tenantId: message.tenant_id, messageId: message.id }, { jobId: `send-${message.id}` });
}
