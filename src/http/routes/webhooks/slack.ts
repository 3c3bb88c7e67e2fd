/**
 * Slack webhooks (one Slack app per workspace; its Request URLs point here):
 * - `POST /webhooks/slack/events`       Events API (JSON): url_verification, then customer messages
 * - `POST /webhooks/slack/commands`     slash command `/reclamation` (form-encoded) → the complaint modal
 * - `POST /webhooks/slack/interactions` interactivity (`payload=<json>`): the modal's submission
 *
 * Flow (DESIGN.md, "The flow of one message"): the raw body is kept as received → the workspace is found
 * by its team id (resolveChannel) → the signature is checked over those raw bytes with the workspace's
 * signing secret (bolt's isValidSlackRequest: v0 HMAC, timestamp within five minutes) → only then is
 * anything stored. Refused requests (unsigned, wrong signature, stale timestamp, unknown workspace) get
 * 401 and leave no trace. An event that is a customer's message is journaled (event id as external id:
 * Slack's retries, `X-Slack-Retry-Num`, find the same row) and answered 200; bot messages, edits and other
 * noise are answered 200 without being journaled. Commands and interactions go through a bolt App
 * (listeners in connectors/chat/app.ts) and are answered with the listener's ack.
 */
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { isValidSlackRequest } from '@slack/bolt';
import type { Deps } from '../../../deps.ts';
import { resolveChannel, openChannel, type OpenChannel } from '../../../services/channels.ts';
import { listEnabledChannels } from '../../../db/repositories/channels.ts';
import { findJournal } from '../../../db/repositories/inbound.ts';
import { openComplaintOfConversation } from '../../../db/repositories/messages.ts';
import { getTenant } from '../../../db/repositories/tenants.ts';
import { acceptInbound } from '../../../intake/journal.ts';
import { intakeSettingsOf } from '../../../intake/settings.ts';
import type { Channel } from '../../../db/types.ts';
import { SlackConnector } from '../../../../connectors/chat/app.ts';
import { triageSlackEvent } from '../../../../connectors/chat/mapper.ts';
import { buildSlackPayload } from '../../../../connectors/chat/payload.ts';

const ROUTE_CONFIG = { auth: 'public', csrf: false } as const;
/** Slack refuses requests older than five minutes; we also refuse those dated in the future. */
const MAX_SKEW_SECONDS = 5 * 60;
const DAY = 86_400_000;

type Refusal = { status: 400 | 401; error: string };

function refuse(reply: FastifyReply, r: Refusal) {
  return reply.status(r.status).send({ error: r.error });
}

function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** True when the raw body carries a valid, fresh v0 signature made with this signing secret. */
function signedWith(deps: Deps, request: FastifyRequest, raw: string, signingSecret: string | undefined): boolean {
  const signature = header(request, 'x-slack-signature');
  const timestamp = Number(header(request, 'x-slack-request-timestamp'));
  if (!signingSecret || !signature || !Number.isInteger(timestamp)) return false;
  const nowMs = deps.clock.now().getTime();
  if (timestamp > Math.floor(nowMs / 1000) + MAX_SKEW_SECONDS) return false;
  return isValidSlackRequest({ signingSecret, body: raw, headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp }, nowMilliseconds: nowMs });
}

/** The workspace a payload names, verified: its channel when the signature is its own, else a refusal. */
async function verifiedWorkspace(deps: Deps, request: FastifyRequest, raw: string, teamId: unknown): Promise<OpenChannel<'slack'> | Refusal> {
  if (typeof teamId !== 'string' || !/^[TE][A-Z0-9]{2,}$/.test(teamId)) return { status: 400, error: 'team_id manquant' };
  const channel = await resolveChannel(deps, 'slack', teamId);
  // Unknown workspace and bad signature answer alike: nothing tells a prober which teams exist.
  if (!channel || !signedWith(deps, request, raw, channel.secrets.signingSecret)) {
    request.log.info({ teamId, known: channel !== undefined }, 'slack webhook: refused (signature)');
    return { status: 401, error: 'signature invalide' };
  }
  return channel;
}

