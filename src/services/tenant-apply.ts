import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { ValidationError } from '../domain/errors.ts';
import { ZONES } from '../domain/calendar.ts';
import { isValidOrias } from '../domain/plans.ts';
import { normalizeEmail, normalizePhone } from '../domain/identity.ts';
import { CAUSES, KINDS } from '../domain/taxonomy.ts';
import { findTenantBySlug, insertTenant, updateTenant, updateTenantProfile } from '../db/repositories/tenants.ts';
import { findUserByEmail, insertUser, updateUser } from '../db/repositories/users.ts';
import { insertProcesses, listProcesses, updateProcess } from '../db/repositories/processes.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { defaultProcesses } from '../routing/default-processes.ts';
import { intakeSettingsSchema } from '../intake/settings.ts';
import { qualificationSettingsSchema } from '../classify/apply.ts';
import { processPatchSchema } from './processes.ts';
import { escalationOf, escalationSchema } from '../routing/escalation.ts';
import { hashPassword, PASSWORD_MIN_LENGTH } from './passwords.ts';
import { saveChannelIn } from './channels.ts';
import { normalizeTeams, teamsSchema } from './accounts.ts';
import { customerCommunicationSchema } from '../notify/communication.ts';
import { hashToken, newToken } from './tokens.ts';
import { sessionCacheOf } from './session-cache.ts';

/**
 * A tenant as self-hosters keep it in version control. Secrets are never in the file: a user's password
 * comes from the environment variable named by `passwordEnv` (otherwise the user gets an invitation).
 */
export const tenantFileSchema = z
  .object({
    slug: z.string().regex(/^[a-z0-9][a-z0-9-]{1,39}$/, 'Identifiant court attendu : minuscules, chiffres et tirets.'),
    companyName: z.string().trim().min(2).max(200),
    orias: z.string().trim().refine(isValidOrias, 'Le numéro ORIAS comporte 8 chiffres.').nullable().optional(),
    managerName: z.string().trim().min(2).max(200),
    email: z.string().trim().refine((e) => normalizeEmail(e) !== null, 'Adresse email invalide.'),
    phone: z.string().trim().refine((p) => normalizePhone(p) !== null, 'Numéro de téléphone invalide.').nullable().optional(),
    plan: z.enum(['starter', 'pro', 'enterprise']),
    zone: z.enum(ZONES).default('metropole'),
    settings: z.object({ intake: intakeSettingsSchema.partial().optional(), qualification: qualificationSettingsSchema.partial().optional(), customerCommunication: customerCommunicationSchema.partial().optional() }).strict().optional(),
    users: z
      .array(
        z.object({
          email: z.string().trim().refine((e) => normalizeEmail(e) !== null, 'Adresse email invalide.'),
          name: z.string().trim().min(2).max(200),
          role: z.enum(['agent', 'manager', 'admin']),
          passwordEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/).optional(),
          /** The user's teams (names as processes give them in `team`); absent: left as they are. */
          teams: teamsSchema.optional(),
        }).strict(),
      )
      .min(1)
      .refine((users) => users.some((u) => u.role === 'admin'), 'Il faut au moins un administrateur.'),
    processes: z
      .array(
        processPatchSchema
          .omit({ assignment: true })
          .extend({
            key: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,60}$/),
            kind: z.enum(KINDS).optional(),
            cause: z.enum(CAUSES).nullable().optional(),
            assignment: z
              .discriminatedUnion('mode', [
                z.object({ mode: z.literal('none') }),
                z.object({ mode: z.literal('fixed'), email: z.string() }),
                z.object({ mode: z.literal('round_robin'), emails: z.array(z.string()).min(1) }),
              ])
              .optional(),
          })
          .strict(),
      )
      .default([]),
    /**
     * Connected channels, validated by the channel API's own schema on apply. Credentials come from the
     * environment: `secretsEnv` maps a credential name (authToken, botToken, imapPassword…) to a variable.
     */
    channels: z
      .array(
        z.object({
          kind: z.enum(['email', 'twilio', 'slack']),
          name: z.string(),
          enabled: z.boolean().optional(),
          config: z.record(z.string(), z.unknown()),
          secretsEnv: z.record(z.string(), z.string().regex(/^[A-Z][A-Z0-9_]*$/)).default({}),
        }).strict(),
      )
      .default([]),
  })
  .strict();
