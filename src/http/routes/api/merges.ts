import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { acceptSuggestion, mergeCustomers, pendingSuggestions, rejectSuggestion, undoMerge } from '../../../services/merges.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, uuid } from '../../schemas.ts';

const mergeResult = z.object({ mergeId: z.string(), keptCustomerId: z.string(), mergedCustomerId: z.string() });

export function mergeRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/merge-suggestions',
      {
        schema: {
          tags: ['customers'],
          summary: 'Suggestions de fusion de clients en attente (jamais de fusion silencieuse)',
          response: {
            200: z.object({
              items: z.array(
                z.object({
                  id: z.string(),
                  customerId: z.string(),
                  customerName: z.string(),
                  otherCustomerId: z.string(),
                  otherCustomerName: z.string(),
                  reason: z.string(),
                  evidence: z.record(z.string(), z.unknown()),
                  complaintId: z.string().nullable(),
                  messageId: z.string().nullable(),
                  createdAt: z.string(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => pendingSuggestions(deps, requireActor(request)),
    );

    app.post(
      '/merge-suggestions/:suggestionId/accept',
      {
        schema: {
          tags: ['customers'],
          summary: 'Accepter : le second client est fusionné dans le premier (annulable)',
          params: z.object({ suggestionId: uuid }),
          response: { 200: mergeResult, 404: errorBody, 422: errorBody },
        },
      },
      async (request) => acceptSuggestion(deps, requireActor(request), request.params.suggestionId),
    );

    app.post(
      '/merge-suggestions/:suggestionId/reject',
      {
        schema: {
          tags: ['customers'],
          summary: 'Refuser : ce ne sont pas les mêmes personnes',
          params: z.object({ suggestionId: uuid }),
          response: { 204: z.null(), 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        await rejectSuggestion(deps, requireActor(request), request.params.suggestionId);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/customers/:customerId/merge',
      {
        schema: {
          tags: ['customers'],
          summary: 'Fusionner un autre client dans celui-ci (annulable)',
          params: z.object({ customerId: uuid }),
          body: z.object({ otherCustomerId: uuid }),
          response: { 200: mergeResult, 404: errorBody, 422: errorBody },
        },
      },
      async (request) => mergeCustomers(deps, requireActor(request), request.params.customerId, request.body.otherCustomerId),
    );

    app.post(
      '/customer-merges/:mergeId/undo',
      {
        schema: {
          tags: ['customers'],
          summary: 'Annuler une fusion : tout revient exactement où c’était',
          params: z.object({ mergeId: uuid }),
          response: { 204: z.null(), 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        await undoMerge(deps, requireActor(request), request.params.mergeId);
        return reply.status(204).send(null);
      },
    );
  };
}
