import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { exportComplaintPdf } from '../../../services/complaint-file.ts';
import { requireActor } from '../../plugins/auth.ts';
import { uuid } from '../../schemas.ts';

export function complaintFileRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/complaints/:complaintId/export.pdf',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Le dossier complet en PDF (identité, délais, échanges sur tous les canaux, historique) pour le médiateur ou un contrôle',
          params: z.object({ complaintId: uuid }),
          produces: ['application/pdf'],
        },
      },
      async (request, reply) => {
        const { filename, pdf } = await exportComplaintPdf(deps, requireActor(request), request.params.complaintId);
        return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'private, no-store').send(pdf);
      },
    );
  };
}
