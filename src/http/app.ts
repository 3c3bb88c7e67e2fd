import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import rateLimit from '@fastify/rate-limit';
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import '../i18n/zod.ts';
import { ping } from '../db/index.ts';
import type { Deps } from '../deps.ts';
import { registerErrorHandler } from './plugins/errors.ts';
import { registerAuth, routeAuth, type RouteAuth } from './plugins/auth.ts';
import { authRoutes } from './routes/api/auth.ts';
import { userRoutes } from './routes/api/users.ts';
import { complaintRoutes } from './routes/api/complaints.ts';
import { processRoutes } from './routes/api/processes.ts';
import { customerRoutes } from './routes/api/customers.ts';
import { formRoutes } from './routes/public/form.ts';
import { trackingRoutes } from './routes/public/tracking.ts';
import { inboundRoutes } from './routes/api/inbound.ts';
import { mergeRoutes } from './routes/api/merges.ts';
import { modelRoutes } from './routes/api/models.ts';
import { settingsRoutes } from './routes/api/settings.ts';
import { notificationRoutes } from './routes/api/notifications.ts';
import { channelRoutes } from './routes/api/channels.ts';
import { conversationRoutes } from './routes/api/conversation.ts';
import { complaintFileRoutes } from './routes/api/complaint-file.ts';
import { dashboardRoutes } from './routes/api/dashboard.ts';
import { registerRoutes } from './routes/api/register.ts';
import { actionRoutes } from './routes/api/actions.ts';
import { signalRoutes } from './routes/api/signals.ts';
import { auditRoutes } from './routes/api/audit.ts';
import { webhookRoutes } from './routes/webhooks/index.ts';
import { consoleRoutes } from './routes/console.ts';


export interface RouteInfo {
  method: string;
  url: string;
  auth: RouteAuth;
  csrf: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, as seen by the auth and CSRF layers (tests iterate it). */
    routeCatalog: RouteInfo[];
  }
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Builds the HTTP application; never listens (main.ts does, tests use inject). */
export interface AppOptions {
  /** Key prefix of the shared rate-limit counters in Redis (tests isolate themselves). */
  rateLimitNamespace?: string;
}

export async function buildApp(deps: Deps, secret: string, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    trustProxy: deps.config.trustProxy,
    bodyLimit: Math.ceil(deps.config.maxUploadBytes * 1.5) + 1024 * 1024,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandler(app);

  const catalog: RouteInfo[] = [];
  app.decorate('routeCatalog', catalog);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      catalog.push({
        method,
        url: route.url,
        auth: routeAuth(route.url, route.config?.auth),
        csrf: UNSAFE.has(method) && route.config?.csrf !== false,
      });
    }
  });

  await app.register(cookie, { secret });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: 'guichet_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'strict', secure: deps.config.cookieSecure, signed: true },
  });
  // With several api processes the counters must be shared: in Redis when there is one.
  if (deps.config.redisUrl) {
    const { Redis } = await import('ioredis');
    const redis = new Redis(deps.config.redisUrl, { connectTimeout: 2000, maxRetriesPerRequest: 1, enableOfflineQueue: true });
    app.addHook('onClose', async () => {
      await redis.quit();
    });
    await app.register(rateLimit, { global: false, redis, nameSpace: options.rateLimitNamespace ?? 'guichet-rate-' });
  } else {
    await app.register(rateLimit, { global: false });
  }
  await app.register(multipart, {
    limits: { fileSize: deps.config.maxUploadBytes, files: 5, fields: 20 },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Guichet API', version: '1', description: 'API de Guichet : réclamations multicanal.' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'guichet_session' },
          csrf: { type: 'apiKey', in: 'header', name: 'x-csrf-token' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs', uiConfig: { docExpansion: 'list' } });

  registerAuth(app, deps);
  app.addHook('onRequest', (request, reply, done) => {
    if (UNSAFE.has(request.method) && request.routeOptions.config.csrf !== false && request.routeOptions.url) {
      app.csrfProtection(request, reply, done);
      return;
    }
    done();
  });

  app.get(
    '/health',
    { schema: { hide: true }, config: { auth: 'public' } },
    async (_request, reply) => {
      try {
        await ping(deps.db);
        return { status: 'ok', database: deps.dbKind };
      } catch {
        return reply.status(503).send({ status: 'unavailable', database: deps.dbKind });
      }
    },
  );

  await app.register(authRoutes(deps), { prefix: '/api' });
  await app.register(userRoutes(deps), { prefix: '/api' });
  await app.register(complaintRoutes(deps), { prefix: '/api' });
  await app.register(processRoutes(deps), { prefix: '/api' });
  await app.register(customerRoutes(deps), { prefix: '/api' });
  await app.register(formRoutes(deps), { prefix: '/f' });
  await app.register(trackingRoutes(deps), { prefix: '/suivi' });
  await app.register(inboundRoutes(deps), { prefix: '/api' });
  await app.register(mergeRoutes(deps), { prefix: '/api' });
  await app.register(modelRoutes(deps), { prefix: '/api' });
  await app.register(settingsRoutes(deps), { prefix: '/api' });
  await app.register(notificationRoutes(deps), { prefix: '/api' });
  await app.register(channelRoutes(deps), { prefix: '/api' });
  await app.register(conversationRoutes(deps), { prefix: '/api' });
  await app.register(complaintFileRoutes(deps), { prefix: '/api' });
  await app.register(dashboardRoutes(deps), { prefix: '/api' });
  await app.register(registerRoutes(deps), { prefix: '/api' });
  await app.register(actionRoutes(deps), { prefix: '/api' });
  await app.register(signalRoutes(deps), { prefix: '/api' });
  await app.register(auditRoutes(deps), { prefix: '/api' });
  await app.register(webhookRoutes(deps), { prefix: '/webhooks' });
  await app.register(consoleRoutes());
  return app;
}