/** url_verification names no workspace: it must be signed by one of the connected Slack apps. */
async function signedByAnyWorkspace(deps: Deps, request: FastifyRequest, raw: string): Promise<boolean> {
  const rows = await listEnabledChannels(deps.db, 'slack');
  return rows.some((row) => signedWith(deps, request, raw, openChannel(deps, row as Channel & { kind: 'slack' }).secrets.signingSecret));
}

function parseJson(raw: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(raw);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Raw bodies for this plugin only: JSON and form encoding arrive as the exact string Slack signed. */
function keepRawBodies(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json']);
  for (const type of ['application/json', 'application/x-www-form-urlencoded']) {
    app.addContentTypeParser(type, { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
  }
}

export function slackWebhookRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    keepRawBodies(app);
    const slack = new SlackConnector(deps);
    const routeOptions = { schema: { hide: true }, config: ROUTE_CONFIG };

    app.post('/events', routeOptions, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const body = parseJson(raw);
      if (!body) return refuse(reply, { status: 400, error: 'corps JSON attendu' });
      if (body.type === 'url_verification') {
        if (!(await signedByAnyWorkspace(deps, request, raw))) return refuse(reply, { status: 401, error: 'signature invalide' });
        return reply.status(200).send({ challenge: String(body.challenge ?? '') });
      }
      const channel = await verifiedWorkspace(deps, request, raw, body.team_id);
      if ('status' in channel) return refuse(reply, channel);
      const tenantId = channel.tenantId;
      const retryNum = header(request, 'x-slack-retry-num');
      const triage = triageSlackEvent(body);
      if (!triage.accept) {
        request.log.debug({ tenantId, reason: triage.reason }, 'slack event ignored');
        return reply.status(200).send();
      }
      // A retry of an event already journaled: nothing new, and no second users.info.
      if (await findJournal(deps.db, tenantId, 'slack', triage.eventId)) {
        request.log.info({ tenantId, retryNum }, 'slack event already journaled');
        return reply.status(200).send();
      }
      if (triage.needsKnownConversation) {
        const tenant = await getTenant(deps.db, tenantId);
        const days = intakeSettingsOf(tenant?.settings ?? {}).conversationWindowDays;
        const since = new Date(deps.clock.now().getTime() - days * DAY);
        if (!(await openComplaintOfConversation(deps.db, tenantId, triage.conversationKey, since))) {
          request.log.debug({ tenantId }, 'slack thread reply outside any followed conversation: ignored');
          return reply.status(200).send();
        }
      }
      const profile = await slack.profileOf(channel, triage.userId);
      const { payload, contentType } = buildSlackPayload({ source: 'events', body: raw, profile });
      const accepted = await acceptInbound(deps, { tenantId, channel: 'slack', externalId: triage.eventId, payload, contentType, receivedAt: deps.clock.now() });
      request.log.info({ tenantId, journalId: accepted.journalId, duplicate: accepted.duplicate, retryNum, profile: profile !== null }, 'slack event journaled');
      return reply.status(200).send();
    });

    const viaBolt = async (request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown> | null, teamId: unknown, raw: string) => {
      if (!body) return refuse(reply, { status: 400, error: 'corps de formulaire attendu' });
      const channel = await verifiedWorkspace(deps, request, raw, teamId);
      if ('status' in channel) return refuse(reply, channel);
      const result = await slack.dispatch(channel, body, raw);
      if (!result.acked) {
        request.log.info({ tenantId: channel.tenantId, type: body.type ?? body.command }, 'slack request without listener');
        return reply.status(200).send();
      }
      return result.response === undefined || result.response === null ? reply.status(200).send() : reply.status(200).send(result.response);
    };

    app.post('/commands', routeOptions, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const body = Object.fromEntries(new URLSearchParams(raw));
      return viaBolt(request, reply, body.command ? body : null, body.team_id, raw);
    });

    app.post('/interactions', routeOptions, async (request, reply) => {
      const raw = typeof request.body === 'string' ? request.body : '';
      const body = parseJson(new URLSearchParams(raw).get('payload') ?? '');
      const team = body?.team as { id?: unknown } | null | undefined;
      return viaBolt(request, reply, body, team?.id ?? body?.team_id, raw);
    });
  };
}
