import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { findCustomers, getCustomerFile } from '../../../services/customer-directory.ts';
import { requireActor } from '../../plugins/auth.ts';
import { complaintListItem, errorBody, uuid } from '../../schemas.ts';

const identityDto = z.object({ kind: z.enum(['email', 'phone', 'slack', 'contract']), value: z.string() });

export function customerRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/customers',
      {
        schema: {
          tags: ['customers'],
          summary: 'Rechercher un client : nom approché (tolère les fautes), email, téléphone ou n° de contrat',
          querystring: z.object({
            q: z.string().trim().min(2, 'Tapez au moins 2 caractères.').max(200),
            limit: z.coerce.number().int().min(1).max(50).optional(),
          }),
          response: {
            200: z.object({
              items: z.array(z.object({ id: z.string(), displayName: z.string(), complainantType: z.string(), score: z.number() })),
            }),
          },
        },
      },
      async (request) => findCustomers(deps, requireActor(request), request.query.q, request.query.limit),
    );

    app.get(
      '/customers/:customerId',
      {
        schema: {
          tags: ['customers'],
          summary: 'La fiche client : identités, réclamations sur tous les canaux, historique des fusions',
          params: z.object({ customerId: uuid }),
          response: {
            200: z.object({
              id: z.string(),
              displayName: z.string(),
              complainantType: z.string(),
              createdAt: z.string(),
              identities: z.array(identityDto),
              complaints: z.array(complaintListItem),
              complaintsTotal: z.number(),
              merges: z.array(
                z.object({
                  id: z.string(),
                  keptCustomerId: z.string(),
                  keptName: z.string().nullable(),
                  mergedCustomerId: z.string(),
                  mergedName: z.string().nullable(),
                  by: z.string().nullable(),
                  at: z.string(),
                  undoneAt: z.string().nullable(),
                }),
              ),
            }),
            404: errorBody,
          },
        },
      },
      async (request) => getCustomerFile(deps, requireActor(request), request.params.customerId),
    );
  };
}