export type TenantFile = z.input<typeof tenantFileSchema>;

export interface ApplyReport {
  tenantId: string;
  slug: string;
  created: boolean;
  invitations: { email: string; url: string }[];
}

/** Creates or updates, idempotently, a tenant with its users, settings and processes from one file. */
export async function applyTenantFile(deps: Deps, input: unknown, env: Record<string, string | undefined> = process.env): Promise<ApplyReport> {
  const parsed = tenantFileSchema.safeParse(input);
  if (!parsed.success) {
    const fields = Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'fichier', i.message]));
    throw new ValidationError('Fichier de cabinet invalide.', fields);
  }
  const f = parsed.data;
  const passwords = new Map<string, string>();
  for (const u of f.users) {
    if (!u.passwordEnv) continue;
    const value = env[u.passwordEnv];
    if (!value) throw new ValidationError('Mot de passe absent.', { [`users.${u.email}`]: `La variable ${u.passwordEnv} n’est pas définie.` });
    if (value.length < PASSWORD_MIN_LENGTH) throw new ValidationError('Mot de passe trop court.', { [`users.${u.email}`]: `${u.passwordEnv} : ${PASSWORD_MIN_LENGTH} caractères au moins.` });
    passwords.set(u.email, await hashPassword(value));
  }
  const channels = f.channels.map((c, i) => {
    const secrets: Record<string, string> = {};
    for (const [name, variable] of Object.entries(c.secretsEnv)) {
      const value = env[variable];
      if (!value) throw new ValidationError('Identifiant de canal absent.', { [`channels.${i}.secretsEnv.${name}`]: `La variable ${variable} n’est pas définie.` });
      secrets[name] = value;
    }
    return { kind: c.kind, name: c.name, ...(c.enabled !== undefined ? { enabled: c.enabled } : {}), config: c.config, secrets };
  });
  const now = deps.clock.now();
  const report = await deps.db.transaction().execute(async (trx) => {
    let tenant = await findTenantBySlug(trx, f.slug);
    const created = !tenant;
    const profile = {
      name: f.companyName,
      orias: f.orias ? f.orias.replace(/\s+/g, '') : null,
      manager_name: f.managerName,
      email: normalizeEmail(f.email)!,
      phone: f.phone ? normalizePhone(f.phone) : null,
      plan: f.plan,
      zone: f.zone,
    };
    if (!tenant) {
      tenant = await insertTenant(trx, { slug: f.slug, ...profile });
      await insertProcesses(
        trx,
        defaultProcesses().map((p) => ({ tenant_id: tenant!.id, key: p.key, name: p.name, kind: p.kind, cause: p.cause, team: p.team, internal_target_days: p.internalTargetDays, steps: JSON.stringify(p.steps) })),
      );
    } else {
      await updateTenantProfile(trx, tenant.id, profile);
    }
    const settings = { ...tenant.settings };
    if (f.settings?.intake) settings.intake = intakeSettingsSchema.parse({ ...(settings.intake as object), ...f.settings.intake });
    if (f.settings?.customerCommunication) settings.customerCommunication = customerCommunicationSchema.parse({ ...(settings.customerCommunication as object), ...f.settings.customerCommunication });
    if (f.settings?.qualification) settings.qualification = qualificationSettingsSchema.parse({ ...(settings.qualification as object), ...f.settings.qualification });
    await updateTenant(trx, tenant.id, { settings });

    const invitations: ApplyReport['invitations'] = [];
    const userIds = new Map<string, string>();
    // Users' team names are written as the processes write them (the file's spelling over the stored one).
    const knownTeams = [...(await listProcesses(trx, tenant.id)).map((p) => p.team ?? ''), ...f.processes.map((p) => p.team ?? '')];
    for (const u of f.users) {
      const teams = u.teams !== undefined ? normalizeTeams(u.teams, knownTeams) : undefined;
      const email = normalizeEmail(u.email)!;
      const existing = await findUserByEmail(trx, email);
      if (existing && existing.tenant_id !== tenant.id) {
        throw new ValidationError('Utilisateur déjà rattaché à un autre cabinet.', { [`users.${email}`]: 'Cette adresse appartient à un autre cabinet.' });
      }
      const hash = passwords.get(u.email);
      if (existing) {
        await updateUser(trx, tenant.id, existing.id, {
          name: u.name,
          role: u.role,
          ...(teams !== undefined ? { teams } : {}),
          ...(hash ? { password_hash: hash, status: 'active', invitation_token_hash: null, invitation_expires_at: null } : {}),
        });
        userIds.set(email, existing.id);
        continue;
      }
      const token = hash ? null : newToken();
      const user = await insertUser(trx, {
        tenant_id: tenant.id,
        email,
        name: u.name,
        role: u.role,
        teams: teams ?? [],
        status: hash ? 'active' : 'invited',
        password_hash: hash ?? null,
        invitation_token_hash: token ? hashToken(token) : null,
        invitation_expires_at: token ? new Date(now.getTime() + 7 * 86_400_000) : null,
      });
      if (token) invitations.push({ email, url: `${deps.config.publicUrl}/invitation/${token}` });
      userIds.set(email, user.id);
    }

    const existingProcesses = new Map((await listProcesses(trx, tenant.id)).map((p) => [p.key, p]));
    for (const p of f.processes) {
      const idOf = (e: string) => {
        const id = userIds.get(normalizeEmail(e) ?? '');
        if (!id) throw new ValidationError('Attribution invalide.', { [`processes.${p.key}.assignment`]: `${e} n’est pas un utilisateur du fichier.` });
        return id;
      };
      const assignment =
        p.assignment?.mode === 'fixed' ? { mode: 'fixed' as const, userId: idOf(p.assignment.email) }
        : p.assignment?.mode === 'round_robin' ? { mode: 'round_robin' as const, userIds: p.assignment.emails.map(idOf) }
        : p.assignment;
      let current = existingProcesses.get(p.key);
      if (!current) {
        if (!p.kind || !p.name) throw new ValidationError('Processus incomplet.', { [`processes.${p.key}`]: 'Un nouveau processus demande au moins « name » et « kind ».' });
        await insertProcesses(trx, [{ tenant_id: tenant.id, key: p.key, name: p.name, kind: p.kind, cause: p.cause ?? null }]);
        current = (await listProcesses(trx, tenant.id)).find((x) => x.key === p.key)!;
      }
      await updateProcess(trx, tenant.id, current.id, {
        ...(p.name !== undefined ? { name: p.name } : {}),
        ...(p.team !== undefined ? { team: p.team } : {}),
        ...(p.internalTargetDays !== undefined ? { internal_target_days: p.internalTargetDays } : {}),
        ...(p.steps !== undefined ? { steps: JSON.stringify(p.steps) } : {}),
        ...(p.active !== undefined ? { active: p.active } : {}),
        ...(p.cause !== undefined ? { cause: p.cause } : {}),
        settings: JSON.stringify({
          ...current.settings,
          ...(assignment ? { assignment } : {}),
          ...(p.escalation ? { escalation: escalationSchema.parse({ ...escalationOf(current.settings), ...p.escalation }) } : {}),
          ...(p.templates ? { templates: { ...((current.settings.templates as object) ?? {}), ...p.templates } } : {}),
          ...(p.acknowledgement ? { acknowledgement: p.acknowledgement } : {}),
        }),
      });
    }
    for (const c of channels) await saveChannelIn(trx, deps, tenant.id, c, { actorUserId: null });
    await insertEvents(trx, [{ tenantId: tenant.id, actorKind: 'system', type: created ? 'tenant.created' : 'tenant.applied', data: { slug: f.slug, users: f.users.length, processes: f.processes.length, channels: channels.length }, at: now }]);
    return { tenantId: tenant.id, slug: f.slug, created, invitations };
  });
  // Roles, passwords and statuses may have changed: sessions cached by this process are read afresh.
  sessionCacheOf(deps.db).clear();
  return report;
}
