import { z } from 'zod';
import type { Deps } from '../deps.ts';
import { DomainError, NotFoundError, RuleError, UnauthorizedError, ValidationError } from '../domain/errors.ts';
import { PLANS, isValidOrias, type Plan } from '../domain/plans.ts';
import type { Zone } from '../domain/calendar.ts';
import { normalizeEmail, normalizePhone } from '../domain/identity.ts';
import type { Tenant, User } from '../db/types.ts';
import { insertTenant, lockSlugAllocation, lockTenantPlan, slugsStartingWith } from '../db/repositories/tenants.ts';
import { unassignOpenComplaints } from '../db/repositories/complaints.ts';
import {
  countActiveAdmins,
  countSeats,
  findUserByEmail,
  findUserByInvitationHash,
  getUser,
  insertUser,
  recordFailedLogin,
  renewInvitation,
  updateUser,
} from '../db/repositories/users.ts';
import { deleteSession, deleteUserSessions, findLiveSession, insertSession, touchSession, type SessionRow } from '../db/repositories/sessions.ts';
import { sessionCacheOf } from './session-cache.ts';
import { insertProcesses, listProcesses } from '../db/repositories/processes.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { defaultProcesses } from '../routing/default-processes.ts';
import { requireRole, type Actor, type Role } from './actor.ts';
import { burnPasswordCheck, hashPassword, verifyPassword, PASSWORD_MIN_LENGTH } from './passwords.ts';
import { hashToken, newToken } from './tokens.ts';

export interface SignupInput {
  companyName: string;
  orias?: string | null | undefined;
  managerName: string;
  email: string;
  phone?: string | null | undefined;
  plan: Plan;
  password: string;
  zone?: Zone | undefined;
}

const INVITATION_DAYS = 7;

const EMAIL_TAKEN = 'Un compte existe déjà avec cette adresse.';

/** The unique index on users' addresses refused a row: another request took the address meanwhile. */
function isEmailTaken(err: unknown): boolean {
  const e = err as { code?: unknown; constraint?: unknown } | null;
  return e?.code === '23505' && e.constraint === 'users_email_key';
}

export function slugify(name: string): string {
  const base = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return base.length >= 2 ? base : 'cabinet';
}

function checkPassword(password: string, field = 'password'): void {
  if (password.length < PASSWORD_MIN_LENGTH) {
    throw new ValidationError('Mot de passe trop court.', {
      [field]: `Le mot de passe doit contenir au moins ${PASSWORD_MIN_LENGTH} caractères.`,
    });
  }
}

/** Creates a tenant with its admin, default processes and web-form slug, ready to use at once. */
export async function signup(deps: Deps, input: SignupInput): Promise<{ tenant: Tenant; user: User }> {
  const fields: Record<string, string> = {};
  const email = normalizeEmail(input.email);
  if (!email) fields.email = 'Adresse email invalide.';
  let orias: string | null = null;
  if (input.orias && input.orias.trim() !== '') {
    if (!isValidOrias(input.orias)) fields.orias = 'Le numéro ORIAS comporte 8 chiffres.';
    else orias = input.orias.replace(/\s+/g, '');
  }
  let phone: string | null = null;
  if (input.phone && input.phone.trim() !== '') {
    phone = normalizePhone(input.phone);
    if (!phone) fields.phone = 'Numéro de téléphone invalide.';
  }
  if (input.password.length < PASSWORD_MIN_LENGTH) {
    fields.password = `Le mot de passe doit contenir au moins ${PASSWORD_MIN_LENGTH} caractères.`;
  }
  if (Object.keys(fields).length > 0 || !email) throw new ValidationError('Inscription incomplète.', fields);
  if (await findUserByEmail(deps.db, email)) {
    throw new ValidationError('Inscription impossible.', { email: EMAIL_TAKEN });
  }
  const passwordHash = await hashPassword(input.password);

  try {
    return await createTenant(deps, input, { email, orias, phone, passwordHash });
  } catch (err) {
    if (isEmailTaken(err)) throw new ValidationError('Inscription impossible.', { email: EMAIL_TAKEN });
    throw err;
  }
}

