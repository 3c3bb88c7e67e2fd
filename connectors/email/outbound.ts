/**
 * The email channel's outbound side: one message through the tenant's SMTP server with nodemailer.
 *
 * - From the tenant's mailbox address (display name: the channel's fromName, else the firm's name).
 * - Our own Message-ID `<guichet.<reference>.<purpose>.<8 base36>@<domain of the mailbox>>`, generated
 *   once and stored on the message BEFORE the first attempt: a retry (even after a timeout where the
 *   server may have accepted the mail) sends the same Message-ID, and a reply to it threads by its id alone.
 * - In-Reply-To / References to the customer's message answered (its References chain kept by ingest).
 * - The subject carries the reference token `[REC-…]`, so that a reply whose headers were dropped still
 *   finds its complaint.
 * - Text and HTML parts, attachments; `Auto-Submitted: auto-generated` on automatic messages (RFC 3834)
 *   so that other robots do not answer them.
 * - 5xx: PermanentDeliveryError (the message fails with the server's reason); anything else throws and the
 *   queue retries.
 */
import { randomBytes } from 'node:crypto';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { Message } from '../../src/db/types.ts';
import { updateDelivery } from '../../src/db/repositories/messages.ts';
import { tenantChannel, type OpenChannel } from '../../src/services/channels.ts';
import { PermanentDeliveryError, type OutboundSender } from '../../src/notify/dispatch.ts';

const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

function randomBase36(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += BASE36[b % 36];
  return out;
}

/** `guichet.REC-2026-000123.ack.k3f9x2ab@cabinet.example` (without brackets): the public contract of our ids. */
export function ourMessageId(reference: string, purpose: string | null, domain: string): string {
  const p = (purpose ?? 'message').toLowerCase().replace(/[^a-z0-9-]/g, '') || 'message';
  return `guichet.${reference}.${p}.${randomBase36(8)}@${domain.toLowerCase()}`;
}

/** The subject with the complaint's reference token, added when the subject does not already carry it. */
export function subjectWithReference(subject: string | null, reference: string): string {
  const s = (subject ?? '').trim();
  if (s.toUpperCase().includes(reference.toUpperCase())) return s;
  return s ? `${s} [${reference}]` : `Votre réclamation [${reference}]`;
}

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** Plain text as simple HTML: one paragraph per blank-line-separated block, line breaks kept. */
export function textToHtml(text: string): string {
  const paragraphs = text
    .replace(/\r\n?/g, '\n')
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<!DOCTYPE html>\n<html lang="fr"><head><meta charset="utf-8"></head><body>\n${paragraphs.join('\n')}\n</body></html>`;
}

const bracket = (id: string) => `<${id.replace(/^<|>$/g, '')}>`;
/** Only real Message-IDs thread (a mail journaled under the hash of its bytes had none). */
const isMessageId = (id: unknown): id is string => typeof id === 'string' && id.includes('@') && !id.startsWith('sha256:');

/** In-Reply-To and References (oldest first, the answered message last) for an answer to `answered`. */
export function replyHeaders(answered: Pick<Message, 'external_id' | 'meta'> | null): { inReplyTo?: string; references?: string[] } {
  if (!answered || !isMessageId(answered.external_id)) return {};
  const chain = Array.isArray(answered.meta.references) ? answered.meta.references.filter(isMessageId) : [];
  const references = [...new Set([...chain, answered.external_id])].slice(-20).map(bracket);
  return { inReplyTo: bracket(answered.external_id), references };
}

interface SmtpError {
  responseCode?: number;
  response?: string;
  code?: string;
  message?: string;
}

function smtpReason(err: SmtpError): string {
  return (err.response ?? err.message ?? String(err)).replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** The nodemailer transport of a tenant's mailbox (its SMTP settings and password), for every mail we send. */
export function smtpTransportFor(channel: OpenChannel<'email'>) {
  const { smtp } = channel.config;
  const options: SMTPTransport.Options = {
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    connectionTimeout: 30_000,
    greetingTimeout: 30_000,
    socketTimeout: 60_000,
    name: channel.address.split('@')[1]!,
    ...(smtp.user ? { auth: { user: smtp.user, pass: channel.secrets.smtpPassword ?? '' } } : {}),
  };
  return nodemailer.createTransport(options);
}

export const sendEmail: OutboundSender = async ({ deps, tenant, complaint, message, inReplyTo, attachments }) => {
  const channel = await tenantChannel(deps, tenant.id, 'email');
  if (!channel) throw new PermanentDeliveryError('Aucune boîte mail active pour ce cabinet : configurez un canal email pour envoyer ce message.');
  if (!message.recipient) throw new PermanentDeliveryError('Message sans destinataire.');
  const domain = channel.address.split('@')[1]!;
  let messageId = message.external_id;
  if (!messageId) {
    messageId = ourMessageId(complaint.reference, message.purpose, domain);
    // Stored before the first attempt: every retry sends this same id.
    await updateDelivery(deps.db, tenant.id, message.id, { external_id: messageId });
  }
  const { smtp } = channel.config;
  const transport = smtpTransportFor(channel);
  const headers: Record<string, string> = {};
  if (message.automatic) {
    headers['Auto-Submitted'] = 'auto-generated';
    // Exchange / Outlook: no out-of-office answers to our acknowledgements.
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  try {
    await transport.sendMail({
      from: { name: smtp.fromName ?? tenant.name, address: channel.address },
      to: message.recipient,
      subject: subjectWithReference(message.subject, complaint.reference),
      messageId: bracket(messageId),
      ...replyHeaders(inReplyTo),
      text: message.body_text,
      html: message.body_html ?? textToHtml(message.body_text),
      headers,
      attachments: attachments.map((a) => ({ filename: a.filename, contentType: a.contentType, content: Buffer.from(a.content.buffer, a.content.byteOffset, a.content.byteLength) })),
    });
  } catch (err) {
    const e = err as SmtpError;
    if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600) {
      throw new PermanentDeliveryError(`Refusé par le serveur d’envoi (${e.responseCode}) : ${smtpReason(e)}`);
    }
    throw new Error(
      typeof e.responseCode === 'number' ? `Échec temporaire du serveur d’envoi (${e.responseCode}) : ${smtpReason(e)}` : `Envoi impossible pour l’instant (${smtp.host}:${smtp.port}) : ${smtpReason(e)}`,
      { cause: err },
    );
  } finally {
    transport.close();
  }
  return { providerId: messageId };
};
