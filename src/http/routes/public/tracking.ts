/**
 * The customer's tracking page (`/suivi/:token`): status in the wording every channel shares
 * (src/domain/customer-status.ts), dates, the messages meant for the customer, and a form to add
 * information or documents, journaled as a `follow_up` webform payload that carries the tracking token
 * as thread hint. The token is the only key: unguessable, never sent to a third party (no-referrer).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Deps } from '../../../deps.ts';
import type { Complaint, Message, Tenant } from '../../../db/types.ts';
import { getComplaintByTrackingToken } from '../../../db/repositories/complaints.ts';
import { getTenant } from '../../../db/repositories/tenants.ts';
import { listComplaintMessages } from '../../../db/repositories/messages.ts';
import { listComplaintAttachments } from '../../../db/repositories/attachments.ts';
import { findJournal } from '../../../db/repositories/inbound.ts';
import { acceptInbound, inboundOutcome } from '../../../intake/journal.ts';
import { localDateOf } from '../../../domain/calendar.ts';
import { customerStatus, formatDateLong, formatDateTimeParis } from '../../../domain/customer-status.ts';
import { buildWebformPayload, readWebformPayload, WEBFORM_LIMITS, webformFileLimit } from '../../../../connectors/webform/payload.ts';
import { attrs, html, installPublicErrorPages, layout, notFoundPage, sendPage, type SafeHtml } from './html.ts';
import {
  checkUploads,
  errorSummary,
  field,
  FILE_ACCEPT,
  filesHint,
  formatSize,
  honeypot,
  HONEYPOT_FIELD,
  IDEMPOTENCY_KEY_RE,
  newIdempotencyKey,
  publicPostRateLimit,
  PUBLIC_ROUTE_CONFIG,
  readSubmission,
  type FieldError,
} from './form.ts';

const TOKEN_RE = /^[A-Za-z0-9_-]{16,100}$/;

async function complaintOr404(deps: Deps, token: string, reply: FastifyReply): Promise<{ complaint: Complaint; tenant: Tenant } | null> {
  const complaint = TOKEN_RE.test(token) ? await getComplaintByTrackingToken(deps.db, token) : undefined;
  const tenant = complaint ? await getTenant(deps.db, complaint.tenant_id) : undefined;
  if (!complaint || !tenant) {
    // One page whatever the reason (malformed, unknown): a token reveals nothing by its answer.
    sendPage(reply, 404, notFoundPage());
    return null;
  }
  return { complaint, tenant };
}

/** Inbound and outbound messages only: never internal notes, never a message held for an agent's review. */
export function visibleToCustomer(m: Message): boolean {
  return (m.direction === 'inbound' || m.direction === 'outbound') && m.review_reason === null;
}

type AddedState = 'pending' | 'added' | 'received' | null;

/** What became of a follow-up posted from this page (null when the key does not belong to this page). */
async function addedState(deps: Deps, complaint: Complaint, token: string, key: string | undefined): Promise<AddedState> {
  if (!key || !IDEMPOTENCY_KEY_RE.test(key)) return null;
  const row = await findJournal(deps.db, complaint.tenant_id, 'webform', key);
  if (!row) return null;
  const read = readWebformPayload(row.payload);
  if (!read.ok || read.value.kind !== 'follow_up' || read.value.trackingToken !== token) return null;
  const outcome = await inboundOutcome(deps, complaint.tenant_id, 'webform', key);
  if (outcome.status === 'pending') return 'pending';
  if (outcome.status === 'processed' && outcome.complaintId === complaint.id) return 'added';
  return 'received';
}

interface PageArgs {
  complaint: Complaint;
  tenant: Tenant;
  token: string;
  messages: Message[];
  attachmentsByMessage: Map<string, { name: string; size: number }[]>;
  added: AddedState;
  sent: boolean;
  key: string;
  description?: string;
  errors?: FieldError[];
  filesWereSent?: boolean;
  fileLimit: number;
  today: string;
}

