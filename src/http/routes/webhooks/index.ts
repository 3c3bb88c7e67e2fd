import type { FastifyPluginAsync } from 'fastify';
import type { Deps } from '../../../deps.ts';
import { twilioWebhookRoutes } from './twilio.ts';
import { slackWebhookRoutes } from './slack.ts';

/**
 * Provider webhooks under /webhooks/<channel>: public (config.auth 'public', no CSRF), each verifies the
 * provider's signature over the raw request, journals the payload, and answers fast. One plugin per
 * provider, registered here.
 */
export function webhookRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    await app.register(twilioWebhookRoutes(deps), { prefix: '/twilio' });
    await app.register(slackWebhookRoutes(deps), { prefix: '/slack' });
    void deps;
    void app;
  };
}
