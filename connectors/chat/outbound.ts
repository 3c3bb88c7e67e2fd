import { webApi } from '@slack/bolt';
import type { Deps } from '../../src/deps.ts';
import type { Complaint, Message } from '../../src/db/types.ts';
import { listIdentities } from '../../src/db/repositories/customers.ts';
import { listChannels } from '../../src/db/repositories/channels.ts';
import { PermanentDeliveryError, type OutboundSender } from '../../src/notify/dispatch.ts';
import { resolveChannel, tenantChannel, type OpenChannel } from '../../src/services/channels.ts';
import { slackWebClient } from './client.ts';

/**
 * Messages to a customer on Slack. The recipient is `<channel>:<thread_ts>` (a reply in the customer's
 * thread) or a bare user id `U…` (a direct message from the app, for complaints made with the modal,
 * which have no thread). The outbound message keeps the conversation key `slack:<team>:<channel>:<ts>`
 * of the thread it answers, which names the workspace whose bot token sends it.
 */

/** `slack:T1:C2:1712345678.000100` → `C2:1712345678.000100`; null for anything else. */
export function slackRecipientOf(conversationKey: string | null): string | null {
  const m = /^slack:[^:]+:([^:]+):(\d+\.\d+)$/.exec(conversationKey ?? '');
  return m ? `${m[1]}:${m[2]}` : null;
}

function teamOf(conversationKey: string | null): string | null {
  return /^slack:([^:]+):/.exec(conversationKey ?? '')?.[1] ?? null;
}

export function parseSlackRecipient(recipient: string): { channel: string; threadTs: string | null } | null {
  const m = /^([A-Z0-9]+)(?::(\d+\.\d+))?$/.exec(recipient);
  return m ? { channel: m[1]!, threadTs: m[2] ?? null } : null;
}

/** Platform errors worth retrying; any other `ok: false` is final (channel_not_found, not_in_channel, invalid_auth…). */
const TRANSIENT_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

const REASONS: Record<string, string> = {
  channel_not_found: 'conversation introuvable',
  not_in_channel: 'l’application n’est pas membre de la conversation',
  is_archived: 'conversation archivée',
  invalid_auth: 'jeton de l’application invalide',
  not_authed: 'jeton de l’application absent',
  token_revoked: 'jeton de l’application révoqué',
  account_inactive: 'compte de l’application désactivé',
  msg_too_long: 'message trop long',
  restricted_action: 'envoi interdit par l’espace Slack',
  cannot_dm_bot: 'impossible d’écrire à un robot',
  user_not_found: 'utilisateur introuvable',
};

/** Slack blocks of plain text (no formatting injected by what an agent or customer wrote), 3,000 characters each. */
function plainBlocks(text: string) {
  const chunks: string[] = [];
  for (let rest = text.trim(); rest.length > 0 && chunks.length < 50; ) {
    let cut = rest.length <= 3000 ? rest.length : rest.lastIndexOf('\n', 3000);
    if (cut < 1000) cut = Math.min(3000, rest.length);
    chunks.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  return chunks.map((chunk) => ({ type: 'section' as const, text: { type: 'plain_text' as const, text: chunk, emoji: false } }));
}

/** Slack's fallback `text` is read as mrkdwn: `&`, `<` and `>` are escaped. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function workspaceFor(deps: Deps, message: Message): Promise<OpenChannel<'slack'> | undefined> {
  const team = teamOf(message.conversation_key);
  const byTeam = team ? await resolveChannel(deps, 'slack', team) : undefined;
  if (byTeam && byTeam.tenantId === message.tenant_id) return byTeam;
  return tenantChannel(deps, message.tenant_id, 'slack');
}

/** chat.postMessage in the customer's thread (or DM) through the real @slack/web-api client; providerId = the message ts. */
export const sendSlack: OutboundSender = async ({ deps, message }) => {
  const to = parseSlackRecipient(message.recipient ?? '');
  if (!to) throw new PermanentDeliveryError(`Destinataire Slack invalide : « ${message.recipient ?? ''} ».`);
  const workspace = await workspaceFor(deps, message);
  const token = workspace?.secrets.botToken;
  if (!workspace || !token) throw new PermanentDeliveryError('Aucun espace Slack configuré (avec son jeton) pour ce cabinet.');
  const client = slackWebClient(deps, token);
  try {
    const res = await client.chat.postMessage({
      channel: to.channel,
      ...(to.threadTs ? { thread_ts: to.threadTs } : {}),
      text: escapeSlack(message.body_text),
      blocks: plainBlocks(message.body_text),
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!res.ts) throw new Error('Slack n’a pas renvoyé l’horodatage du message envoyé.');
    return { providerId: res.ts, meta: { slackChannel: res.channel ?? to.channel, slackTeam: workspace.config.teamId } };
  } catch (err) {
    if (err instanceof webApi.WebAPIPlatformError) {
      const code = err.data.error;
      const reason = `Slack a refusé le message (${code}${REASONS[code] ? ` : ${REASONS[code]}` : ''}).`;
      if (TRANSIENT_ERRORS.has(code)) throw new Error(reason, { cause: err });
      throw new PermanentDeliveryError(reason);
    }
    if (err instanceof webApi.WebAPIRateLimitedError) throw new Error(`Slack limite le débit : nouvel essai dans ${err.retryAfter} s.`, { cause: err });
    if (err instanceof webApi.WebAPIHTTPError) throw new Error(`Slack indisponible (HTTP ${err.statusCode}).`, { cause: err });
    if (err instanceof webApi.WebAPIRequestError) throw new Error(`Slack injoignable (${err.original.message}).`, { cause: err });
    throw err;
  }
};

/** Where a message to the customer goes on Slack (the shape of src/notify's delivery targets). */
export interface SlackTarget {
  channel: 'slack';
  recipient: string;
  /** The thread it continues, when there is one. */
  conversationKey: string | null;
  /** The customer's Slack message answered. */
  inReplyToMessageId: string | null;
}

/**
 * Where to write to the customer of a complaint on Slack: the thread of their latest Slack message
 * (from the complaint's customer, not held for review), else a direct message to their Slack user for a
 * complaint made with the modal. Null when the customer never wrote on Slack about it. `messages` are the
 * complaint's messages (any direction: only the customer's own inbound Slack ones count).
 */
export async function slackTarget(db: Deps['db'], complaint: Complaint, messages: Message[]): Promise<SlackTarget | null> {
  const last = messages.filter((m) => m.direction === 'inbound' && m.channel === 'slack' && m.review_reason === null && m.customer_id === complaint.customer_id).at(-1);
  if (!last) return null;
  const inThread = slackRecipientOf(last.conversation_key);
  if (inThread) return { channel: 'slack', recipient: inThread, conversationKey: last.conversation_key, inReplyToMessageId: last.id };
  // A Slack channel's address is its team id.
  const teams = (await listChannels(db, complaint.tenant_id, 'slack')).filter((c) => c.enabled).map((c) => c.address);
  const identity = (await listIdentities(db, complaint.tenant_id, complaint.customer_id)).find((i) => i.kind === 'slack' && teams.some((t) => i.value.startsWith(`${t}:`)));
  const user = identity?.value.split(':')[1];
  return user ? { channel: 'slack', recipient: user, conversationKey: null, inReplyToMessageId: last.id } : null;
}

