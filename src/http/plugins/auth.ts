import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../deps.ts';
import { ForbiddenError, UnauthorizedError } from '../../domain/errors.ts';
import { extendSession, findSession } from '../../services/accounts.ts';
import { hasRole, type Actor, type Role } from '../../services/actor.ts';
import { hashToken } from '../../services/tokens.ts';

export const SESSION_COOKIE = 'guichet_session';

/**
 * Who may call a route. Every route under /api declares it through `config.auth`; a route that
 * declares nothing needs an agent (the least role), so a new route is never open by mistake.
 */
export type RouteAuth = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth;
    /** false for public endpoints protected otherwise (honeypot, idempotency, signatures). */
    csrf?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
    sessionId: string | null;
  }
}

export function requireActor(request: FastifyRequest): Actor {
  if (!request.actor) throw new UnauthorizedError();
  return request.actor;
}

export function sessionCookieOptions(deps: Deps, maxAgeSeconds?: number) {
  return {
    path: '/',
    httpOnly: true,
    secure: deps.config.cookieSecure,
    sameSite: 'lax' as const,
    ...(maxAgeSeconds !== undefined ? { maxAge: maxAgeSeconds } : {}),
  };
}

export function routeAuth(url: string, auth: RouteAuth | undefined): RouteAuth {
  if (auth) return auth;
  if (url === '/api/docs' || url.startsWith('/api/docs/')) return 'public';
  return url.startsWith('/api/') ? 'agent' : 'public';
}

export function registerAuth(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('actor', null);
  app.decorateRequest('sessionId', null);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) {
      const id = hashToken(token);
      const now = deps.clock.now();
      // Through a short-lived in-process cache (services/session-cache.ts): no database read per request.
      const session = await findSession(deps, id, now);
      if (session && session.status === 'active') {
        request.actor = { tenantId: session.tenantId, userId: session.userId, role: session.role };
        request.sessionId = id;
        // Sliding expiry, written at most once a minute per session; the cookie's Max-Age follows.
        const ttl = deps.config.sessionTtlHours * 3_600_000;
        if (session.expiresAt.getTime() - now.getTime() < ttl - 60_000) {
          await extendSession(deps, id, now, new Date(now.getTime() + ttl));
          reply.setCookie(SESSION_COOKIE, token, sessionCookieOptions(deps, ttl / 1000));
        }
      } else if (!request.url.startsWith('/api/auth/login')) {
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
      }
    }
    const needed = routeAuth(request.routeOptions.url ?? request.url, request.routeOptions.config.auth);
    if (needed === 'public') return;
    if (!request.actor) throw new UnauthorizedError();
    if (!hasRole(request.actor, needed)) throw new ForbiddenError();
  });
}