async function createTenant(
  deps: Deps,
  input: SignupInput,
  { email, orias, phone, passwordHash }: { email: string; orias: string | null; phone: string | null; passwordHash: string },
): Promise<{ tenant: Tenant; user: User }> {
  return deps.db.transaction().execute(async (trx) => {
    await lockSlugAllocation(trx);
    const base = slugify(input.companyName);
    const taken = new Set(await slugsStartingWith(trx, base));
    let slug = base;
    for (let i = 2; taken.has(slug); i++) slug = `${base}-${i}`;
    const tenant = await insertTenant(trx, {
      slug,
      name: input.companyName.trim(),
      orias,
      manager_name: input.managerName.trim(),
      email,
      phone,
      plan: input.plan,
      zone: input.zone ?? 'metropole',
    });
    const user = await insertUser(trx, {
      tenant_id: tenant.id,
      email,
      name: input.managerName.trim(),
      role: 'admin',
      status: 'active',
      password_hash: passwordHash,
    });
    await insertProcesses(
      trx,
      defaultProcesses().map((p) => ({
        tenant_id: tenant.id,
        key: p.key,
        name: p.name,
        kind: p.kind,
        cause: p.cause,
        team: p.team,
        internal_target_days: p.internalTargetDays,
        steps: JSON.stringify(p.steps),
      })),
    );
    await insertEvents(trx, [
      { tenantId: tenant.id, actorUserId: user.id, actorKind: 'user', type: 'tenant.created', data: { slug, plan: input.plan } },
    ]);
    return { tenant, user };
  });
}

export interface LoginResult {
  token: string;
  user: User;
  expiresAt: Date;
}

export class AccountLockedError extends DomainError {
  constructor(minutes: number) {
    super(
      'account_locked',
      `Trop de tentatives échouées : le compte est verrouillé. Réessayez dans ${minutes} minute${minutes > 1 ? 's' : ''}.`,
      423,
    );
  }
}

const BAD_CREDENTIALS = 'Adresse email ou mot de passe incorrect.';

export async function login(
  deps: Deps,
  input: { email: string; password: string; ip?: string | null; userAgent?: string | null },
): Promise<LoginResult> {
  const now = deps.clock.now();
  const email = normalizeEmail(input.email);
  const user = email ? await findUserByEmail(deps.db, email) : undefined;
  if (!user || !user.password_hash || user.status !== 'active') {
    await burnPasswordCheck(input.password);
    throw new UnauthorizedError(BAD_CREDENTIALS);
  }
  const minutesLeft = (until: Date) => Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
  if (user.locked_until && user.locked_until > now) throw new AccountLockedError(minutesLeft(user.locked_until));
  if (!(await verifyPassword(user.password_hash, input.password))) {
    const lockUntil = new Date(now.getTime() + deps.config.loginLockMinutes * 60_000);
    // A lock that has expired starts a fresh count.
    if (user.locked_until && user.locked_until <= now) {
      await updateUser(deps.db, user.tenant_id, user.id, { failed_logins: 0, locked_until: null });
    }
    const after = await recordFailedLogin(deps.db, user.id, deps.config.loginMaxAttempts, lockUntil);
    if (after.locked_until && after.locked_until > now) {
      await insertEvents(deps.db, [
        { tenantId: user.tenant_id, actorKind: 'system', type: 'user.locked', data: { userId: user.id, ip: input.ip ?? null } },
      ]);
      throw new AccountLockedError(minutesLeft(after.locked_until));
    }
    throw new UnauthorizedError(BAD_CREDENTIALS);
  }
  const token = newToken(32);
  const expiresAt = new Date(now.getTime() + deps.config.sessionTtlHours * 3_600_000);
  await deps.db.transaction().execute(async (trx) => {
    await updateUser(trx, user.tenant_id, user.id, { failed_logins: 0, locked_until: null, last_login_at: now });
    await insertSession(trx, {
      id: hashToken(token),
      tenantId: user.tenant_id,
      userId: user.id,
      expiresAt,
      ip: input.ip ?? null,
      userAgent: input.userAgent?.slice(0, 300) ?? null,
    });
  });
  return { token, user, expiresAt };
}

export async function logout(deps: Deps, token: string): Promise<void> {
  const id = hashToken(token);
  await deleteSession(deps.db, id);
  sessionCacheOf(deps.db).forget(id);
}

/**
 * The live session whose id (the hash of the cookie token) is `id`, with its user's role and status;
 * read through the short-lived in-process cache (session-cache.ts says what it keeps, and for how long).
 */
export async function findSession(deps: Deps, id: string, now: Date): Promise<SessionRow | undefined> {
  const cache = sessionCacheOf(deps.db);
  const cached = cache.get(id);
  if (cached && cached.expiresAt > now) return cached;
  // Not cached, or expired by our copy (another process may have extended it since): ask the database.
  const epoch = cache.epoch;
  const row = await findLiveSession(deps.db, id, now);
  if (row) cache.store(id, row, epoch);
  else if (cached) cache.drop(id);
  return row;
}

/** Sliding expiry: the session lives on until `expiresAt`, in the database and in the cache. */
export async function extendSession(deps: Deps, id: string, now: Date, expiresAt: Date): Promise<void> {
  await touchSession(deps.db, id, now, expiresAt);
  sessionCacheOf(deps.db).extend(id, expiresAt);
}

