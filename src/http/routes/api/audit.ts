import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { auditView } from '../../../steering/audit.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, isoDate, uuid } from '../../schemas.ts';

const itemDto = z.object({
  id: z.number(),
  type: z.string(),
  label: z.string().describe('Libellé en français'),
  at: z.string(),
  actorKind: z.string(),
  actorUserId: z.string().nullable(),
  actorName: z.string(),
  complaintId: z.string().nullable(),
  reference: z.string().nullable(),
  customerId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export function auditRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/audit',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Piste d’audit : chaque modification et chaque consultation (qui, quand, quoi), la plus récente d’abord',
          querystring: z.object({
            from: isoDate.optional().describe('À partir du (heure de Paris)'),
            to: isoDate.optional().describe('Jusqu’au (inclus)'),
            actor: uuid.optional().describe('Utilisateur auteur'),
            type: z.string().max(100).regex(/^[a-z_.]+$/, 'Type d’événement invalide.').optional().describe('Type exact (complaint.viewed) ou famille terminée par un point (action.)'),
            complaint: uuid.optional().describe('Réclamation concernée'),
            cursor: z.string().max(20).optional(),
            limit: z.coerce.number().int().min(1).max(200).optional(),
          }),
          response: { 200: z.object({ items: z.array(itemDto), nextCursor: z.string().nullable() }), 400: errorBody, 403: errorBody },
        },
      },
      async (request) => auditView(deps, requireActor(request), request.query),
    );
  };
}