function trackingPage(a: PageArgs): SafeHtml {
  const { complaint, tenant } = a;
  const errors = a.errors ?? [];
  const status = customerStatus({
    status: complaint.status,
    reference: complaint.reference,
    receivedOn: localDateOf(complaint.received_at),
    answerDueOn: complaint.answer_due_on,
    acknowledged: complaint.acknowledged_at !== null,
    outcome: complaint.outcome,
    answeredOn: complaint.answered_at ? localDateOf(complaint.answered_at) : null,
    today: a.today,
  });
  const notice =
    a.added === 'added'
      ? html`<div class="panel" role="status"><p><strong>Votre message a bien été ajouté</strong> à votre dossier.</p></div>`
      : a.added === 'pending'
        ? html`<div class="panel info" role="status"><p><strong>Votre message est en cours d’enregistrement.</strong> Cette page se met à jour toute seule dans quelques secondes.</p></div>`
        : a.added === 'received' || a.sent
          ? html`<div class="panel info" role="status"><p><strong>Votre message a bien été reçu.</strong> Un conseiller l’examinera.</p></div>`
          : '';
  const self = `/suivi/${encodeURIComponent(a.token)}`;
  const body = html`<h1>Suivi de votre réclamation</h1>
${notice}
<div class="panel info">
<p>Référence : <span class="reference">${complaint.reference}</span></p>
<h2>${status.headline}</h2>
<p>${status.detail}</p>
</div>
<dl class="copy">
<dt>Reçue le</dt><dd>${formatDateTimeParis(complaint.received_at)}</dd>
<dt>Réponse au plus tard le</dt><dd>${formatDateLong(complaint.answer_due_on)}</dd>
${complaint.subject ? html`<dt>Objet</dt><dd>${complaint.subject}</dd>` : ''}
</dl>
<h2>Vos échanges</h2>
${
  a.messages.length === 0
    ? html`<p>Aucun message pour l’instant.</p>`
    : html`<ol class="messages">${a.messages.map((m) => {
        const files = a.attachmentsByMessage.get(m.id) ?? [];
        const who = m.direction === 'inbound' ? 'Vous' : tenant.name;
        return html`<li class="${m.direction}"><article>
<h3>${who} — ${formatDateTimeParis(m.sent_at ?? m.created_at)}</h3>
${m.subject ? html`<p><strong>${m.subject}</strong></p>` : ''}
<div class="text">${m.body_text}</div>
${files.length > 0 ? html`<p>Pièces jointes :</p><ul>${files.map((f) => html`<li>${f.name} (${formatSize(f.size)})</li>`)}</ul>` : ''}
</article></li>`;
      })}</ol>`
}
<h2 id="ajout">Ajouter des informations ou des documents</h2>
${complaint.status === 'cloturee' ? html`<p class="notice">Votre dossier est clôturé : un conseiller examinera votre message.</p>` : ''}
${errorSummary(errors)}
${a.filesWereSent && errors.length > 0 ? html`<p class="notice"><strong>Pièces jointes :</strong> pour votre sécurité, le navigateur ne garde pas les fichiers choisis ; sélectionnez-les à nouveau avant d’envoyer.</p>` : ''}
<form method="post" action="${self}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="cle" value="${a.key}">
${honeypot()}
${field({
  id: 'description',
  label: 'Votre message',
  required: 'obligatoire',
  hint: 'Précisez ce que vous souhaitez ajouter à votre dossier.',
  errors,
  control: (c) =>
    html`<textarea${attrs({ id: 'description', name: 'description', rows: 6, required: true, 'aria-describedby': c.describedBy, 'aria-invalid': c.invalid ? 'true' : undefined })}>${a.description ?? ''}</textarea>`,
})}
${field({
  id: 'pieces',
  label: 'Documents',
  hint: filesHint(a.fileLimit),
  errors,
  control: (c) =>
    html`<input${attrs({ type: 'file', id: 'pieces', name: 'pieces', multiple: true, accept: FILE_ACCEPT, 'aria-describedby': c.describedBy, 'aria-invalid': c.invalid ? 'true' : undefined })}>`,
})}
<p><button type="submit">Envoyer</button></p>
</form>
<p class="notice">Cette page est personnelle : ne partagez pas son adresse. Pour toute question, écrivez à <a href="mailto:${tenant.email}">${tenant.email}</a> en rappelant la référence ${complaint.reference}.</p>`;
  return layout({
    title: `${errors.length > 0 ? 'Erreur : ' : ''}Suivi de la réclamation ${complaint.reference} — ${tenant.name}`,
    siteName: tenant.name,
    refreshSeconds: a.added === 'pending' ? 2 : undefined,
    body,
  });
}

