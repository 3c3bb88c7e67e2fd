import { z } from 'zod';

/**
 * What the Slack webhooks (`/webhooks/slack/events`, `/webhooks/slack/interactions`) write to the inbound
 * journal: the request body exactly as Slack signed it, plus the sender's Slack profile fetched with
 * users.info before journaling (null when Slack did not answer in time: the message is journaled anyway).
 * UTF-8 JSON bytes under SLACK_CONTENT_TYPE. The journal external id is the Slack event id (events) or
 * the view id (modal submissions).
 *
 * Version 1:
 * ```json
 * { "v": 1, "source": "events" | "interactions",
 *   "body": "<raw request body: JSON for events, `payload=…` form encoding for interactions>",
 *   "profile": { "email": "…" | null, "realName": "…" | null, "displayName": "…" | null } | null }
 * ```
 * Bump `v` for any incompatible change and keep reading the older versions: journaled payloads are
 * replayed long after they were written.
 */
export const SLACK_CONTENT_TYPE = 'application/vnd.guichet.slack+json';
export const SLACK_PAYLOAD_VERSION = 1;

export const slackProfileSchema = z.object({
  email: z.string().max(320).nullable(),
  realName: z.string().max(200).nullable(),
  displayName: z.string().max(200).nullable(),
});
export type SlackProfile = z.infer<typeof slackProfileSchema>;

export const slackPayloadSchema = z.object({
  v: z.literal(SLACK_PAYLOAD_VERSION),
  source: z.enum(['events', 'interactions']),
  body: z.string().min(2),
  profile: slackProfileSchema.nullable(),
});
export type SlackPayload = z.infer<typeof slackPayloadSchema>;

export function buildSlackPayload(input: Omit<SlackPayload, 'v'>): { payload: Uint8Array; contentType: string } {
  const value = slackPayloadSchema.parse({ v: SLACK_PAYLOAD_VERSION, ...input });
  return { payload: new TextEncoder().encode(JSON.stringify(value)), contentType: SLACK_CONTENT_TYPE };
}

export function readSlackPayload(bytes: Uint8Array): { ok: true; value: SlackPayload } | { ok: false; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, reason: 'Message Slack illisible (JSON invalide).' };
  }
  const parsed = slackPayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `Message Slack non conforme (${parsed.error.issues[0]?.path.join('.') || 'enveloppe'}).` };
  return { ok: true, value: parsed.data };
}
