import parsePhoneNumber from 'libphonenumber-js/max';
import type { Deps } from '../deps.ts';
import type { ChannelKind, Complaint, Message } from '../db/types.ts';
import { listComplaintMessages } from '../db/repositories/messages.ts';
import { listIdentities } from '../db/repositories/customers.ts';
import { listChannels } from '../db/repositories/channels.ts';
import { targetResolverFor } from '../../connectors/registry.ts';
import type { OutboundChannel } from './outbound.ts';

type Db = Deps['db'];

/** Where one message to the customer goes on one channel. */
export interface Target {
  channel: OutboundChannel;
  recipient: string;
  /** The thread it continues (Slack), when the channel has threads. */
  conversationKey: string | null;
  /** The customer's message it answers (email In-Reply-To). */
  inReplyToMessageId: string | null;
}

/** A connector's own way to find the customer on its channel (a Slack thread), for channels with threads. */
export type TargetResolver = (db: Db, complaint: Complaint, inbound: Message[]) => Promise<Target | null>;

const CHANNEL_KIND: Record<OutboundChannel, ChannelKind> = { email: 'email', sms: 'twilio', slack: 'slack' };

/** The outbound channel that answers a message received on `channel`. */
export function replyChannelOf(channel: string): OutboundChannel | null {
  switch (channel) {
    case 'email':
    case 'webform':
      return 'email';
    case 'sms':
    case 'voice':
      return 'sms';
    case 'slack':
      return 'slack';
    default:
      return null;
  }
}

function textable(phone: string): boolean {
  const type = parsePhoneNumber(phone)?.getType();
  return type === undefined || type === 'MOBILE' || type === 'FIXED_LINE_OR_MOBILE';
}

/**
 * The channels on which the complaint's customer can be written to, the one they used last first, then
 * the others they used, then any other identity the firm has a channel for. Only the complaint's own
 * customer is addressed: a message flagged for review (someone else wrote) is never answered here.
 */
export async function customerTargets(db: Db, complaint: Complaint, options: { usedOnly?: boolean } = {}): Promise<Target[]> {
  const [messages, identities, channels] = await Promise.all([
    listComplaintMessages(db, complaint.tenant_id, complaint.id),
    listIdentities(db, complaint.tenant_id, complaint.customer_id),
    listChannels(db, complaint.tenant_id),
  ]);
  const configured = new Set(channels.filter((c) => c.enabled).map((c) => c.kind));
  const inbound = messages.filter((m) => m.direction === 'inbound' && m.customer_id === complaint.customer_id && m.review_reason === null);
  const lastInbound = [...inbound].reverse()[0] ?? null;
  const used = [...new Set([...inbound].reverse().map((m) => replyChannelOf(m.channel)).filter((c): c is OutboundChannel => c !== null))];
  // usedOnly: only the channels the customer wrote from (status updates go where they spoke to us).
  const order = options.usedOnly ? used : [...used, ...(['email', 'sms', 'slack'] as const).filter((c) => !used.includes(c))];
  const targets: Target[] = [];
  for (const channel of order) {
    if (!configured.has(CHANNEL_KIND[channel])) continue;
    const answered = [...inbound].reverse().find((m) => replyChannelOf(m.channel) === channel) ?? null;
    const resolver = targetResolverFor(channel);
    if (resolver) {
      const t = await resolver(db, complaint, inbound);
      if (t) targets.push(t);
      continue;
    }
    const kind = channel === 'email' ? 'email' : 'phone';
    const identity = identities.find((i) => i.kind === kind && (kind === 'email' || textable(i.value)));
    if (identity) targets.push({ channel, recipient: identity.value, conversationKey: channel === 'sms' ? `sms:${identity.value}` : null, inReplyToMessageId: answered?.id ?? (channel === 'email' ? null : lastInbound?.id ?? null) });
  }
  return targets;
}
