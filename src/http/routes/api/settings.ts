import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Deps } from '../../../deps.ts';
import { readSettings, settingsPatchSchema, settingsSchema, updateSettings } from '../../../services/settings.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody } from '../../schemas.ts';

export function settingsRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/settings',
      {
        config: { auth: 'manager' },
        schema: { tags: ['settings'], summary: 'Réglages du cabinet : zone de jours fériés, doublons multicanal, seuil de tri', response: { 200: settingsSchema } },
      },
      async (request) => readSettings(deps, requireActor(request).tenantId),
    );
    app.patch(
      '/settings',
      {
        config: { auth: 'admin' },
        schema: { tags: ['settings'], summary: 'Modifier les réglages du cabinet', body: settingsPatchSchema, response: { 200: settingsSchema, 400: errorBody } },
      },
      async (request) => updateSettings(deps, requireActor(request), request.body),
    );
  };
}
