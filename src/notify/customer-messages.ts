import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Complaint, Message } from '../db/types.ts';
import { NotFoundError, RuleError, ValidationError } from '../domain/errors.ts';
import { localDateOf } from '../domain/calendar.ts';
import { checkTransition, OUTCOMES, type Outcome } from '../domain/status.ts';
import type { TemplateKind } from '../domain/templates.ts';
import { getComplaint, getComplaintForUpdate, updateComplaint } from '../db/repositories/complaints.ts';
import { getCustomer } from '../db/repositories/customers.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { getProcess } from '../db/repositories/processes.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { listComplaintAttachments } from '../db/repositories/attachments.ts';
import { complaintsAwaitingAutoAck } from '../db/repositories/acknowledgements.ts';
import { listChannels } from '../db/repositories/channels.ts';
import { templatesOf } from '../services/processes.ts';
import type { Actor } from '../services/actor.ts';
import { customerCommunicationOf } from './communication.ts';
import { composeFromTemplate, composeStatusUpdate, subjectFor, templateValues } from './compose.ts';
import { enqueueDelivery, OUTBOUND_CHANNELS, queueOutbound, type OutboundChannel } from './outbound.ts';
import { customerTargets, type Target } from './targets.ts';

type Db = Deps['db'];

/**
 * What Guichet says to a complaint's customer, on their channel: the acknowledgement (automatic or
 * approved by an agent), agents' replies and answers, and status updates on every channel they used.
 * One mechanism: compose (src/notify/compose.ts) → queue (src/notify/outbound.ts) → send job.
 */

const CHANNEL_LABEL: Record<OutboundChannel, string> = { email: 'email', sms: 'SMS', slack: 'Slack' };

async function automaticLimit(db: Db, tenantId: string, channel: OutboundChannel): Promise<number> {
  const kind = channel === 'sms' ? 'twilio' : channel;
  const row = (await listChannels(db, tenantId, kind)).find((c) => c.enabled);
  const v = row?.config.autoRepliesPerHour;
  return typeof v === 'number' ? v : 5;
}

async function loadContext(db: Db, tenantId: string, complaintId: string) {
  const complaint = await getComplaint(db, tenantId, complaintId);
  if (!complaint) throw new NotFoundError('Réclamation introuvable.');
  const [tenant, customer, process] = await Promise.all([
    getTenant(db, tenantId),
    getCustomer(db, tenantId, complaint.customer_id),
    complaint.process_id ? getProcess(db, tenantId, complaint.process_id) : Promise.resolve(undefined),
  ]);
  return { complaint, tenant: tenant!, customer: customer ?? null, templates: templatesOf(process?.settings) };
}

function pickTarget(targets: Target[], channel: OutboundChannel | undefined): Target {
  if (!channel) {
    const first = targets[0];
    if (!first) throw new RuleError('no_channel', 'Aucun moyen de joindre ce client : pas d’adresse email, de mobile ni de conversation Slack sur un canal configuré.');
    return first;
  }
  const t = targets.find((x) => x.channel === channel);
  if (!t) throw new RuleError('no_channel', `Impossible de joindre ce client par ${CHANNEL_LABEL[channel]} : identité absente ou canal non configuré.`);
  return t;
}

// ── Acknowledgement ──────────────────────────────────────────────────────────────────────────────

/**
 * Queues the acknowledgement of one complaint on the customer's channel (stated handling, answer date,
 * médiateur — the process template). The acknowledgement clock stops when it has left (src/notify/dispatch.ts).
 * Returns null, and records why on the complaint, when the customer cannot be reached in writing.
 */
export async function acknowledge(deps: Deps, tenantId: string, complaintId: string, options: { actor?: Actor | null; text?: string | null; channel?: OutboundChannel } = {}): Promise<Message | null> {
  const { complaint, tenant, customer, templates } = await loadContext(deps.db, tenantId, complaintId);
  if (complaint.acknowledged_at || complaint.answered_at) throw new RuleError('already_acknowledged', 'Cette réclamation a déjà reçu son accusé de réception.');
  const targets = await customerTargets(deps.db, complaint);
  const now = deps.clock.now();
  if (targets.length === 0 || (options.channel && !targets.some((t) => t.channel === options.channel))) {
    if (options.actor) pickTarget(targets, options.channel);
    await insertEvents(deps.db, [{ tenantId, complaintId, actorKind: 'system', type: 'acknowledgement.no_channel', data: { reason: 'Aucun canal écrit pour joindre le client : accusez réception par courrier ou téléphone.' }, at: now }]);
    return null;
  }
  const target = pickTarget(targets, options.channel);
  const values = templateValues(deps.config.publicUrl, tenant, complaint, customer);
  const composed = composeFromTemplate(target.channel, 'acknowledgement', templates.acknowledgement, values, complaint);
  const message = await deps.db.transaction().execute(async (trx) =>
    queueOutbound(deps, trx, {
      tenantId,
      complaintId,
      customerId: complaint.customer_id,
      channel: target.channel,
      recipient: target.recipient,
      subject: composed.subject,
      text: options.text?.trim() || composed.text,
      purpose: 'ack',
      automatic: !options.actor,
      authorUserId: options.actor?.userId ?? null,
      inReplyToMessageId: target.inReplyToMessageId,
      conversationKey: target.conversationKey,
    }, { now, automaticPerHour: await automaticLimit(trx, tenantId, target.channel) }),
  );
  await enqueueDelivery(deps, message);
  return message;
}