/**
 * Invites a user by email. An address already invited in this cabinet and never activated (pending,
 * expired, or deactivated before accepting) gets a fresh link instead: the previous one stops working.
 */
export async function inviteUser(
  deps: Deps,
  actor: Actor,
  input: { email: string; name: string; role: Role },
): Promise<{ user: User; invitationToken: string; invitationUrl: string }> {
  requireRole(actor, 'admin');
  const email = normalizeEmail(input.email);
  if (!email) throw new ValidationError('Invitation incomplète.', { email: 'Adresse email invalide.' });
  const existing = await findUserByEmail(deps.db, email);
  const resend = existing && existing.tenant_id === actor.tenantId && !existing.password_hash ? existing : undefined;
  if (existing && !resend) throw new ValidationError('Invitation impossible.', { email: EMAIL_TAKEN });
  const token = newToken();
  const invitation = {
    name: input.name.trim(),
    role: input.role,
    status: 'invited' as const,
    invitation_token_hash: hashToken(token),
    invitation_expires_at: new Date(deps.clock.now().getTime() + INVITATION_DAYS * 86_400_000),
  };
  let user: User;
  try {
    user = await deps.db.transaction().execute(async (trx) => {
      // A pending invitation already holds its seat; a new or deactivated user needs one.
      if (!resend || resend.status === 'deactivated') await checkSeatAvailable(deps, trx, actor.tenantId);
      const saved = resend
        ? await renewInvitation(trx, actor.tenantId, resend.id, invitation)
        : await insertUser(trx, { tenant_id: actor.tenantId, email, ...invitation });
      if (!saved) throw new ValidationError('Invitation impossible.', { email: EMAIL_TAKEN });
      await insertEvents(trx, [
        {
          tenantId: actor.tenantId,
          actorUserId: actor.userId,
          actorKind: 'user',
          type: 'user.invited',
          data: { userId: saved.id, email, role: input.role, ...(resend ? { resent: true } : {}) },
        },
      ]);
      return saved;
    });
  } catch (err) {
    if (isEmailTaken(err)) throw new ValidationError('Invitation impossible.', { email: EMAIL_TAKEN });
    throw err;
  }
  return { user, invitationToken: token, invitationUrl: `${deps.config.publicUrl}/invitation/${token}` };
}

async function checkSeatAvailable(deps: Deps, db: Deps['db'], tenantId: string): Promise<void> {
  const plan = await lockTenantPlan(db, tenantId);
  const limit = PLANS[plan].maxUsers;
  if (limit !== null && (await countSeats(db, tenantId)) >= limit) {
    throw new RuleError(
      'plan_limit_users',
      `Votre formule ${PLANS[plan].label} est limitée à ${limit} utilisateurs. Désactivez un compte ou changez de formule.`,
    );
  }
}

export async function acceptInvitation(deps: Deps, input: { token: string; password: string; name?: string | undefined }): Promise<User> {
  checkPassword(input.password);
  const user = await findUserByInvitationHash(deps.db, hashToken(input.token));
  const now = deps.clock.now();
  if (!user || user.status !== 'invited' || !user.invitation_expires_at || user.invitation_expires_at <= now) {
    throw new NotFoundError('Invitation inconnue ou expirée. Demandez une nouvelle invitation à votre administrateur.');
  }
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction().execute(async (trx) => {
    const updated = await updateUser(trx, user.tenant_id, user.id, {
      status: 'active',
      password_hash: passwordHash,
      invitation_token_hash: null,
      invitation_expires_at: null,
      ...(input.name ? { name: input.name.trim() } : {}),
    });
    await insertEvents(trx, [
      { tenantId: user.tenant_id, actorUserId: user.id, actorKind: 'user', type: 'user.activated', data: { userId: user.id } },
    ]);
    return updated!;
  });
}

