import type { Complaint, Customer, Tenant } from '../db/types.ts';
import { localDateOf } from '../domain/calendar.ts';
import { customerStatus, formatDateLong } from '../domain/customer-status.ts';
import { renderTemplate, type TemplateKind, type TemplateVariable } from '../domain/templates.ts';
import { customerCommunicationOf } from './communication.ts';
import { smsAckText, smsAnswerText, smsHoldingText, smsStatusText } from '../domain/sms.ts';
import type { OutboundChannel } from './outbound.ts';

/**
 * The words Guichet writes to customers, composed once for every channel: the process's templates for
 * acknowledgements, holding replies and answers, and the tracking page's status wording for status
 * updates. Channels differ only in framing (email greeting and signature, a short SMS, a Slack line).
 */
export function trackingLink(publicUrl: string, complaint: Pick<Complaint, 'tracking_token'>): string {
  return `${publicUrl.replace(/\/$/, '')}/suivi/${complaint.tracking_token}`;
}

export function templateValues(publicUrl: string, tenant: Tenant, complaint: Complaint, customer: Pick<Customer, 'display_name'> | null): Record<TemplateVariable, string> {
  const comm = customerCommunicationOf(tenant.settings);
  return {
    reference: complaint.reference,
    client: customer?.display_name?.trim() || 'Madame, Monsieur',
    date_reception: formatDateLong(localDateOf(complaint.received_at)),
    date_reponse: formatDateLong(complaint.answer_due_on),
    cabinet: comm.signature?.trim() || tenant.name,
    mediateur: comm.mediator,
    lien_suivi: trackingLink(publicUrl, complaint),
  };
}

/** Email subjects carry the reference token, so a reply threads even when a mail client drops the headers. */
export function subjectFor(complaint: Pick<Complaint, 'reference'>, purpose: string): string {
  const what: Record<string, string> = {
    ack: 'Accusé de réception de votre réclamation',
    holding: 'Votre réclamation est toujours à l’étude',
    answer: 'Réponse à votre réclamation',
    status: 'Suivi de votre réclamation',
  };
  return `${what[purpose] ?? 'Votre réclamation'} [${complaint.reference}]`;
}

export interface Composed {
  subject: string | null;
  text: string;
}

/**
 * An acknowledgement, holding reply or answer from the process template. On SMS the template is replaced
 * by a short text that keeps what the rule requires in reach: the reference, the answer date, and the
 * tracking page (which shows the handling and the médiateur).
 */
export function composeFromTemplate(channel: OutboundChannel, kind: TemplateKind, template: string, values: Record<TemplateVariable, string>, complaint: Pick<Complaint, 'answer_due_on'>): Composed {
  if (channel === 'sms') {
    const input = { reference: values.reference, answerDueOn: complaint.answer_due_on, trackingUrl: values.lien_suivi };
    const short: Record<TemplateKind, string> = { acknowledgement: smsAckText(input), holding: smsHoldingText(input), answer: smsAnswerText(input) };
    return { subject: null, text: short[kind] };
  }
  const purpose = kind === 'acknowledgement' ? 'ack' : kind;
  return { subject: channel === 'email' ? subjectFor({ reference: values.reference }, purpose) : null, text: renderTemplate(template, values) };
}

/** A status update in the tracking page's words (the one renderer), framed for the channel. */
export function composeStatusUpdate(channel: OutboundChannel, publicUrl: string, tenant: Tenant, complaint: Complaint, customer: Pick<Customer, 'display_name'> | null, today: string): Composed {
  const status = customerStatus({
    status: complaint.status,
    reference: complaint.reference,
    receivedOn: localDateOf(complaint.received_at),
    answerDueOn: complaint.answer_due_on,
    acknowledged: complaint.acknowledged_at !== null,
    outcome: complaint.outcome,
    answeredOn: complaint.answered_at ? localDateOf(complaint.answered_at) : null,
    today,
  });
  const values = templateValues(publicUrl, tenant, complaint, customer);
  switch (channel) {
    case 'sms':
      return { subject: null, text: smsStatusText(status, values.lien_suivi) };
    case 'slack':
      return { subject: null, text: `${status.headline}\n${status.detail}\nSuivi : ${values.lien_suivi}` };
    case 'email':
      return {
        subject: subjectFor(complaint, 'status'),
        text: `Bonjour ${values.client},\n\n${status.headline}\n${status.detail}\n\nSuivre votre réclamation : ${values.lien_suivi}\n\n${values.cabinet}`,
      };
  }
}
