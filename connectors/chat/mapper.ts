import { z } from 'zod';
import { MappingError, type InboundMapper, type InboundMessageInput } from '../../src/intake/contract.ts';
import { normalizeEmail } from '../../src/domain/identity.ts';
import { readSlackPayload, SLACK_CONTENT_TYPE, type SlackProfile } from './payload.ts';
import { COMPLAINT_MODAL_CALLBACK_ID, readModalValues } from './modal.ts';

/**
 * Slack → InboundMessage. Pure: no I/O, no clock. Two sources reach the journal (see payload.ts):
 * - Events API `event_callback`s the webhook accepted (triageSlackEvent): a direct message to the app
 *   (`message`, channel_type `im`, thread replies included), a mention of the app in a channel
 *   (`app_mention`), a reply in a channel thread Guichet already follows (`message` with `thread_ts`).
 *   One Slack thread is one conversation: `slack:<team>:<channel>:<thread_ts or ts>`.
 * - the `view_submission` of the `/reclamation` modal: the web form's fields, `declared` as given.
 * Bot messages, edits, deletions and other subtypes never reach the journal: the webhook answers 200 and
 * journals nothing (they are not customer messages).
 */

const fileSchema = z.object({
  name: z.string().nullish(),
  title: z.string().nullish(),
  mimetype: z.string().nullish(),
  size: z.number().nullish(),
});