/** The sweep: acknowledgements due to leave on their own (processes in `auto` mode). Returns how many were queued. */
export async function runAutoAcknowledgements(deps: Deps, limit = 200): Promise<number> {
  const due = await complaintsAwaitingAutoAck(deps.db, new Date(deps.clock.now().getTime() - 30 * 86_400_000), limit);
  let queued = 0;
  for (const { tenantId, complaintId } of due) {
    try {
      if (await acknowledge(deps, tenantId, complaintId)) queued++;
    } catch (err) {
      deps.logger.warn({ err, tenantId, complaintId }, 'acknowledgement not queued');
    }
  }
  return queued;
}

// ── Replies and answers ──────────────────────────────────────────────────────────────────────────

export const replyInputSchema = z.object({
  channel: z.enum(OUTBOUND_CHANNELS).optional(),
  subject: z.string().trim().min(1).max(300).optional(),
  text: z.string().trim().min(1, 'Le message est vide.').max(20_000),
  /** `answer` is the reasoned answer (it resolves the complaint with its outcome); `holding` tells why and when. */
  purpose: z.enum(['reply', 'answer', 'holding']).default('reply'),
  outcome: z.enum(OUTCOMES).optional(),
  /** Attachments of the complaint (uploaded with POST …/attachments) sent with an email. */
  attachmentIds: z.array(z.uuid()).max(10).default([]),
});
export type ReplyInput = z.input<typeof replyInputSchema>;

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** An answer that refuses even partly must name the médiateur and the other means of redress. */
export function hasMediationParagraph(text: string, mediator: string): boolean {
  const t = fold(text);
  const names = t.includes('mediateur') || t.includes('mediation') || t.includes(fold(mediator).slice(0, 30));
  return names && t.includes('recours');
}

/** An agent writes to the customer (channel defaulting to the one they used last). */
export async function sendReply(deps: Deps, actor: Actor, complaintId: string, raw: ReplyInput): Promise<Message> {
  const input = replyInputSchema.parse(raw);
  const { complaint, tenant } = await loadContext(deps.db, actor.tenantId, complaintId);
  const target = pickTarget(await customerTargets(deps.db, complaint), input.channel);
  const comm = customerCommunicationOf(tenant.settings);
  const outcome: Outcome | null = input.purpose === 'answer' ? (input.outcome ?? complaint.outcome) : null;
  if (input.purpose === 'answer') {
    if (!outcome) throw new ValidationError('Issue manquante.', { outcome: 'Indiquez l’issue de la réponse : acceptée, partielle ou refusée.' });
    if (outcome !== 'accepte' && !hasMediationParagraph(input.text, comm.mediator)) {
      throw new RuleError('mediation_paragraph_required', 'Une réponse partielle ou négative doit indiquer le médiateur et les voies de recours : insérez le paragraphe prévu par le modèle de réponse.');
    }
  }
  if (input.attachmentIds.length > 0 && target.channel !== 'email') {
    throw new ValidationError('Pièces jointes impossibles sur ce canal.', { attachmentIds: 'Seul un email peut porter des pièces jointes.' });
  }
  const files = await attachmentsToSend(deps, actor.tenantId, complaintId, input.attachmentIds);
  const now = deps.clock.now();
  const message = await deps.db.transaction().execute(async (trx) => {
    const locked = (await getComplaintForUpdate(trx, actor.tenantId, complaintId))!;
    if (input.purpose === 'answer' && locked.status !== 'resolue') {
      checkTransition({ from: locked.status, to: 'resolue', outcome, currentOutcome: locked.outcome, reason: null, role: actor.role, closedOn: locked.closed_at ? localDateOf(locked.closed_at) : null, today: localDateOf(now) });
    }
    const m = await queueOutbound(deps, trx, {
      tenantId: actor.tenantId,
      complaintId,
      customerId: locked.customer_id,
      channel: target.channel,
      recipient: target.recipient,
      subject: target.channel === 'email' ? (input.subject ?? subjectFor(locked, input.purpose)) : null,
      text: input.text,
      purpose: input.purpose,
      automatic: false,
      authorUserId: actor.userId,
      inReplyToMessageId: target.inReplyToMessageId,
      conversationKey: target.conversationKey,
      attachments: files,
    }, { now });
    if (m.delivery_status === 'suppressed') throw new RuleError('recipient_opted_out', m.delivery_error ?? 'Envoi impossible sur ce canal.');
    if (input.purpose === 'answer') {
      const set: Parameters<typeof updateComplaint>[3] = { outcome, updated_at: now };
      if (locked.status !== 'resolue') set.status = 'resolue';
      if (!locked.answered_at) set.answered_at = now;
      await updateComplaint(trx, actor.tenantId, complaintId, set);
      await insertEvents(trx, [{ tenantId: actor.tenantId, complaintId, actorUserId: actor.userId, actorKind: 'user', type: 'complaint.status_changed', data: { before: locked.status, after: 'resolue', outcome, reason: null, messageId: m.id }, at: now }]);
    }
    return m;
  });
  await enqueueDelivery(deps, message);
  if (input.purpose === 'answer') {
    const updated = (await getComplaint(deps.db, actor.tenantId, complaintId))!;
    await notifyStatus(deps, updated, { except: [target.channel] });
  }
  return message;
}

