/**
 * Outbound SMS through the official twilio SDK: from the tenant's number or its messaging service, with a
 * status callback to /webhooks/twilio/status. A recipient who texted STOP is refused again here (the
 * queue checked it too, but STOP may arrive between queueing and sending).
 */
import twilio from 'twilio';
import type { Config } from '../../src/config.ts';
import { isOptedOut, setOptOut } from '../../src/db/repositories/channels.ts';
import { normalizePhone } from '../../src/domain/identity.ts';
import { smsSegments } from '../../src/domain/sms.ts';
import { PermanentDeliveryError, type OutboundSender } from '../../src/notify/dispatch.ts';
import { tenantChannel, type OpenChannel } from '../../src/services/channels.ts';

/**
 * A REST client for one Twilio account. `TWILIO_API_BASE_URL` (tests: a local fake) replaces the API's
 * base URL; production uses the SDK untouched.
 */
export function twilioClient(config: Pick<Config, 'twilioApiBaseUrl'>, channel: OpenChannel<'twilio'>): twilio.Twilio {
  const token = channel.secrets.authToken;
  if (!token) throw new PermanentDeliveryError('Le numéro Twilio n’a pas de jeton d’authentification (auth token) : complétez le canal.');
  const client = twilio(channel.config.accountSid, token, { timeout: 15_000 });
  if (config.twilioApiBaseUrl) client.api.baseUrl = config.twilioApiBaseUrl;
  return client;
}

/**
 * The callback URL Twilio posts delivery statuses to. It names our number: with a messaging service the
 * callback's `From` may be another number of the pool, and the webhook must find the channel whose token
 * signed it.
 */
export function statusCallbackUrl(config: Pick<Config, 'publicUrl'>, channel: Pick<OpenChannel<'twilio'>, 'address'>): string {
  return `${config.publicUrl}/webhooks/twilio/status?numero=${encodeURIComponent(channel.address)}`;
}

/** Twilio's error for a recipient who replied STOP. */
const UNSUBSCRIBED = 21610;

interface TwilioError {
  status?: number;
  code?: number;
  message?: string;
}

export const sendSms: OutboundSender = async ({ deps, message }) => {
  const to = message.recipient ? normalizePhone(message.recipient) : null;
  if (!to) throw new PermanentDeliveryError(`Numéro de destinataire invalide : ${message.recipient ?? '(aucun)'}.`);
  if (await isOptedOut(deps.db, message.tenant_id, 'sms', to)) {
    throw new PermanentDeliveryError('Le destinataire a demandé à ne plus recevoir de SMS (STOP).');
  }
  const channel = await tenantChannel(deps, message.tenant_id, 'twilio');
  if (!channel) throw new PermanentDeliveryError('Aucun numéro Twilio actif pour ce cabinet.');
  const client = twilioClient(deps.config, channel);
  const sender = channel.config.messagingServiceSid ? { messagingServiceSid: channel.config.messagingServiceSid } : { from: channel.address };
  try {
    const sent = await client.messages.create({ to, body: message.body_text, statusCallback: statusCallbackUrl(deps.config, channel), ...sender });
    const segments = smsSegments(message.body_text);
    return { providerId: sent.sid, meta: { twilioStatus: sent.status, segments: segments.segments, encoding: segments.encoding } };
  } catch (err) {
    const e = err as TwilioError;
    // Twilio refused this message (21610 unsubscribed, 21211 invalid number, 21408 region not enabled…):
    // sending it again cannot help. 429 (too many requests), 5xx and network errors are retried.
    if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && e.status !== 429) {
      // Twilio knows the recipient unsubscribed (STOP sent before the number was ours, say): we record it too.
      if (e.code === UNSUBSCRIBED) await setOptOut(deps.db, message.tenant_id, 'sms', to, true, deps.clock.now());
      throw new PermanentDeliveryError(`Twilio a refusé le SMS${e.code ? ` (erreur ${e.code})` : ''} : ${e.message ?? `HTTP ${e.status}`}`.slice(0, 1000));
    }
    throw err;
  }
};
