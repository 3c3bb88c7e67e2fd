import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import type { Process } from '../../../db/types.ts';
import { listProcesses } from '../../../db/repositories/processes.ts';
import { assignmentOf, assignmentSchema } from '../../../routing/assignment.ts';
import { escalationOf, escalationSchema } from '../../../routing/escalation.ts';
import { acknowledgementModeOf, processPatchSchema, templatesOf, updateProcessSettings } from '../../../services/processes.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, uuid } from '../../schemas.ts';

const processDto = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  kind: z.enum(['reclamation', 'demande']),
  cause: z.string().nullable(),
  team: z.string().nullable(),
  internalTargetDays: z.number(),
  steps: z.array(z.object({ key: z.string(), label: z.string() })),
  active: z.boolean(),
  assignment: assignmentSchema,
  escalation: escalationSchema,
  acknowledgement: z.enum(['auto', 'approval']),
  templates: z.object({ acknowledgement: z.string(), holding: z.string(), answer: z.string() }),
});

function processToDto(p: Process): z.infer<typeof processDto> {
  return {
    id: p.id,
    key: p.key,
    name: p.name,
    kind: p.kind,
    cause: p.cause,
    team: p.team,
    internalTargetDays: p.internal_target_days,
    steps: p.steps,
    active: p.active,
    assignment: assignmentOf(p.settings),
    escalation: escalationOf(p.settings),
    acknowledgement: acknowledgementModeOf(p.settings),
    templates: templatesOf(p.settings),
  };
}

export function processRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/processes',
      { schema: { tags: ['processes'], summary: 'Les processus par type de réclamation', response: { 200: z.object({ items: z.array(processDto) }) } } },
      async (request) => {
        const actor = requireActor(request);
        const rows = await listProcesses(deps.db, actor.tenantId);
        return { items: rows.map(processToDto) };
      },
    );

    app.patch(
      '/processes/:processId',
      {
        config: { auth: 'manager' },
        schema: {
          tags: ['processes'],
          summary: 'Adapter un processus : équipe, délai interne, étapes, attribution (agent fixe ou tour de rôle)',
          params: z.object({ processId: uuid }),
          body: processPatchSchema.refine((v) => Object.keys(v).length > 0, { message: 'Aucun champ à modifier.' }),
          response: { 200: processDto, 400: errorBody, 404: errorBody },
        },
      },
      async (request) => processToDto(await updateProcessSettings(deps, requireActor(request), request.params.processId, request.body)),
    );
  };
}
