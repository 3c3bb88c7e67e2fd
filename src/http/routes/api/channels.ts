import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../../deps.ts';
import { channelDtoSchema, channelInputSchema, createChannel, getChannelDto, listChannelDtos, removeChannel, replaceChannel } from '../../../services/channels.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody } from '../../schemas.ts';

const params = z.object({ channelId: z.uuid() });

export function channelRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/channels',
      { config: { auth: 'admin' }, schema: { tags: ['channels'], summary: 'Canaux connectés (boîtes mail, numéros Twilio, espaces Slack) et leur santé', response: { 200: z.object({ items: z.array(channelDtoSchema) }) } } },
      async (request) => ({ items: await listChannelDtos(deps, requireActor(request)) }),
    );
    app.get(
      '/channels/:channelId',
      { config: { auth: 'admin' }, schema: { tags: ['channels'], summary: 'Un canal (identifiants jamais renvoyés)', params, response: { 200: channelDtoSchema, 404: errorBody } } },
      async (request) => getChannelDto(deps, requireActor(request), request.params.channelId),
    );
    app.post(
      '/channels',
      { config: { auth: 'admin' }, schema: { tags: ['channels'], summary: 'Connecter un canal', body: channelInputSchema, response: { 201: channelDtoSchema, 400: errorBody, 409: errorBody } } },
      async (request, reply) => reply.code(201).send(await createChannel(deps, requireActor(request), request.body)),
    );
    app.put(
      '/channels/:channelId',
      { config: { auth: 'admin' }, schema: { tags: ['channels'], summary: 'Modifier un canal (les identifiants omis sont conservés)', params, body: channelInputSchema, response: { 200: channelDtoSchema, 400: errorBody, 404: errorBody, 409: errorBody } } },
      async (request) => replaceChannel(deps, requireActor(request), request.params.channelId, request.body),
    );
    app.delete(
      '/channels/:channelId',
      { config: { auth: 'admin' }, schema: { tags: ['channels'], summary: 'Déconnecter un canal', params, response: { 204: z.null(), 404: errorBody } } },
      async (request, reply) => {
        await removeChannel(deps, requireActor(request), request.params.channelId);
        return reply.code(204).send(null);
      },
    );
  };
}
