import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Deps } from '../../../deps.ts';
import { getTenant } from '../../../db/repositories/tenants.ts';
import { SORTS } from '../../../db/repositories/complaints.ts';
import { localDateOf, type Zone } from '../../../domain/calendar.ts';
import { ValidationError } from '../../../domain/errors.ts';
import {
  addAttachments,
  addNote,
  assignComplaint,
  changeStatus,
  confirmSender,
  attachmentDto as toAttachmentDto,
  complaintDto as toComplaintDto,
  messageDto as toMessageDto,
  createComplaint,
  getComplaintDetail,
  listComplaints,
  readAttachment,
  removeAttachment,
  updateComplaintFields,
  type UploadedFile,
} from '../../../services/complaints.ts';
import type { Complaint } from '../../../db/types.ts';
import { splitMessage } from '../../../services/split.ts';
import { requireActor } from '../../plugins/auth.ts';
import {
  attachmentDto,
  booleanQuery,
  cause,
  channel,
  complainantType,
  complaintDetailDto,
  complaintDto,
  complaintListItem,
  csvList,
  errorBody,
  isoDate,
  kind,
  messageDto,
  outcome,
  priority,
  product,
  status,
  uuid,
} from '../../schemas.ts';

const complaintParams = z.object({ complaintId: uuid });
const attachmentParams = z.object({ complaintId: uuid, attachmentId: uuid });

const MANUAL_CHANNELS = ['letter', 'phone', 'in_person', 'email'] as const;

const createBody = z.object({
  channel: z.enum(MANUAL_CHANNELS, { message: 'Canal attendu : letter, phone, in_person ou email.' }),
  sentOn: isoDate.nullable().optional(),
  receivedAt: z.iso.datetime({ offset: true, message: 'Date et heure ISO 8601 attendues.' }).optional(),
  complainant: z.object({
    name: z.string().trim().min(2, 'Indiquez le nom du réclamant.').max(200),
    email: z.string().trim().max(320).nullable().optional(),
    phone: z.string().trim().max(40).nullable().optional(),
    type: complainantType.optional(),
  }),
  subject: z.string().trim().max(200).nullable().optional(),
  nature: z.string().trim().max(500).nullable().optional(),
  description: z.string().trim().min(5, 'Décrivez la réclamation (5 caractères au moins).').max(50_000),
  contractNumber: z.string().trim().max(60).nullable().optional(),
  kind: kind.optional(),
  cause: cause.nullable().optional(),
  product: product.nullable().optional(),
  priority: priority.optional(),
  assigneeId: uuid.nullable().optional(),
  attachments: z
    .array(
      z.object({
        filename: z.string().trim().min(1).max(255),
        contentType: z.string().trim().min(3).max(200),
        contentBase64: z.string().min(1),
      }),
    )
    .max(10, 'Dix pièces jointes au plus.')
    .optional(),
});

const listQuery = z.object({
  status: csvList(status).optional(),
  kind: csvList(kind).optional(),
  cause: csvList(cause).optional(),
  product: csvList(product).optional(),
  channel: csvList(channel).optional(),
  priority: csvList(priority).optional(),
  assignee: z.union([z.enum(['me', 'none']), uuid]).optional(),
  team: z.string().trim().min(1, 'Indiquez le nom de l’équipe.').max(100, 'Nom d’équipe trop long : 100 caractères au plus.').optional(),
  myTeams: booleanQuery.optional(),
  customerId: uuid.optional(),
  overdue: booleanQuery.optional(),
  triage: booleanQuery.optional(),
  dueWithinDays: z.coerce.number().int().min(0).max(366).optional(),
  q: z.string().trim().max(200).optional(),
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS, ...(keyof typeof SORTS)[]]).optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  cursor: z.string().max(500).optional(),
});

