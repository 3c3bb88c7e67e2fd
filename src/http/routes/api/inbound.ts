import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { INBOUND_CHANNELS } from '../../../intake/contract.ts';
import { inboundOutcome, quarantineList, replayInbound } from '../../../intake/journal.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, uuid } from '../../schemas.ts';

export function inboundRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    // Public contract (DESIGN.md): what became of one payload, by its provider id.
    app.get(
      '/inbound',
      {
        schema: {
          tags: ['inbound'],
          summary: 'Ce qu’est devenu un message reçu, par son identifiant chez le fournisseur (Message-ID, MessageSid, CallSid, event id Slack, clé du formulaire)',
          querystring: z.object({ channel: z.enum(INBOUND_CHANNELS), externalId: z.string().min(1).max(998) }),
          response: {
            200: z.object({
              status: z.enum(['pending', 'processed', 'duplicate', 'quarantined', 'ignored']),
              reason: z.string().nullable(),
              messageId: z.string().nullable(),
              complaintId: z.string().nullable(),
              reference: z.string().nullable(),
              customerId: z.string().nullable(),
            }),
            404: errorBody,
          },
        },
      },
      async (request) => inboundOutcome(deps, requireActor(request).tenantId, request.query.channel, request.query.externalId),
    );

    app.get(
      '/inbound/quarantine',
      {
        schema: {
          tags: ['inbound'],
          summary: 'Les messages reçus mis en quarantaine, avec leur motif',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).optional(), cursor: z.string().max(200).optional() }),
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  channel: z.string(),
                  externalId: z.string(),
                  contentType: z.string(),
                  reason: z.string().nullable(),
                  attempts: z.number(),
                  receivedAt: z.string(),
                }),
              ),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
      async (request) => quarantineList(deps, requireActor(request).tenantId, request.query.limit ?? 25, request.query.cursor),
    );

    app.post(
      '/inbound/:journalId/replay',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['inbound'],
          summary: 'Rejouer un message en quarantaine (après correction)',
          params: z.object({ journalId: uuid }),
          response: { 202: z.object({ status: z.literal('pending') }), 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        await replayInbound(deps, requireActor(request).tenantId, request.params.journalId);
        return reply.status(202).send({ status: 'pending' as const });
      },
    );
  };
}
