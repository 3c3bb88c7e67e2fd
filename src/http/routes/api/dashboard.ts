import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { LIST_METRICS } from '../../../db/repositories/steering.ts';
import { dashboard, dashboardList } from '../../../steering/dashboard.ts';
import { requireActor } from '../../plugins/auth.ts';
import { cause, channel, errorBody, isoDate, product, uuid } from '../../schemas.ts';

export const dashboardQuery = z.object({
  from: isoDate.optional().describe('Début de la période (AAAA-MM-JJ), élargi au lundi de sa semaine ; par défaut 26 semaines'),
  to: isoDate.optional().describe('Fin de la période (AAAA-MM-JJ), élargie au dimanche de sa semaine ; par défaut aujourd’hui'),
  channel: channel.optional(),
  cause: cause.optional(),
  product: product.optional(),
  process: uuid.optional().describe('Identifiant du processus'),
  agent: uuid.optional().describe('Identifiant de l’agent attributaire'),
});

const periodDto = z.object({ from: z.string(), to: z.string(), today: z.string(), weekEnd: z.string() });
const deadlineDto = z.object({
  met: z.number().describe('Dans le délai'),
  late: z.number().describe('Hors délai (faits en retard, et en retard non faits)'),
  lateStillOpen: z.number().describe('En retard, toujours à faire'),
  atRiskThisWeek: z.number().describe('À faire, échéance d’ici dimanche'),
  pending: z.number().describe('À faire, échéance plus lointaine'),
  complianceRate: z.number().nullable().describe('Part dans le délai, en %'),
});

const dashboardDto = z.object({
  period: periodDto,
  source: z.enum(['rollup', 'facts']),
  volumes: z.array(z.object({ week: z.string(), isoWeek: z.string(), reclamations: z.number(), demandes: z.number() })),
  deadlines: z.object({ acknowledgement: deadlineDto, answer: deadlineDto }),
  handling: z.object({ answered: z.number(), averageDays: z.number().nullable(), p90Days: z.number().nullable() }),
  backlog: z.object({
    total: z.number(),
    statuses: z.array(z.object({ status: z.string(), label: z.string() })),
    byProcess: z.array(z.object({ processId: z.string().nullable(), processName: z.string(), total: z.number(), byStatus: z.record(z.string(), z.number()) })),
  }),
  outcomes: z.object({ total: z.number(), items: z.array(z.object({ outcome: z.string(), label: z.string(), count: z.number() })) }),
  repeatComplainants: z.object({
    customers: z.number(),
    complaints: z.number(),
    top: z.array(z.object({ customerId: z.string(), name: z.string(), count: z.number() })),
  }),
  share: z.object({ reclamations: z.number(), demandes: z.number(), reclamationRate: z.number().nullable() }),
});

const listDto = z.object({
  metric: z.string(),
  period: periodDto,
  page: z.number(),
  pageSize: z.number(),
  total: z.number(),
  items: z.array(
    z.object({
      id: z.string(),
      reference: z.string(),
      subject: z.string(),
      customerId: z.string(),
      customerName: z.string(),
      kind: z.string(),
      status: z.string(),
      cause: z.string().nullable(),
      product: z.string().nullable(),
      receivedOn: z.string(),
      ackDueOn: z.string(),
      answerDueOn: z.string(),
      ackOn: z.string().nullable(),
      answerOn: z.string().nullable(),
      assigneeId: z.string().nullable(),
    }),
  ),
});

export function dashboardRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/dashboard',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Tableau de bord : volumes par semaine, respect des délais, durée de traitement, stock, issues, réclamants récurrents',
          description:
            'Semaines ISO de réception (lundi → dimanche), réclamations seulement sauf les volumes et la part demandes/réclamations. ' +
            'Lu dans des agrégats tenus à jour par la base ; avec plusieurs filtres, dans la table de faits.',
          querystring: dashboardQuery,
          response: { 200: dashboardDto, 400: errorBody, 403: errorBody },
        },
      },
      async (request) => dashboard(deps, requireActor(request), request.query),
    );

    app.get(
      '/dashboard/lists/:metric',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Les réclamations derrière un chiffre du tableau de bord (paginé)',
          params: z.object({ metric: z.enum(LIST_METRICS) }),
          querystring: dashboardQuery.extend({
            page: z.coerce.number().int().min(1).optional(),
            pageSize: z.coerce.number().int().min(1).max(200).optional(),
          }),
          response: { 200: listDto, 400: errorBody, 403: errorBody },
        },
      },
      async (request) => dashboardList(deps, requireActor(request), request.params.metric, request.query),
    );
  };
}
