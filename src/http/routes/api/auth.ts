import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import type { Tenant, User } from '../../../db/types.ts';
import { getTenant } from '../../../db/repositories/tenants.ts';
import { getUser } from '../../../db/repositories/users.ts';
import { ZONES } from '../../../domain/calendar.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import { acceptInvitation, login, logout, signup } from '../../../services/accounts.ts';
import { SESSION_COOKIE, requireActor, sessionCookieOptions } from '../../plugins/auth.ts';
import { errorBody, tenantDto, userDto } from '../../schemas.ts';

export function userToDto(u: User): z.infer<typeof userDto> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    status: u.status,
    teams: u.teams,
    lastLoginAt: u.last_login_at?.toISOString() ?? null,
    createdAt: u.created_at.toISOString(),
  };
}

export function tenantToDto(deps: Deps, t: Tenant): z.infer<typeof tenantDto> {
  return { id: t.id, slug: t.slug, name: t.name, plan: t.plan, orias: t.orias, zone: t.zone, formUrl: `${deps.config.publicUrl}/f/${t.slug}` };
}

const sessionDto = z.object({ user: userDto, tenant: tenantDto });

export function authRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/auth/csrf',
      {
        config: { auth: 'public' },
        schema: {
          tags: ['auth'],
          summary: 'Jeton CSRF à renvoyer dans l’en-tête x-csrf-token de toute requête qui modifie',
          response: { 200: z.object({ csrfToken: z.string() }) },
        },
      },
      async (_request, reply) => ({ csrfToken: reply.generateCsrf() }),
    );

    app.post(
      '/signup',
      {
        config: { auth: 'public', rateLimit: { max: 10, timeWindow: '1 hour' } },
        schema: {
          tags: ['auth'],
          summary: 'Créer un cabinet (tenant) et son administrateur, connecté aussitôt',
          body: z.object({
            companyName: z.string().trim().min(2, 'Indiquez la raison sociale.').max(200),
            orias: z.string().trim().max(20).optional().nullable(),
            managerName: z.string().trim().min(2, 'Indiquez le nom du responsable.').max(200),
            email: z.string().trim().min(3, 'Indiquez une adresse email.').max(320),
            phone: z.string().trim().max(40).optional().nullable(),
            plan: z.enum(['starter', 'pro', 'enterprise'], { message: 'Choisissez une formule : starter, pro ou enterprise.' }),
            password: z.string().max(200),
            zone: z.enum(ZONES).optional(),
          }),
          response: { 201: sessionDto, 400: errorBody },
        },
      },
      async (request, reply) => {
        const { tenant } = await signup(deps, request.body);
        const session = await login(deps, {
          email: request.body.email,
          password: request.body.password,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        });
        reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(deps, deps.config.sessionTtlHours * 3600));
        return reply.status(201).send({ user: userToDto(session.user), tenant: tenantToDto(deps, tenant) });
      },
    );

    app.post(
      '/auth/login',
      {
        config: { auth: 'public', rateLimit: { max: deps.config.loginRatePerMinute, timeWindow: '1 minute' } },
        schema: {
          tags: ['auth'],
          summary: 'Se connecter (cookie de session HttpOnly)',
          body: z.object({ email: z.string().max(320), password: z.string().max(200) }),
          response: { 200: sessionDto, 401: errorBody, 423: errorBody, 429: errorBody },
        },
      },
      async (request, reply) => {
        const session = await login(deps, {
          email: request.body.email,
          password: request.body.password,
          ip: request.ip,
          userAgent: request.headers['user-agent'] ?? null,
        });
        const tenant = await getTenant(deps.db, session.user.tenant_id);
        if (!tenant) throw new NotFoundError();
        reply.setCookie(SESSION_COOKIE, session.token, sessionCookieOptions(deps, deps.config.sessionTtlHours * 3600));
        return { user: userToDto(session.user), tenant: tenantToDto(deps, tenant) };
      },
    );

    app.post(
      '/auth/logout',
      { schema: { tags: ['auth'], summary: 'Se déconnecter', response: { 204: z.null() } } },
      async (request, reply) => {
        const token = request.cookies[SESSION_COOKIE];
        if (token) await logout(deps, token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      { schema: { tags: ['auth'], summary: 'L’utilisateur connecté et son cabinet', response: { 200: sessionDto } } },
      async (request) => {
        const actor = requireActor(request);
        const [user, tenant] = await Promise.all([getUser(deps.db, actor.tenantId, actor.userId), getTenant(deps.db, actor.tenantId)]);
        if (!user || !tenant) throw new NotFoundError();
        return { user: userToDto(user), tenant: tenantToDto(deps, tenant) };
      },
    );

    app.post(
      '/invitations/accept',
      {
        config: { auth: 'public', rateLimit: { max: 20, timeWindow: '1 minute' } },
        schema: {
          tags: ['auth'],
          summary: 'Accepter une invitation et choisir son mot de passe',
          body: z.object({ token: z.string().min(10).max(200), password: z.string().max(200), name: z.string().trim().min(2).max(200).optional() }),
          response: { 200: userDto, 400: errorBody, 404: errorBody },
        },
      },
      async (request) => userToDto(await acceptInvitation(deps, request.body)),
    );
  };
}
