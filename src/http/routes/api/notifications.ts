import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { listUserNotifications, markNotificationRead } from '../../../db/repositories/notifications.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, uuid } from '../../schemas.ts';

export function notificationRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/notifications',
      {
        schema: {
          tags: ['notifications'],
          summary: 'Mes alertes : priorité haute, délais proches ou dépassés (non lues d’abord)',
          querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional() }),
          response: {
            200: z.object({
              items: z.array(z.object({ id: z.string(), complaintId: z.string(), kind: z.string(), message: z.string(), createdAt: z.string(), readAt: z.string().nullable() })),
            }),
          },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const rows = await listUserNotifications(deps.db, actor.tenantId, actor.userId, request.query.limit ?? 50);
        return {
          items: rows.map((n) => ({ id: n.id, complaintId: n.complaint_id, kind: n.kind, message: n.message, createdAt: n.created_at.toISOString(), readAt: n.read_at?.toISOString() ?? null })),
        };
      },
    );

    app.post(
      '/notifications/:notificationId/read',
      {
        schema: { tags: ['notifications'], summary: 'Marquer une alerte comme lue', params: z.object({ notificationId: uuid }), response: { 204: z.null(), 404: errorBody } },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        if (!(await markNotificationRead(deps.db, actor.tenantId, actor.userId, request.params.notificationId, deps.clock.now()))) {
          throw new NotFoundError('Alerte introuvable.');
        }
        return reply.status(204).send(null);
      },
    );
  };
}
