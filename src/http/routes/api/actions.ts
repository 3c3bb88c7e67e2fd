import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { ACTION_STATUSES, ACTION_TYPES, createAction, getActionDetail, listActionDtos, updateActionFields } from '../../../steering/actions.ts';
import { requireActor } from '../../plugins/auth.ts';
import { booleanQuery, cause, errorBody, isoDate, product, uuid } from '../../schemas.ts';

const status = z.enum(ACTION_STATUSES);
const type = z.enum(ACTION_TYPES);

const actionDto = z.object({
  id: z.string(),
  title: z.string(),
  type,
  rootCause: z.string(),
  cause: z.string().nullable(),
  product: z.string().nullable(),
  signalId: z.string().nullable(),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  dueOn: z.string().nullable(),
  status,
  completedOn: z.string().nullable(),
  overdue: z.boolean().describe('Ouverte ou en cours, échéance dépassée'),
  complaintCount: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const windowDto = z.object({
  from: z.string(),
  to: z.string(),
  complaints: z.number(),
  allComplaints: z.number(),
  perWeek: z.number().nullable(),
  share: z.number().nullable(),
});

const detailDto = actionDto.extend({
  complaints: z.array(z.object({ id: z.string(), reference: z.string(), subject: z.string(), status: z.string(), cause: z.string().nullable() })),
  effectiveness: z
    .object({
      weeks: z.number(),
      basis: z.object({ cause: z.string().nullable(), product: z.string().nullable() }),
      before: windowDto,
      after: windowDto.extend({ weeksElapsed: z.number() }),
      change: z.number().nullable().describe('Variation relative du rythme hebdomadaire (−0,5 = divisé par deux)'),
      complete: z.boolean(),
    })
    .nullable()
    .describe('Efficacité : réclamations de la cause par semaine (et leur part) avant et après l’achèvement ; null tant que l’action n’est pas terminée'),
});

const createBody = z.object({
  title: z.string().trim().max(200).optional(),
  type: type.optional(),
  rootCause: z.string().trim().max(2000).optional().describe('Cause racine identifiée'),
  cause: cause.nullable().optional(),
  product: product.nullable().optional(),
  ownerId: uuid.nullable().optional().describe('Responsable (utilisateur du cabinet)'),
  dueOn: isoDate.nullable().optional(),
  signalId: uuid.optional().describe('Signal à l’origine de l’action (sa cause, ses exemples)'),
  complaintIds: z.array(uuid).max(500).optional().describe('Réclamations concernées'),
});

const patchBody = z.object({
  title: z.string().trim().max(200).optional(),
  type: type.optional(),
  rootCause: z.string().trim().max(2000).optional(),
  cause: cause.nullable().optional(),
  product: product.nullable().optional(),
  ownerId: uuid.nullable().optional(),
  dueOn: isoDate.nullable().optional(),
  status: status.optional(),
  completedOn: isoDate.optional().describe('Date d’achèvement si ce n’est pas aujourd’hui'),
  addComplaintIds: z.array(uuid).max(500).optional(),
  removeComplaintIds: z.array(uuid).max(500).optional(),
});

export function actionRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/actions',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Actions correctives et préventives (échéance la plus proche d’abord, retards signalés)',
          querystring: z.object({
            status: z.union([status, z.array(status)]).optional(),
            overdue: booleanQuery.optional(),
            owner: uuid.optional(),
            page: z.coerce.number().int().min(1).optional(),
            pageSize: z.coerce.number().int().min(1).max(200).optional(),
          }),
          response: { 200: z.object({ page: z.number(), pageSize: z.number(), total: z.number(), items: z.array(actionDto) }), 403: errorBody },
        },
      },
      async (request) => {
        const q = request.query;
        return listActionDtos(deps, requireActor(request), {
          status: q.status === undefined ? undefined : Array.isArray(q.status) ? q.status : [q.status],
          overdue: q.overdue,
          ownerId: q.owner,
          page: q.page,
          pageSize: q.pageSize,
        });
      },
    );

    app.post(
      '/actions',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Créer une action corrective ou préventive, depuis un signal ou des réclamations choisies',
          body: createBody,
          response: { 201: detailDto, 400: errorBody, 403: errorBody, 404: errorBody },
        },
      },
      async (request, reply) => reply.status(201).send(await createAction(deps, requireActor(request), request.body)),
    );

    app.get(
      '/actions/:actionId',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Une action : réclamations liées et efficacité (avant / après son achèvement)',
          params: z.object({ actionId: uuid }),
          querystring: z.object({ weeks: z.coerce.number().int().min(1).max(52).optional().describe('Semaines comparées de part et d’autre (8 par défaut)') }),
          response: { 200: detailDto, 404: errorBody },
        },
      },
      async (request) => getActionDetail(deps, requireActor(request), request.params.actionId, request.query.weeks ?? 8),
    );

    app.patch(
      '/actions/:actionId',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['pilotage'],
          summary: 'Modifier une action (statut, responsable, échéance, réclamations liées) ; terminée : date d’achèvement',
          params: z.object({ actionId: uuid }),
          body: patchBody,
          response: { 200: detailDto, 400: errorBody, 404: errorBody },
        },
      },
      async (request) => updateActionFields(deps, requireActor(request), request.params.actionId, request.body),
    );
  };
}
