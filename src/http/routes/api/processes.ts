import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { listProcesses } from '../../../db/repositories/processes.ts';
import { requireActor } from '../../plugins/auth.ts';

const processDto = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  kind: z.enum(['reclamation', 'demande']),
  cause: z.string().nullable(),
  team: z.string().nullable(),
  internalTargetDays: z.number(),
  steps: z.array(z.object({ key: z.string(), label: z.string() })),
  active: z.boolean(),
});

export function processRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/processes',
      { schema: { tags: ['processes'], summary: 'Les processus par type de réclamation', response: { 200: z.object({ items: z.array(processDto) }) } } },
      async (request) => {
        const actor = requireActor(request);
        const rows = await listProcesses(deps.db, actor.tenantId);
        return {
          items: rows.map((p) => ({
            id: p.id,
            key: p.key,
            name: p.name,
            kind: p.kind,
            cause: p.cause,
            team: p.team,
            internalTargetDays: p.internal_target_days,
            steps: p.steps,
            active: p.active,
          })),
        };
      },
    );
  };
}