/** The bytes of complaint attachments an agent chose to send; an id not of this complaint is refused. */
async function attachmentsToSend(deps: Deps, tenantId: string, complaintId: string, ids: string[]) {
  if (ids.length === 0) return [];
  const own = new Map((await listComplaintAttachments(deps.db, tenantId, complaintId)).map((a) => [a.id, a]));
  return Promise.all(
    ids.map(async (id) => {
      const a = own.get(id);
      if (!a || a.removed_at) throw new ValidationError('Pièce jointe inconnue.', { attachmentIds: 'Choisissez des pièces jointes de cette réclamation.' });
      return { filename: a.filename, contentType: a.content_type, content: new Uint8Array(await deps.files.get(a.sha256)) };
    }),
  );
}

/** What a template gives for this complaint on a channel, for the agent to edit before sending. */
export async function previewTemplate(deps: Deps, actor: Actor, complaintId: string, kind: TemplateKind, channel?: OutboundChannel) {
  const { complaint, tenant, customer, templates } = await loadContext(deps.db, actor.tenantId, complaintId);
  const targets = await customerTargets(deps.db, complaint);
  const on = channel ?? targets[0]?.channel ?? 'email';
  const composed = composeFromTemplate(on, kind, templates[kind], templateValues(deps.config.publicUrl, tenant, complaint, customer), complaint);
  return { channel: on, subject: composed.subject, text: composed.text, reachable: targets.map((t) => t.channel) };
}

// ── Status updates ───────────────────────────────────────────────────────────────────────────────

/**
 * After a status change: the customer reads the new status, in the tracking page's words, on each channel
 * they wrote from (opt-outs and the loop guard apply at queue time). Never throws: the change stands.
 */
export async function notifyStatus(deps: Deps, complaint: Complaint, options: { except?: OutboundChannel[] } = {}): Promise<Message[]> {
  try {
    const tenant = (await getTenant(deps.db, complaint.tenant_id))!;
    if (!customerCommunicationOf(tenant.settings).statusUpdates) return [];
    const targets = (await customerTargets(deps.db, complaint, { usedOnly: true })).filter((t) => !(options.except ?? []).includes(t.channel));
    if (targets.length === 0) return [];
    const customer = (await getCustomer(deps.db, complaint.tenant_id, complaint.customer_id)) ?? null;
    const now = deps.clock.now();
    const out: Message[] = [];
    for (const target of targets) {
      const composed = composeStatusUpdate(target.channel, deps.config.publicUrl, tenant, complaint, customer, localDateOf(now));
      const limit = await automaticLimit(deps.db, complaint.tenant_id, target.channel);
      const m = await deps.db.transaction().execute((trx) =>
        queueOutbound(deps, trx, {
          tenantId: complaint.tenant_id,
          complaintId: complaint.id,
          customerId: complaint.customer_id,
          channel: target.channel,
          recipient: target.recipient,
          subject: composed.subject,
          text: composed.text,
          purpose: 'status',
          automatic: true,
          authorUserId: null,
          inReplyToMessageId: target.inReplyToMessageId,
          conversationKey: target.conversationKey,
        }, { now, automaticPerHour: limit }),
      );
      await enqueueDelivery(deps, m);
      out.push(m);
    }
    return out;
  } catch (err) {
    deps.logger.error({ err, tenantId: complaint.tenant_id, complaintId: complaint.id }, 'status update not queued');
    return [];
  }
}