export async function setUserActive(deps: Deps, actor: Actor, userId: string, active: boolean): Promise<User> {
  requireRole(actor, 'admin');
  const changed = await deps.db.transaction().execute(async (trx) => {
    const user = await getUser(trx, actor.tenantId, userId);
    if (!user) throw new NotFoundError('Utilisateur introuvable.');
    if (!active) {
      if (user.id === actor.userId) throw new RuleError('self_deactivation', 'Vous ne pouvez pas désactiver votre propre compte.');
      if (user.status === 'deactivated') return user;
      if (user.role === 'admin' && user.status === 'active' && (await countActiveAdmins(trx, actor.tenantId)) <= 1) {
        throw new RuleError('last_admin', 'Le dernier administrateur actif ne peut pas être désactivé.');
      }
      const updated = await updateUser(trx, actor.tenantId, userId, { status: 'deactivated', invitation_token_hash: null });
      await deleteUserSessions(trx, actor.tenantId, userId);
      await unassignOpenComplaints(trx, actor.tenantId, userId);
      await insertEvents(trx, [
        { tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user', type: 'user.deactivated', data: { userId } },
      ]);
      return updated!;
    }
    if (user.status !== 'deactivated') return user;
    await checkSeatAvailable(deps, trx, actor.tenantId);
    const updated = await updateUser(trx, actor.tenantId, userId, {
      status: user.password_hash ? 'active' : 'invited',
      failed_logins: 0,
      locked_until: null,
    });
    await insertEvents(trx, [
      { tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user', type: 'user.reactivated', data: { userId } },
    ]);
    return updated!;
  });
  // After the commit: the sessions it closed stop working in this process at once (session-cache.ts).
  if (!active) sessionCacheOf(deps.db).forgetUser(userId);
  return changed;
}

export async function changeRole(deps: Deps, actor: Actor, userId: string, role: Role): Promise<User> {
  return updateUserAccess(deps, actor, userId, { role });
}

/** A user's teams: names as the processes give them (processes.team), trimmed, at most 20 of 100 characters. */
export const TEAMS_MAX = 20;
export const TEAM_NAME_MAX = 100;
export const teamsSchema = z
  .array(
    z
      .string({ message: 'Nom d’équipe attendu (texte).' })
      .trim()
      .min(1, 'Le nom d’équipe ne peut pas être vide.')
      .max(TEAM_NAME_MAX, `Nom d’équipe trop long : ${TEAM_NAME_MAX} caractères au plus.`),
    { message: 'Liste de noms d’équipe attendue.' },
  )
  .max(TEAMS_MAX, `${TEAMS_MAX} équipes au plus par utilisateur.`);

/**
 * The teams as stored: trimmed, without duplicates (case-insensitive), each written as the tenant's
 * processes write it when one does ('sinistres' becomes 'Sinistres'), in the order given.
 * `known` are the team names of the tenant's processes.
 */
export function normalizeTeams(teams: readonly string[], known: readonly string[]): string[] {
  const spelling = new Map<string, string>();
  for (const k of known) if (k.trim() !== '') spelling.set(k.trim().toLowerCase(), k.trim());
  const out = new Map<string, string>();
  for (const raw of teams) {
    const name = raw.trim();
    if (name === '') continue;
    const key = name.toLowerCase();
    if (!out.has(key)) out.set(key, spelling.get(key) ?? name);
  }
  return [...out.values()];
}

/** Admins change a user's role and/or teams (the teams replace the previous list). */
export async function updateUserAccess(
  deps: Deps,
  actor: Actor,
  userId: string,
  patch: { role?: Role | undefined; teams?: readonly string[] | undefined },
): Promise<User> {
  requireRole(actor, 'admin');
  let teams: string[] | undefined;
  if (patch.teams !== undefined) {
    const parsed = teamsSchema.safeParse(patch.teams);
    if (!parsed.success) {
      const fields = Object.fromEntries(parsed.error.issues.map((i) => [['teams', ...i.path].join('.'), i.message]));
      throw new ValidationError('Équipes invalides.', fields);
    }
    teams = normalizeTeams(parsed.data, (await listProcesses(deps.db, actor.tenantId)).map((p) => p.team ?? ''));
  }
  const changed = await deps.db.transaction().execute(async (trx) => {
    const user = await getUser(trx, actor.tenantId, userId);
    if (!user) throw new NotFoundError('Utilisateur introuvable.');
    const role = patch.role !== undefined && patch.role !== user.role ? patch.role : undefined;
    const teamsChanged = teams !== undefined && (teams.length !== user.teams.length || teams.some((t, i) => t !== user.teams[i]));
    if (role === undefined && !teamsChanged) return user;
    if (role !== undefined && user.role === 'admin' && user.status === 'active' && (await countActiveAdmins(trx, actor.tenantId)) <= 1) {
      throw new RuleError('last_admin', 'Il faut garder au moins un administrateur actif.');
    }
    const updated = await updateUser(trx, actor.tenantId, userId, {
      ...(role !== undefined ? { role } : {}),
      ...(teamsChanged ? { teams } : {}),
    });
    const base = { tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user' as const };
    await insertEvents(trx, [
      ...(role !== undefined ? [{ ...base, type: 'user.role_changed', data: { userId, before: user.role, after: role } }] : []),
      ...(teamsChanged ? [{ ...base, type: 'user.teams_changed', data: { userId, before: user.teams, after: teams } }] : []),
    ]);
    return updated!;
  });
  // After the commit: the user's open sessions carry the new role from their next request (session-cache.ts).
  if (patch.role !== undefined) sessionCacheOf(deps.db).forgetUser(userId);
  return changed;
}
