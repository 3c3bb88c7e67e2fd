import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { listSignalDtos } from '../../../steering/signal-list.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody } from '../../schemas.ts';

const signalDto = z.object({
  id: z.string(),
  kind: z.enum(['volume', 'cluster']).describe('volume : hausse d’une cause ou d’un produit ; cluster : textes proches'),
  week: z.string().describe('Lundi de la semaine analysée'),
  key: z.string(),
  dimension: z.string().nullable(),
  value: z.string().nullable(),
  label: z.string(),
  count: z.number(),
  baselineMean: z.number().nullable(),
  baselineSd: z.number().nullable(),
  threshold: z.number().nullable(),
  trend: z.array(z.object({ week: z.string(), count: z.number() })),
  examples: z.array(z.object({ complaintId: z.string(), reference: z.string(), subject: z.string(), similarity: z.number().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
  actions: z.array(z.object({ id: z.string(), title: z.string(), status: z.string() })).describe('Actions ouvertes à partir de ce signal, la plus ancienne d’abord'),
});

export function signalRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/signals',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Causes récurrentes : hausses anormales par cause ou produit, groupes de réclamations aux textes proches, avec tendance et exemples',
          querystring: z.object({ weeks: z.coerce.number().int().min(1).max(104).optional().describe('Semaines analysées remontées (8 par défaut)') }),
          response: { 200: z.object({ items: z.array(signalDto) }), 403: errorBody },
        },
      },
      async (request) => ({ items: await listSignalDtos(deps, requireActor(request), request.query.weeks ?? 8) }),
    );
  };
}
