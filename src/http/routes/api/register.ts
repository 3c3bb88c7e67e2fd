import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { registerCsv, registerPage, registerPdf } from '../../../steering/register.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, isoDate } from '../../schemas.ts';

const period = z.object({
  from: isoDate.optional().describe('Reçues à partir du (AAAA-MM-JJ, heure de Paris) ; par défaut le 1er janvier'),
  to: isoDate.optional().describe('Reçues jusqu’au (inclus) ; par défaut aujourd’hui'),
});

const entryDto = z.object({
  id: z.string(),
  reference: z.string(),
  complainant: z.object({ customerId: z.string(), name: z.string(), type: z.string(), typeLabel: z.string(), emails: z.array(z.string()), phones: z.array(z.string()) }),
  sentOn: z.string().describe('Date d’envoi par le réclamant'),
  sentOnIsReceipt: z.boolean().describe('Date d’envoi inconnue : date de réception retenue'),
  receivedAt: z.string(),
  receivedOn: z.string(),
  channel: z.string(),
  channelLabel: z.string(),
  nature: z.string(),
  cause: z.string().nullable(),
  causeLabel: z.string().nullable(),
  product: z.string().nullable(),
  productLabel: z.string().nullable(),
  contractNumber: z.string().nullable().describe('Contrat ou opération concerné'),
  status: z.string(),
  statusLabel: z.string(),
  acknowledgedOn: z.string().nullable(),
  answeredOn: z.string().nullable().describe('Date de traitement (réponse envoyée)'),
  outcome: z.string().nullable().describe('Réponse apportée'),
  outcomeLabel: z.string().nullable(),
  closedOn: z.string().nullable(),
  correctiveMeasures: z.array(z.object({ actionId: z.string(), title: z.string(), status: z.string(), completedOn: z.string().nullable() })),
});

export function registerRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/register',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Registre des réclamations (art. L.612-2) : une ligne par réclamation reçue sur la période, paginé',
          description: 'Réclamations seulement (pas les demandes), dans l’ordre de réception.',
          querystring: period.extend({
            page: z.coerce.number().int().min(1).optional(),
            pageSize: z.coerce.number().int().min(1).max(500).optional(),
          }),
          response: {
            200: z.object({ period: z.object({ from: z.string(), to: z.string() }), page: z.number(), pageSize: z.number(), total: z.number(), items: z.array(entryDto) }),
            400: errorBody,
            403: errorBody,
          },
        },
      },
      async (request) => registerPage(deps, requireActor(request), request.query),
    );

    app.get(
      '/register.csv',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Export du registre en CSV pour Excel (UTF-8 avec BOM, séparateur point-virgule), tracé dans l’historique',
          querystring: period,
          produces: ['text/csv'],
        },
      },
      async (request, reply) => {
        const { filename, csv } = await registerCsv(deps, requireActor(request), request.query);
        return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'private, no-store').send(csv);
      },
    );

    app.get(
      '/register.pdf',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Export du registre en PDF paginé (en-tête du cabinet, totaux), pour un contrôle ; tracé dans l’historique',
          querystring: period,
          produces: ['application/pdf'],
        },
      },
      async (request, reply) => {
        const { filename, pdf } = await registerPdf(deps, requireActor(request), request.query);
        return reply.header('content-type', 'application/pdf').header('content-disposition', `attachment; filename="${filename}"`).header('cache-control', 'private, no-store').send(pdf);
      },
    );
  };
}
