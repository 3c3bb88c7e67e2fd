import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { activateModel, modelVersions } from '../../../classify/tenant-models.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody } from '../../schemas.ts';

export function modelRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/models',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['qualification'],
          summary: 'Le modèle de qualification livré et les versions entraînées sur les corrections du cabinet',
          response: {
            200: z.object({
              base: z.string(),
              items: z.array(z.object({ version: z.number(), modelVersion: z.string(), baseVersion: z.string(), labels: z.number(), active: z.boolean(), createdAt: z.string() })),
            }),
          },
        },
      },
      async (request) => modelVersions(deps, requireActor(request).tenantId),
    );

    app.post(
      '/models/retrain',
      {
        config: { auth: 'manager' },
        schema: { tags: ['qualification'], summary: 'Entraîner une nouvelle version à partir des corrections (en arrière-plan)', response: { 202: z.object({ status: z.literal('queued') }) } },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await deps.queue.add('retrain', { tenantId: actor.tenantId, requestedBy: actor.userId }, { jobId: `retrain-${actor.tenantId}` });
        return reply.status(202).send({ status: 'queued' as const });
      },
    );

    app.post(
      '/models/activate',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['qualification'],
          summary: 'Activer une version (retour arrière), ou null pour revenir au modèle livré',
          body: z.object({ version: z.number().int().positive().nullable() }),
          response: { 204: z.null(), 404: errorBody },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        await activateModel(deps, actor.tenantId, request.body.version, actor.userId);
        return reply.status(204).send(null);
      },
    );
  };
}
