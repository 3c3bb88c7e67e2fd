/**
 * Twilio webhooks (public: no session, no CSRF; the signature is the authentication):
 *
 *   POST /webhooks/twilio/sms            incoming SMS / MMS (the number's Messaging webhook)
 *   POST /webhooks/twilio/voice          incoming call (the number's Voice webhook) → TwiML greeting + <Record>
 *   POST /webhooks/twilio/voice/fin      <Record action>: thanks and hang up
 *   POST /webhooks/twilio/recording      recording ready → the voice message is journaled
 *   POST /webhooks/twilio/transcription  transcription ready → applied to the voice message
 *   POST /webhooks/twilio/status         delivery status of one of our SMS
 *
 * Every request: the raw form body is kept (64 KB at most, else 413); the channel is found by the number
 * called (`To`), or for the callbacks we configure by the `numero` in their URL (the recording callback
 * carries no To), or for delivery statuses by `From`; unknown → 404. Then `X-Twilio-Signature` is checked
 * with twilio.validateRequest against PUBLIC_URL + the path and query as received (the URL Twilio signed,
 * whatever proxy stands between) and that channel's auth token, and the AccountSid must be the channel's.
 * Anything unsigned or wrongly signed → 403. Nothing is stored before these checks pass.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import twilio from 'twilio';
import type { Deps } from '../../../deps.ts';
import { resolveChannel, type OpenChannel } from '../../../services/channels.ts';
import { receiveDeliveryStatus, receiveSms } from '../../../services/sms-inbound.ts';
import { receiveCall, receiveRecording, receiveTranscription, recordedTwiml } from '../../../services/voice-inbound.ts';
import { parseTwilioForm, type TwilioParams } from '../../../../connectors/sms/payload.ts';

export const TWILIO_BODY_LIMIT = 64 * 1024;
const FORM = 'application/x-www-form-urlencoded';
const EMPTY_MESSAGING = new twilio.twiml.MessagingResponse().toString();

/** The URL Twilio signed: the public base URL and the request's path and query, as received. */
export function signedUrl(publicUrl: string, requestUrl: string): string {
  return `${publicUrl}${requestUrl}`;
}

export function isValidTwilioRequest(authToken: string, signature: string | undefined, url: string, params: TwilioParams): boolean {
  if (!signature) return false;
  return twilio.validateRequest(authToken, signature, url, params);
}

type Locate = (params: TwilioParams, query: Record<string, string | undefined>) => string | undefined;

const byTo: Locate = (p) => p.To;
const byNumero: Locate = (p, q) => q.numero ?? p.To;
const byStatusSender: Locate = (p, q) => q.numero ?? p.From;

export function twilioWebhookRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    // Encapsulated in this plugin: the raw form string, as Twilio signed it.
    app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: TWILIO_BODY_LIMIT }, (_request, body, done) => done(null, body));

    const routeOptions = { schema: { hide: true }, config: { auth: 'public', csrf: false } as const, bodyLimit: TWILIO_BODY_LIMIT };

    /** The verified request, or null when the reply (404/403/415) was sent. */
    async function verify(request: FastifyRequest, reply: FastifyReply, locate: Locate): Promise<{ channel: OpenChannel<'twilio'>; raw: string; params: TwilioParams } | null> {
      if (typeof request.body !== 'string') {
        await reply.status(415).type('text/plain; charset=utf-8').send('Formulaire attendu (application/x-www-form-urlencoded).');
        return null;
      }
      const raw = request.body;
      const params = parseTwilioForm(raw);
      const address = locate(params, request.query as Record<string, string | undefined>);
      const channel = address ? await resolveChannel(deps, 'twilio', address) : undefined;
      if (!channel) {
        request.log.info({ route: request.routeOptions.url }, 'twilio webhook: no channel for this number');
        await reply.status(404).type('text/plain; charset=utf-8').send('Numéro inconnu.');
        return null;
      }
      const token = channel.secrets.authToken;
      const signature = request.headers['x-twilio-signature'];
      const valid =
        !!token &&
        (!params.AccountSid || params.AccountSid === channel.config.accountSid) &&
        isValidTwilioRequest(token, typeof signature === 'string' ? signature : undefined, signedUrl(deps.config.publicUrl, request.url), params);
      if (!valid) {
        request.log.warn({ route: request.routeOptions.url, tenantId: channel.tenantId, channelId: channel.id, tokenSet: !!token }, 'twilio webhook: signature missing or invalid, refused');
        await reply.status(403).type('text/plain; charset=utf-8').send('Signature Twilio absente ou invalide.');
        return null;
      }
      return { channel, raw, params };
    }

    const xml = (reply: FastifyReply, body: string) => reply.status(200).type('text/xml; charset=utf-8').send(body);

    app.post('/sms', routeOptions, async (request, reply) => {
      const v = await verify(request, reply, byTo);
      if (!v) return reply;
      const outcome = await receiveSms(deps, v.channel, v.raw, v.params);
      request.log.info({ tenantId: v.channel.tenantId, journalId: outcome.journalId, action: outcome.action }, 'twilio sms');
      return xml(reply, outcome.twiml);
    });

    app.post('/voice', routeOptions, async (request, reply) => {
      const v = await verify(request, reply, byTo);
      if (!v) return reply;
      return xml(reply, await receiveCall(deps, v.channel, v.raw, v.params));
    });

    app.post('/voice/fin', routeOptions, async (request, reply) => {
      const v = await verify(request, reply, byNumero);
      if (!v) return reply;
      return xml(reply, recordedTwiml());
    });

    app.post('/recording', routeOptions, async (request, reply) => {
      const v = await verify(request, reply, byNumero);
      if (!v) return reply;
      const outcome = await receiveRecording(deps, v.channel, v.raw, v.params);
      request.log.info({ tenantId: v.channel.tenantId, outcome }, 'twilio recording');
      return xml(reply, EMPTY_MESSAGING);
    });

    app.post('/transcription', routeOptions, async (request, reply) => {
      const v = await verify(request, reply, byNumero);
      if (!v) return reply;
      const outcome = await receiveTranscription(deps, v.channel, v.raw, v.params);
      request.log.info({ tenantId: v.channel.tenantId, outcome }, 'twilio transcription');
      return xml(reply, EMPTY_MESSAGING);
    });

    app.post('/status', routeOptions, async (request, reply) => {
      const v = await verify(request, reply, byStatusSender);
      if (!v) return reply;
      const outcome = await receiveDeliveryStatus(deps, v.channel, v.params);
      request.log.info({ tenantId: v.channel.tenantId, outcome, status: v.params.MessageStatus }, 'twilio delivery status');
      return xml(reply, EMPTY_MESSAGING);
    });
  };
}
