import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { exportComplaintPdf } from '../../../services/complaint-file.ts';
import { mergeComplaints, tickStep } from '../../../services/complaint-file-actions.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, uuid } from '../../schemas.ts';

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
    app.put(
      '/complaints/:complaintId/checklist/:stepKey',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Cocher ou décocher une étape du processus de la réclamation',
          params: z.object({ complaintId: uuid, stepKey: z.string().min(1).max(50) }),
          body: z.object({ done: z.boolean() }),
          response: { 200: z.object({ checklist: z.record(z.string(), z.object({ done: z.boolean(), by: z.string(), at: z.string() })) }), 404: errorBody },
        },
      },
      async (request) => ({ checklist: await tickStep(deps, requireActor(request), request.params.complaintId, request.params.stepKey, request.body.done) }),
    );
    app.post(
      '/complaints/:complaintId/merge',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Fusionner dans cette réclamation une autre réclamation du même client ouverte pour la même affaire',
          description: 'Les messages et pièces de l’autre réclamation rejoignent celle-ci ; la date d’envoi la plus ancienne fixe les délais ; l’autre est clôturée avec un renvoi vers celle-ci.',
          params: z.object({ complaintId: uuid }),
          body: z.object({ otherComplaintId: uuid }),
          response: { 204: z.null(), 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        await mergeComplaints(deps, requireActor(request), request.params.complaintId, request.body.otherComplaintId);
        return reply.code(204).send(null);
      },
    );
  };
}
