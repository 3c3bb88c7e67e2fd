import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { NotFoundError } from '../../../domain/errors.ts';
import { TEMPLATE_KINDS } from '../../../domain/templates.ts';
import { getComplaint } from '../../../db/repositories/complaints.ts';
import { leavePresence, listPresence, touchPresence } from '../../../db/repositories/presence.ts';
import { messageDto as toMessageDto } from '../../../services/complaints.ts';
import { acknowledge, previewTemplate, replyInputSchema, sendReply } from '../../../notify/customer-messages.ts';
import { OUTBOUND_CHANNELS } from '../../../notify/outbound.ts';
import { LiveFeed } from '../../../notify/live.ts';
import { requireActor } from '../../plugins/auth.ts';
import { errorBody, messageDto, uuid } from '../../schemas.ts';

const params = z.object({ complaintId: uuid });
const PRESENCE_WINDOW_MS = 45_000;

/** Writing to the customer (replies, answers, acknowledgements), presence on a complaint, and live updates. */
export function conversationRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    app.post(
      '/complaints/:complaintId/replies',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Écrire au client sur son canal (réponse, réponse d’attente, réponse motivée avec son issue)',
          description:
            'Le canal par défaut est le dernier utilisé par le client. Une réponse (`purpose: answer`) clôt l’instruction : la réclamation passe « résolue » avec son issue ; une issue partielle ou un refus exige le paragraphe sur le médiateur et les voies de recours.',
          params,
          body: replyInputSchema,
          response: { 201: z.object({ message: messageDto }), 400: errorBody, 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        const message = await sendReply(deps, requireActor(request), request.params.complaintId, request.body);
        return reply.code(201).send({ message: toMessageDto(message) });
      },
    );
    app.get(
      '/complaints/:complaintId/replies/preview',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Texte d’un modèle (accusé de réception, attente, réponse) rempli pour cette réclamation',
          params,
          querystring: z.object({ templateKey: z.enum(TEMPLATE_KINDS), channel: z.enum(OUTBOUND_CHANNELS).optional() }),
          response: {
            200: z.object({ channel: z.enum(OUTBOUND_CHANNELS), subject: z.string().nullable(), text: z.string(), reachable: z.array(z.enum(OUTBOUND_CHANNELS)) }),
            404: errorBody,
          },
        },
      },
      async (request) => previewTemplate(deps, requireActor(request), request.params.complaintId, request.query.templateKey, request.query.channel),
    );
    app.post(
      '/complaints/:complaintId/acknowledge',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Envoyer l’accusé de réception (processus « après validation », ou texte revu par l’agent)',
          params,
          body: z.object({ channel: z.enum(OUTBOUND_CHANNELS).optional(), text: z.string().trim().min(10).max(20_000).optional() }),
          response: { 201: z.object({ message: messageDto }), 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const message = await acknowledge(deps, actor.tenantId, request.params.complaintId, { actor, text: request.body.text ?? null, ...(request.body.channel ? { channel: request.body.channel } : {}) });
        return reply.code(201).send({ message: toMessageDto(message!) });
      },
    );

    const viewers = z.object({ viewers: z.array(z.object({ userId: z.string(), name: z.string(), since: z.string() })) });
    app.post(
      '/complaints/:complaintId/presence',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Signaler que j’ai ce dossier ouvert (toutes les 20 s) et voir qui d’autre le consulte',
          params,
          response: { 200: viewers, 404: errorBody },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        const complaint = await getComplaint(deps.db, actor.tenantId, request.params.complaintId);
        if (!complaint) throw new NotFoundError('Réclamation introuvable.');
        const now = deps.clock.now();
        await touchPresence(deps.db, actor.tenantId, complaint.id, actor.userId, now);
        const rows = await listPresence(deps.db, actor.tenantId, complaint.id, new Date(now.getTime() - PRESENCE_WINDOW_MS));
        return { viewers: rows.filter((r) => r.user_id !== actor.userId).map((r) => ({ userId: r.user_id, name: r.name, since: r.since.toISOString() })) };
      },
    );
    app.delete(
      '/complaints/:complaintId/presence',
      { schema: { tags: ['complaints'], summary: 'Je ferme ce dossier', params, response: { 204: z.null(), 404: errorBody } } },
      async (request, reply) => {
        const actor = requireActor(request);
        const complaint = await getComplaint(deps.db, actor.tenantId, request.params.complaintId);
        if (!complaint) throw new NotFoundError('Réclamation introuvable.');
        await leavePresence(deps.db, actor.tenantId, complaint.id, actor.userId);
        return reply.code(204).send(null);
      },
    );

    // Live updates: one server-sent event per committed change to a complaint of the tenant.
    const feed = new LiveFeed(deps);
    const open = new Set<ServerResponse>();
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
      await feed.close();
    });
    app.get(
      '/stream',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Flux d’événements (server-sent events) : `event: complaint` avec `{ complaintId, type }` à chaque changement validé (pas les simples consultations)',
          produces: ['text/event-stream'],
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
        res.write('retry: 5000\n: connecté\n\n');
        open.add(res);
        const unsubscribe = await feed.subscribe(actor.tenantId, (e) => {
          res.write(`event: complaint\ndata: ${JSON.stringify({ complaintId: e.complaintId, type: e.type })}\n\n`);
        });
        const ping = setInterval(() => res.write(': ping\n\n'), 25_000);
        ping.unref();
        res.on('close', () => {
          open.delete(res);
          clearInterval(ping);
          void unsubscribe();
        });
      },
    );
  };
}