async function pageData(deps: Deps, complaint: Complaint) {
  const messages = (await listComplaintMessages(deps.db, complaint.tenant_id, complaint.id)).filter(visibleToCustomer);
  const shown = new Set(messages.map((m) => m.id));
  const attachmentsByMessage = new Map<string, { name: string; size: number }[]>();
  for (const att of await listComplaintAttachments(deps.db, complaint.tenant_id, complaint.id)) {
    if (att.removed_at !== null || !att.message_id || !shown.has(att.message_id)) continue;
    const list = attachmentsByMessage.get(att.message_id) ?? [];
    list.push({ name: att.filename, size: Number(att.size_bytes) });
    attachmentsByMessage.set(att.message_id, list);
  }
  return { messages, attachmentsByMessage };
}

export function trackingRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    installPublicErrorPages(app);
    const fileLimit = webformFileLimit(deps.config.maxUploadBytes);

    app.get<{ Params: { token: string }; Querystring: { ajout?: string; envoi?: string } }>(
      '/:token',
      { schema: { hide: true }, config: PUBLIC_ROUTE_CONFIG },
      async (request, reply) => {
        const found = await complaintOr404(deps, request.params.token, reply);
        if (!found) return reply;
        const { complaint, tenant } = found;
        const token = request.params.token;
        const page = trackingPage({
          complaint,
          tenant,
          token,
          ...(await pageData(deps, complaint)),
          added: await addedState(deps, complaint, token, request.query.ajout),
          sent: request.query.envoi === 'ok',
          key: newIdempotencyKey(),
          fileLimit,
          today: localDateOf(deps.clock.now()),
        });
        return sendPage(reply, 200, page);
      },
    );

    app.post<{ Params: { token: string } }>(
      '/:token',
      { schema: { hide: true }, config: { ...PUBLIC_ROUTE_CONFIG, rateLimit: publicPostRateLimit(deps) } },
      async (request, reply) => {
        const found = await complaintOr404(deps, request.params.token, reply);
        if (!found) return reply;
        const { complaint, tenant } = found;
        const token = request.params.token;
        const self = `/suivi/${encodeURIComponent(token)}`;
        const submission = await readSubmission(request, fileLimit);
        if ((submission.fields.get(HONEYPOT_FIELD) ?? '').trim() !== '') {
          request.log.info({ tenantId: tenant.id }, 'tracking page: honeypot filled, nothing journaled');
          return reply.redirect(`${self}?envoi=ok`, 303);
        }
        const description = (submission.fields.get('description') ?? '').replace(/\r\n?/g, '\n').trim();
        const postedKey = submission.fields.get('cle') ?? '';
        const keyOk = IDEMPOTENCY_KEY_RE.test(postedKey);
        const errors: FieldError[] = [];
        if (submission.malformed) {
          errors.push({ field: null, message: 'Le formulaire n’a pas été reçu en entier. Vérifiez votre message et envoyez-le à nouveau.' });
        } else if (!keyOk) {
          errors.push({ field: null, message: 'Ce formulaire a expiré. Vérifiez votre message et envoyez-le à nouveau.' });
        }
        if (description === '') errors.push({ field: 'description', message: 'Écrivez votre message.' });
        else if (description.length > WEBFORM_LIMITS.description || submission.truncatedFields.has('description')) {
          errors.push({ field: 'description', message: `Le message est trop long (${WEBFORM_LIMITS.description} caractères au plus).` });
        }
        const files = await checkUploads(submission, fileLimit);
        errors.push(...files.errors.map((message) => ({ field: 'pieces', message })));
        if (errors.length > 0) {
          const page = trackingPage({
            complaint,
            tenant,
            token,
            ...(await pageData(deps, complaint)),
            added: null,
            sent: false,
            key: keyOk ? postedKey : newIdempotencyKey(),
            description,
            errors,
            filesWereSent: submission.files.length > 0,
            fileLimit,
            today: localDateOf(deps.clock.now()),
          });
          return sendPage(reply, files.tooLarge ? 413 : 400, page);
        }
        const now = deps.clock.now();
        const { payload, contentType } = buildWebformPayload({
          tenantId: complaint.tenant_id,
          kind: 'follow_up',
          trackingToken: token,
          fields: { description },
          files: files.accepted,
          submittedAt: now,
          language: 'fr',
        });
        const accepted = await acceptInbound(deps, {
          tenantId: complaint.tenant_id,
          channel: 'webform',
          externalId: postedKey,
          payload,
          contentType,
          receivedAt: now,
        });
        request.log.info(
          { tenantId: complaint.tenant_id, journalId: accepted.journalId, duplicate: accepted.duplicate, files: files.accepted.length },
          'tracking page: follow-up journaled',
        );
        return reply.redirect(`${self}?ajout=${postedKey}`, 303);
      },
    );
  };
}
