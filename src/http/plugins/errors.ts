import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { DomainError } from '../../domain/errors.ts';

export interface ErrorBody {
  error: string;
  message: string;
  fields?: Record<string, string>;
}

/** The one place where errors become HTTP answers. 5xx bodies reveal nothing of the cause. */
export function registerErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (err instanceof DomainError) {
      const body: ErrorBody = { error: err.code, message: err.message };
      if (err.fields && Object.keys(err.fields).length > 0) body.fields = err.fields;
      return reply.status(err.status).send(body);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields: Record<string, string> = {};
      for (const issue of err.validation) {
        const where = issue.instancePath.replace(/^\//, '').replace(/\//g, '.') || err.validationContext || 'body';
        fields[where] ??= issue.message ?? 'Valeur invalide.';
      }
      const body: ErrorBody = { error: 'validation', message: 'Certaines données sont invalides.', fields };
      return reply.status(400).send(body);
    }
    const status = err.statusCode ?? 500;
    if (status === 429) {
      return reply.status(429).send({ error: 'rate_limited', message: 'Trop de requêtes : patientez un instant puis réessayez.' });
    }
    if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE' || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: 'too_large', message: 'Le contenu envoyé dépasse la taille autorisée.' });
    }
    if (err.code === 'FST_CSRF_INVALID_TOKEN' || err.code === 'FST_CSRF_MISSING_SECRET') {
      return reply.status(403).send({ error: 'csrf', message: 'Jeton de sécurité (CSRF) absent ou invalide : rechargez la page.' });
    }
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: 'bad_request', message: err.message });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: 'internal', message: 'Erreur interne. L’incident a été enregistré.' });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not_found', message: `Aucune ressource à l’adresse ${request.method} ${request.url.split('?')[0]}.` });
  });
}
