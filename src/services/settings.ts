import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { NotFoundError } from '../domain/errors.ts';
import { ZONES } from '../domain/calendar.ts';
import { getTenant, updateTenant } from '../db/repositories/tenants.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { intakeSettingsOf, intakeSettingsSchema } from '../intake/settings.ts';
import { qualificationSettingsSchema } from '../classify/apply.ts';
import { requireRole, type Actor } from './actor.ts';
import { customerCommunicationOf, customerCommunicationSchema } from '../notify/communication.ts';

export const settingsSchema = z.object({
  zone: z.enum(ZONES),
  intake: intakeSettingsSchema,
  qualification: qualificationSettingsSchema,
  customerCommunication: customerCommunicationSchema,
});
export type TenantSettings = z.infer<typeof settingsSchema>;

export const settingsPatchSchema = z.object({
  zone: z.enum(ZONES).optional(),
  intake: intakeSettingsSchema.partial().optional(),
  qualification: qualificationSettingsSchema.partial().optional(),
  customerCommunication: customerCommunicationSchema.partial().optional(),
});

export async function readSettings(deps: Deps, tenantId: string): Promise<TenantSettings> {
  const tenant = await getTenant(deps.db, tenantId);
  if (!tenant) throw new NotFoundError();
  return {
    zone: tenant.zone as TenantSettings['zone'],
    intake: intakeSettingsOf(tenant.settings),
    qualification: qualificationSettingsSchema.parse((tenant.settings as { qualification?: unknown }).qualification ?? {}),
    customerCommunication: customerCommunicationOf(tenant.settings),
  };
}

/** Admins tune the holiday zone, the duplicate window and thresholds, the triage threshold. */
export async function updateSettings(deps: Deps, actor: Actor, patch: z.infer<typeof settingsPatchSchema>): Promise<TenantSettings> {
  requireRole(actor, 'admin');
  const current = await readSettings(deps, actor.tenantId);
  const next = settingsSchema.parse({
    zone: patch.zone ?? current.zone,
    intake: { ...current.intake, ...patch.intake },
    qualification: { ...current.qualification, ...patch.qualification },
    customerCommunication: { ...current.customerCommunication, ...patch.customerCommunication },
  });
  const tenant = (await getTenant(deps.db, actor.tenantId))!;
  await deps.db.transaction().execute(async (trx) => {
    await updateTenant(trx, actor.tenantId, { zone: next.zone, settings: { ...tenant.settings, intake: next.intake, qualification: next.qualification, customerCommunication: next.customerCommunication } });
    await insertEvents(trx, [{ tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user', type: 'settings.updated', data: { before: current, after: next }, at: deps.clock.now() }]);
  });
  return next;
}
