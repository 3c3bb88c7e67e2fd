import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { listUsers } from '../../../db/repositories/users.ts';
import { inviteUser, setUserActive, teamsSchema, updateUserAccess } from '../../../services/accounts.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, role, userDto, uuid } from '../../schemas.ts';
import { userToDto } from './auth.ts';

const userParams = z.object({ userId: uuid });

export function userRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/users',
      {
        config: { auth: 'agent' },
        schema: { tags: ['users'], summary: 'Les utilisateurs du cabinet', response: { 200: z.object({ items: z.array(userDto) }) } },
      },
      async (request) => {
        const actor = requireActor(request);
        return { items: (await listUsers(deps.db, actor.tenantId)).map(userToDto) };
      },
    );

    app.post(
      '/users',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          summary: 'Inviter un utilisateur (lien d’invitation valable 7 jours)',
          body: z.object({
            email: z.string().trim().max(320),
            name: z.string().trim().min(2, 'Indiquez le nom.').max(200),
            role,
          }),
          response: { 201: z.object({ user: userDto, invitationUrl: z.string() }), 400: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        const { user, invitationUrl } = await inviteUser(deps, requireActor(request), request.body);
        return reply.status(201).send({ user: userToDto(user), invitationUrl });
      },
    );

    app.patch(
      '/users/:userId',
      {
        config: { auth: 'admin' },
        schema: {
          tags: ['users'],
          summary: 'Changer le rôle ou les équipes d’un utilisateur',
          description:
            '`teams` remplace la liste des équipes de l’utilisateur (20 au plus, noms de 100 caractères au plus, espaces ' +
            'de début et de fin retirés, doublons ôtés sans tenir compte de la casse). Un nom qu’un processus porte déjà ' +
            '(`team` d’un processus) est écrit comme le processus l’écrit. Les équipes servent la vue « Mon équipe » ' +
            '(`GET /api/complaints?myTeams=true`). Réservé aux administrateurs.',
          params: userParams,
          body: z
            .object({ role: role.optional(), teams: teamsSchema.optional() })
            .refine((b) => b.role !== undefined || b.teams !== undefined, { message: 'Indiquez le rôle ou les équipes à modifier.' }),
          response: { 200: userDto, 400: errorBody, 404: errorBody, 422: errorBody },
        },
      },
      async (request) => userToDto(await updateUserAccess(deps, requireActor(request), request.params.userId, request.body)),
    );

    for (const [action, active] of [
      ['deactivate', false],
      ['reactivate', true],
    ] as const) {
      app.post(
        `/users/:userId/${action}`,
        {
          config: { auth: 'admin' },
          schema: {
            tags: ['users'],
            summary: active ? 'Réactiver un utilisateur' : 'Désactiver un utilisateur (ses sessions sont fermées)',
            params: userParams,
            response: { 200: userDto, 404: errorBody, 422: errorBody },
          },
        },
        async (request) => userToDto(await setUserActive(deps, requireActor(request), request.params.userId, active)),
      );
    }
  };
}
