import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** Where `npm run build:web` (vite build) writes the console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url));
export const CONSOLE_PREFIX = '/console';

/**
 * The console's pages may only load what the console itself serves. Email bodies are shown in a
 * sandboxed frame without scripts; remote images (tracking pixels) stay blocked by img-src.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="fr"><head><meta charset="utf-8"><title>Guichet — console non construite</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>La console n’est pas encore construite</h1>
<p>Lancez <code>npm run build</code> (ou simplement <code>npm start</code>, qui la construit au besoin), puis rechargez cette page.</p>
<p>L’API reste disponible : <a href="/api/docs">documentation de l’API</a>.</p>
</body></html>`;

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', CSP)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'same-origin')
    .header('x-frame-options', 'DENY');
}

/**
 * Serves the built console (web/dist) under /console/ with a single-page fallback: any path that is not
 * a file gets index.html, so that a deep link (/console/reclamations/…) opens the right page. `/` leads
 * to the console. Hashed assets are cached for good; index.html never is, so a new build shows at once.
 */
export function consoleRoutes(options: { dist?: string } = {}): FastifyPluginAsync {
  const dist = options.dist ?? CONSOLE_DIST;
  const indexFile = path.join(dist, 'index.html');
  return async (app) => {
    app.get('/', { schema: { hide: true }, config: { auth: 'public' } }, async (_request, reply) => reply.redirect(`${CONSOLE_PREFIX}/`, 302));
    // The query (an inbox view, filters) survives the slash: /console?vue=team → /console/?vue=team.
    app.get(CONSOLE_PREFIX, { schema: { hide: true }, config: { auth: 'public' } }, async (request, reply) => {
      const query = request.url.indexOf('?');
      return reply.redirect(`${CONSOLE_PREFIX}/${query >= 0 ? request.url.slice(query) : ''}`, 301);
    });

    await app.register(
      async (scope) => {
        await scope.register(fastifyStatic, {
          root: dist,
          prefix: '/',
          index: false,
          wildcard: true,
          cacheControl: false,
          dotfiles: 'deny',
          suppressWarning: true,
          setHeaders(reply, filePath) {
            const immutable = filePath.startsWith(path.join(dist, 'assets') + path.sep);
            reply.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
            reply.header('x-content-type-options', 'nosniff');
            if (filePath.endsWith('.html')) securityHeaders(reply);
          },
        });

        const sendIndex = (reply: FastifyReply) => {
          securityHeaders(reply).header('cache-control', 'no-cache');
          if (!existsSync(indexFile)) return reply.status(503).type('text/html; charset=utf-8').send(NOT_BUILT);
          return reply.type('text/html; charset=utf-8').sendFile('index.html', dist, { cacheControl: false });
        };
        scope.get('/', { schema: { hide: true }, config: { auth: 'public' }, prefixTrailingSlash: 'slash' }, async (_request, reply) => sendIndex(reply));

        // Not a file: a page of the single-page app (index.html), unless it looks like a missing asset.
        scope.setNotFoundHandler(async (request, reply) => {
          const pathname = (request.url.split('?')[0] ?? '').slice(CONSOLE_PREFIX.length);
          if (request.method !== 'GET' && request.method !== 'HEAD') {
            return reply.status(404).send({ error: 'not_found', message: 'Ressource introuvable.' });
          }
          if (pathname.startsWith('/assets/') || /\.[a-z0-9]{1,8}$/i.test(pathname)) {
            return reply.status(404).type('text/plain; charset=utf-8').send('Fichier introuvable.');
          }
          return sendIndex(reply);
        });
      },
      { prefix: CONSOLE_PREFIX },
    );
  };
}
