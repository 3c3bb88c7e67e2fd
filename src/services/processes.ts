import type { Deps } from '../deps.ts';
import type { Process, ProcessStep } from '../db/types.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { lockProcess, updateProcess } from '../db/repositories/processes.ts';
import { listUsers } from '../db/repositories/users.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { z } from 'zod';
import { assignmentSchema, type Assignment } from '../routing/assignment.ts';
import { escalationOf, escalationSchema, type Escalation } from '../routing/escalation.ts';
import { DEFAULT_TEMPLATES, TEMPLATE_KINDS, unknownVariables, type TemplateKind } from '../domain/templates.ts';
import { requireRole, type Actor } from './actor.ts';

/** What a manager may change on a process: the settings API and `guichet tenant apply` share it. */
export const processPatchSchema = z.object({
  name: z.string().trim().min(2).max(200).optional(),
  team: z.string().trim().max(100).nullable().optional(),
  internalTargetDays: z.number().int().min(1).max(60).optional(),
  steps: z.array(z.object({ key: z.string().min(1).max(50), label: z.string().min(1).max(200) })).max(30).optional(),
  active: z.boolean().optional(),
  assignment: assignmentSchema.optional(),
  escalation: escalationSchema.partial().optional(),
  /** `auto`: the acknowledgement leaves as soon as the complaint is qualified; `approval`: an agent sends it. */
  acknowledgement: z.enum(['auto', 'approval']).optional(),
  templates: z
    .object(Object.fromEntries(TEMPLATE_KINDS.map((k) => [k, z.string().min(10).max(10_000).optional()])) as Record<TemplateKind, z.ZodOptional<z.ZodString>>)
    .superRefine((t, ctx) => {
      for (const [kind, text] of Object.entries(t)) {
        const bad = text ? unknownVariables(text) : [];
        if (bad.length > 0) ctx.addIssue({ code: 'custom', path: [kind], message: `Variable inconnue : ${bad.map((b) => `{{${b}}}`).join(', ')}.` });
      }
    })
    .optional(),
});

export interface ProcessPatch {
  name?: string | undefined;
  team?: string | null | undefined;
  internalTargetDays?: number | undefined;
  steps?: ProcessStep[] | undefined;
  active?: boolean | undefined;
  assignment?: Assignment | undefined;
  escalation?: Partial<Escalation> | undefined;
  acknowledgement?: AcknowledgementMode | undefined;
  templates?: Partial<Record<TemplateKind, string | undefined>> | undefined;
}

export type AcknowledgementMode = 'auto' | 'approval';
export function acknowledgementModeOf(settings: Record<string, unknown> | null | undefined): AcknowledgementMode {
  return (settings ?? {}).acknowledgement === 'approval' ? 'approval' : 'auto';
}

/** The process's templates, the defaults where the manager wrote none. */
export function templatesOf(settings: Record<string, unknown> | null | undefined): Record<TemplateKind, string> {
  const own = ((settings ?? {}).templates ?? {}) as Partial<Record<TemplateKind, string>>;
  return Object.fromEntries(TEMPLATE_KINDS.map((k) => [k, own[k] ?? DEFAULT_TEMPLATES[k]])) as Record<TemplateKind, string>;
}

/** Managers adapt a process: team, target, checklist, and who gets its complaints. */
export async function updateProcessSettings(deps: Deps, actor: Actor, processId: string, patch: ProcessPatch): Promise<Process> {
  requireRole(actor, 'manager');
  return deps.db.transaction().execute(async (trx) => {
    const current = await lockProcess(trx, actor.tenantId, processId);
    if (!current) throw new NotFoundError('Processus introuvable.');
    if (patch.assignment && patch.assignment.mode !== 'none') {
      const active = new Set((await listUsers(trx, actor.tenantId)).filter((u) => u.status === 'active').map((u) => u.id));
      const ids = patch.assignment.mode === 'fixed' ? [patch.assignment.userId] : patch.assignment.userIds;
      const unknown = ids.filter((id) => !active.has(id));
      if (unknown.length > 0) {
        throw new ValidationError('Attribution impossible.', { assignment: `Utilisateur inconnu ou inactif : ${unknown.join(', ')}.` });
      }
    }
    const settings = {
      ...current.settings,
      ...(patch.assignment ? { assignment: patch.assignment } : {}),
      ...(patch.escalation ? { escalation: escalationSchema.parse({ ...escalationOf(current.settings), ...patch.escalation }) } : {}),
      ...(patch.templates ? { templates: { ...((current.settings.templates as object) ?? {}), ...patch.templates } } : {}),
      ...(patch.acknowledgement ? { acknowledgement: patch.acknowledgement } : {}),
    };
    const updated = await updateProcess(trx, actor.tenantId, processId, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(patch.team !== undefined ? { team: patch.team } : {}),
      ...(patch.internalTargetDays !== undefined ? { internal_target_days: patch.internalTargetDays } : {}),
      ...(patch.steps !== undefined ? { steps: JSON.stringify(patch.steps) } : {}),
      ...(patch.active !== undefined ? { active: patch.active } : {}),
      settings: JSON.stringify(settings),
    });
    await insertEvents(trx, [
      { tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user', type: 'process.updated', data: { processId, changes: patch as Record<string, unknown> }, at: deps.clock.now() },
    ]);
    return updated!;
  });
}