const patchBody = z
  .object({
    subject: z.string().trim().min(2).max(200).optional(),
    nature: z.string().trim().max(500).nullable().optional(),
    description: z.string().trim().min(5).max(50_000).optional(),
    contractNumber: z.string().trim().max(60).nullable().optional(),
    kind: kind.optional(),
    cause: cause.nullable().optional(),
    product: product.nullable().optional(),
    priority: priority.optional(),
    sentOn: isoDate.nullable().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'Aucun champ à modifier.' });

function decodeAttachments(list: z.infer<typeof createBody>['attachments']): UploadedFile[] {
  return (list ?? []).map((a, i) => {
    if (!/^[A-Za-z0-9+/=\s]+$/.test(a.contentBase64)) {
      throw new ValidationError('Pièce jointe illisible.', { [`attachments.${i}.contentBase64`]: 'Contenu base64 invalide.' });
    }
    return { filename: a.filename, contentType: a.contentType, data: Buffer.from(a.contentBase64, 'base64') };
  });
}

export function complaintRoutes(deps: Deps): FastifyPluginAsyncZod {
  return async (app) => {
    const present = async (tenantId: string, c: Complaint) => {
      const tenant = await getTenant(deps.db, tenantId);
      return toComplaintDto(c, localDateOf(deps.clock.now()), (tenant?.zone ?? 'metropole') as Zone);
    };

    app.post(
      '/complaints',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Enregistrer une réclamation reçue par courrier, téléphone, en agence ou par email',
          body: createBody,
          response: { 201: complaintDto, 400: errorBody },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const { attachments, receivedAt, ...rest } = request.body;
        const created = await createComplaint(deps, actor, {
          ...rest,
          receivedAt: receivedAt ? new Date(receivedAt) : undefined,
          attachments: decodeAttachments(attachments),
        });
        return reply.status(201).send(await present(actor.tenantId, created));
      },
    );

    app.get(
      '/complaints',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Lister les réclamations (filtres, recherche plein texte, tri, pagination par curseur)',
          description:
            'Les filtres se combinent (ET) ; une liste de valeurs séparées par des virgules vaut l’une d’elles.\n\n' +
            '**Équipes** — `myTeams=true` (la vue « Mon équipe ») : les réclamations des équipes de l’utilisateur connecté ; ' +
            '`team=<nom>` : celles de cette équipe (les deux ensemble : cette équipe si l’utilisateur en fait partie). ' +
            'Une réclamation est celle d’une équipe quand son processus appartient à l’équipe (`team` du processus) ' +
            '**ou** qu’elle est attribuée à un membre de l’équipe (`teams` de l’utilisateur), quel que soit son processus. ' +
            'Les noms d’équipe se comparent sans tenir compte de la casse ; seuls les processus et utilisateurs du cabinet ' +
            'comptent. Un utilisateur sans équipe obtient une liste vide.',
          querystring: listQuery,
          response: {
            200: z.object({
              items: z.array(complaintListItem),
              /** Exact up to 1,000; beyond, `totalCapped` is true and the console says « plus de 1 000 ». */
              total: z.number(),
              totalCapped: z.boolean(),
              nextCursor: z.string().nullable(),
            }),
          },
        },
      },
      async (request) => listComplaints(deps, requireActor(request), request.query),
    );

    app.get(
      '/complaints/:complaintId',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Le dossier complet avec sa chronologie',
          params: complaintParams,
          response: { 200: complaintDetailDto, 404: errorBody },
        },
      },
      async (request) => getComplaintDetail(deps, requireActor(request), request.params.complaintId),
    );

    app.patch(
      '/complaints/:complaintId',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Modifier les champs d’une réclamation (les délais suivent la date d’envoi)',
          params: complaintParams,
          body: patchBody,
          response: { 200: complaintDto, 400: errorBody, 404: errorBody },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return present(actor.tenantId, await updateComplaintFields(deps, actor, request.params.complaintId, request.body));
      },
    );

    app.post(
      '/complaints/:complaintId/status',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Changer le statut (issue obligatoire pour « résolue », motif pour une réouverture)',
          params: complaintParams,
          body: z.object({ status, outcome: outcome.nullable().optional(), reason: z.string().trim().max(2000).nullable().optional() }),
          response: { 200: complaintDto, 404: errorBody, 422: errorBody },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return present(actor.tenantId, await changeStatus(deps, actor, request.params.complaintId, request.body));
      },
    );

    app.post(
      '/complaints/:complaintId/assign',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Attribuer à un utilisateur (ou retirer l’attribution avec null)',
          params: complaintParams,
          body: z.object({ assigneeId: uuid.nullable() }),
          response: { 200: complaintDto, 400: errorBody, 404: errorBody },
        },
      },
      async (request) => {
        const actor = requireActor(request);
        return present(actor.tenantId, await assignComplaint(deps, actor, request.params.complaintId, request.body.assigneeId));
      },
    );

    app.post(
      '/complaints/:complaintId/notes',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Ajouter une note interne (jamais envoyée au client)',
          params: complaintParams,
          body: z.object({ text: z.string().max(20_000) }),
          response: { 201: messageDto, 400: errorBody, 404: errorBody },
        },
      },
      async (request, reply) => {
        const m = await addNote(deps, requireActor(request), request.params.complaintId, request.body.text);
        return reply.status(201).send(toMessageDto(m));
      },
    );

    app.post(
      '/complaints/:complaintId/attachments',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Joindre des documents (multipart/form-data, 5 fichiers au plus)',
          consumes: ['multipart/form-data'],
          params: complaintParams,
          response: { 201: z.object({ items: z.array(attachmentDto) }), 400: errorBody, 404: errorBody, 413: errorBody },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        if (!request.isMultipart()) {
          throw new ValidationError('Envoi multipart attendu.', { file: 'Envoyez les fichiers en multipart/form-data.' });
        }
        const files: UploadedFile[] = [];
        for await (const part of request.files()) {
          const data = await part.toBuffer();
          files.push({ filename: part.filename || 'document', contentType: part.mimetype || 'application/octet-stream', data });
        }
        const rows = await addAttachments(deps, actor, request.params.complaintId, files);
        return reply.status(201).send({ items: rows.map(toAttachmentDto) });
      },
    );

    app.get(
      '/complaints/:complaintId/attachments/:attachmentId',
      {
        schema: { tags: ['complaints'], summary: 'Télécharger une pièce jointe', params: attachmentParams },
      },
      async (request, reply) => {
        const { attachment, data } = await readAttachment(deps, requireActor(request), request.params.complaintId, request.params.attachmentId);
        const ascii = attachment.filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
        return reply
          .header('content-type', attachment.content_type)
          .header('content-disposition', `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(attachment.filename)}`)
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "default-src 'none'; sandbox")
          .send(data);
      },
    );

    app.post(
      '/complaints/:complaintId/messages/:messageId/split',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Détacher un message rattaché à tort : il ouvre sa propre réclamation',
          params: z.object({ complaintId: uuid, messageId: uuid }),
          response: { 201: complaintDto, 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        const actor = requireActor(request);
        const created = await splitMessage(deps, actor, request.params.complaintId, request.params.messageId);
        return reply.status(201).send(await present(actor.tenantId, created));
      },
    );

    app.post(
      '/complaints/:complaintId/messages/:messageId/confirm-sender',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Confirmer l’expéditeur d’un message retenu pour vérification (il pourra être montré et recevoir une réponse)',
          params: z.object({ complaintId: uuid, messageId: uuid }),
          response: { 204: z.null(), 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        await confirmSender(deps, requireActor(request), request.params.complaintId, request.params.messageId);
        return reply.status(204).send(null);
      },
    );

    app.delete(
      '/complaints/:complaintId/attachments/:attachmentId',
      {
        schema: {
          tags: ['complaints'],
          summary: 'Retirer une pièce jointe (elle reste tracée dans l’historique)',
          params: attachmentParams,
          response: { 204: z.null(), 404: errorBody, 422: errorBody },
        },
      },
      async (request, reply) => {
        await removeAttachment(deps, requireActor(request), request.params.complaintId, request.params.attachmentId);
        return reply.status(204).send(null);
      },
    );
  };
}