const eventSchema = z.object({
  type: z.string(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  user_team: z.string().optional(),
  team: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string().optional(),
  thread_ts: z.string().optional(),
  channel: z.string().optional(),
  channel_type: z.string().optional(),
  files: z.array(fileSchema).optional(),
});

const eventCallbackSchema = z.object({
  type: z.literal('event_callback'),
  team_id: z.string(),
  event_id: z.string(),
  event_time: z.number().optional(),
  event: eventSchema,
  authorizations: z.array(z.object({ user_id: z.string().optional(), is_bot: z.boolean().optional() })).optional(),
});
export type SlackEventCallback = z.infer<typeof eventCallbackSchema>;

const viewSubmissionSchema = z.object({
  type: z.literal('view_submission'),
  team: z.object({ id: z.string() }),
  user: z.object({ id: z.string(), team_id: z.string().optional(), name: z.string().optional() }),
  view: z.object({
    id: z.string(),
    callback_id: z.string(),
    state: z.object({ values: z.record(z.string(), z.record(z.string(), z.any())) }).optional(),
  }),
});
export type SlackViewSubmission = z.infer<typeof viewSubmissionSchema>;

/** Subtypes that are still a person writing: a file shared with a comment, a thread reply also sent to the channel. */
const AUTHORED_SUBTYPES = new Set(['file_share', 'thread_broadcast']);

export type SlackEventTriage =
  | {
      accept: true;
      teamId: string;
      userId: string;
      eventId: string;
      conversationKey: string;
      /** A reply in a channel thread: taken only when Guichet already follows that conversation. */
      needsKnownConversation: boolean;
    }
  | { accept: false; reason: string };

/** The app's own bot user in this workspace, as the event's authorizations tell. */
function botUserOf(body: SlackEventCallback): string | null {
  return body.authorizations?.find((a) => a.is_bot)?.user_id ?? null;
}

/** `slack:<team>:<channel>:<thread_ts>`: a thread's replies share the key of its first message. */
export function slackConversationKey(teamId: string, channel: string, threadTs: string): string {
  return `slack:${teamId}:${channel}:${threadTs}`;
}

/**
 * Decides, before anything is stored, whether an Events API payload is a customer's message. Pure.
 * Everything refused is answered 200 (so that Slack does not retry) and journaled nowhere.
 */
export function triageSlackEvent(body: unknown): SlackEventTriage {
  const parsed = eventCallbackSchema.safeParse(body);
  if (!parsed.success) return { accept: false, reason: 'not an event callback' };
  const b = parsed.data;
  const e = b.event;
  if (e.bot_id || e.subtype === 'bot_message') return { accept: false, reason: 'bot message' };
  if (!e.user || !e.channel || !e.ts) return { accept: false, reason: 'no author, channel or timestamp' };
  if (e.user === botUserOf(b)) return { accept: false, reason: 'our own bot user' };
  if (e.subtype && !AUTHORED_SUBTYPES.has(e.subtype)) return { accept: false, reason: `subtype ${e.subtype}` };
  if (!(e.text ?? '').trim() && (e.files ?? []).length === 0) return { accept: false, reason: 'empty message' };
  const accepted = (needsKnownConversation: boolean): SlackEventTriage => ({
    accept: true,
    teamId: b.team_id,
    userId: e.user!,
    eventId: b.event_id,
    conversationKey: slackConversationKey(b.team_id, e.channel!, e.thread_ts ?? e.ts!),
    needsKnownConversation,
  });
  if (e.type === 'app_mention') {
    // A mention inside a direct message also arrives as message.im: that one is taken.
    if (e.channel.startsWith('D')) return { accept: false, reason: 'mention in a direct message' };
    return accepted(false);
  }
  if (e.type !== 'message') return { accept: false, reason: `event ${e.type}` };
  if (e.channel_type === 'im') return accepted(false);
  // In a channel only replies in a thread are taken, and not those mentioning the app (app_mention has them).
  if (!e.thread_ts || e.thread_ts === e.ts) return { accept: false, reason: 'channel message outside a thread' };
  const bot = botUserOf(b);
  if (bot && (e.text ?? '').includes(`<@${bot}`)) return { accept: false, reason: 'mention (taken as app_mention)' };
  return accepted(true);
}

/**
 * Slack's message formatting as plain text: `<@U123|jeanne>` → `@jeanne` (the app's own mention removed),
 * `<#C1|general>` → `#general`, `<!here>` → `@here`, `<mailto:a@b.fr|a@b.fr>` → `a@b.fr`,
 * `<https://x.fr|le site>` → `le site (https://x.fr)`, then `&lt;` `&gt;` `&amp;` decoded.
 */
export function slackTextToPlain(text: string, botUserId: string | null = null): string {
  const out = text.replace(/<([^<>]+)>/g, (_, inner: string) => {
    const [target, label] = inner.split('|', 2) as [string, string | undefined];
    if (target.startsWith('@')) {
      if (botUserId && target.slice(1) === botUserId) return '';
      return `@${label ?? target.slice(1)}`;
    }
    if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
    if (target.startsWith('!')) {
      const special = target.slice(1).split('^')[0]!;
      return label ?? (['here', 'channel', 'everyone'].includes(special) ? `@${special}` : '');
    }
    if (target.startsWith('mailto:')) return label ?? target.slice(7);
    return label && label !== target ? `${label} (${target})` : target;
  });
  return out
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** `1712345678.000100` → the instant (Slack timestamps are seconds with microseconds). */
export function slackTsToDate(ts: string): Date | null {
  const m = /^(\d{1,12})(?:\.(\d{1,6}))?$/.exec(ts);
  if (!m) return null;
  return new Date(Number(m[1]) * 1000 + Math.floor(Number((m[2] ?? '0').padEnd(6, '0')) / 1000));
}

function senderName(profile: SlackProfile | null, fallback: string | null = null): string | null {
  const name = profile?.realName?.trim() || profile?.displayName?.trim() || fallback?.trim() || null;
  return name ? name.slice(0, 200) : null;
}

function verifiedEmail(profile: SlackProfile | null): string | null {
  return profile?.email ? normalizeEmail(profile.email) : null;
}

function mapEvent(raw: Parameters<InboundMapper>[0], body: unknown, profile: SlackProfile | null): InboundMessageInput {
  const triage = triageSlackEvent(body);
  if (!triage.accept) throw new MappingError(`Évènement Slack qui n’est pas un message de client (${triage.reason}).`);
  const b = eventCallbackSchema.parse(body);
  if (b.event_id !== raw.externalId) throw new MappingError('L’identifiant de l’évènement Slack ne correspond pas à celui du journal.');
  const e = b.event;
  const files = e.files ?? [];
  const text = slackTextToPlain(e.text ?? '', botUserOf(b));
  const fileNames = files.map((f) => f.name || f.title || 'fichier');
  return {
    tenantId: raw.tenantId,
    channel: 'slack',
    externalId: b.event_id,
    thread: { inReplyTo: null, references: [], referenceTokens: [], conversationKey: triage.conversationKey, trackingToken: null },
    sender: {
      name: senderName(profile),
      email: verifiedEmail(profile),
      phone: null,
      slackUser: `${e.user_team ?? e.team ?? b.team_id}:${triage.userId}`,
    },
    contractNumbers: [],
    sentAt: slackTsToDate(e.ts!),
    receivedAt: raw.receivedAt,
    subject: null,
    text: text || `Fichier(s) envoyé(s) sur Slack : ${fileNames.join(', ')}`,
    html: null,
    attachments: [],
    // Slack files need the bot token to be downloaded: they stay in Slack, recorded here with the reason.
    refusedAttachments: files.slice(0, 50).map((f, i) => ({
      filename: fileNames[i]!.slice(0, 255),
      contentType: (f.mimetype || 'application/octet-stream').slice(0, 200),
      sizeBytes: Math.max(0, Math.floor(f.size ?? 0)),
      reason: 'Fichier partagé sur Slack, non importé : consultez-le dans la conversation Slack.',
    })),
    language: null,
    declared: {},
  };
}

function mapViewSubmission(raw: Parameters<InboundMapper>[0], form: string, profile: SlackProfile | null): InboundMessageInput {
  const json = new URLSearchParams(form).get('payload');
  if (!json) throw new MappingError('Interaction Slack sans champ « payload ».');
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    throw new MappingError('Interaction Slack illisible (JSON invalide).');
  }
  const parsed = viewSubmissionSchema.safeParse(body);
  if (!parsed.success) throw new MappingError('Interaction Slack qui n’est pas l’envoi du formulaire de réclamation.');
  const p = parsed.data;
  if (p.view.callback_id !== COMPLAINT_MODAL_CALLBACK_ID) throw new MappingError(`Formulaire Slack inconnu : « ${p.view.callback_id} ».`);
  if (p.view.id !== raw.externalId) throw new MappingError('L’identifiant du formulaire Slack ne correspond pas à celui du journal.');
  const v = readModalValues(p.view.state);
  if (!v.description) throw new MappingError('Formulaire Slack sans description.');
  const declared: Record<string, string> = {};
  if (v.nature) declared.nature = v.nature;
  if (v.complainantType) declared.complainantType = v.complainantType;
  // Typed in the modal, hence not verified: kept as given for the agent, never used to link the customer
  // (the e-mail of the Slack profile is, when Slack gave it).
  if (v.email) declared.email = v.email;
  if (v.phone) declared.phone = v.phone;
  return {
    tenantId: raw.tenantId,
    channel: 'slack',
    externalId: p.view.id,
    // A form is not a conversation: replies go to the person in a direct message (see outbound.ts).
    thread: { inReplyTo: null, references: [], referenceTokens: [], conversationKey: null, trackingToken: null },
    sender: {
      name: v.name || senderName(profile, p.user.name ?? null),
      email: verifiedEmail(profile),
      phone: null,
      slackUser: `${p.user.team_id ?? p.team.id}:${p.user.id}`,
    },
    contractNumbers: v.contractNumber ? [v.contractNumber] : [],
    sentAt: null,
    receivedAt: raw.receivedAt,
    subject: v.nature || null,
    text: v.description,
    html: null,
    attachments: [],
    language: 'fr',
    declared,
  };
}

export const mapSlack: InboundMapper = (raw) => {
  if (raw.contentType.split(';')[0]!.trim().toLowerCase() !== SLACK_CONTENT_TYPE) {
    throw new MappingError(`Type de contenu inattendu pour Slack : « ${raw.contentType} ».`);
  }
  const read = readSlackPayload(raw.payload);
  if (!read.ok) throw new MappingError(read.reason);
  const { source, body, profile } = read.value;
  if (source === 'interactions') return mapViewSubmission(raw, body, profile);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new MappingError('Évènement Slack illisible (JSON invalide).');
  }
  return mapEvent(raw, json, profile);
};
