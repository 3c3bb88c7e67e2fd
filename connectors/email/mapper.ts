import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { findReferences } from '../../src/domain/reference.ts';
import { MappingError, type AsyncInboundMapper, type InboundMessageInput } from '../../src/intake/contract.ts';

/** Larger raw messages are refused with a visible reason (the journal keeps them). */
export const EMAIL_MAX_BYTES = 25 * 1024 * 1024;

const stripBrackets = (id: string) => id.trim().replace(/^<|>$/g, '');

function idList(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const all = (Array.isArray(value) ? value : value.split(/\s+/)).map(stripBrackets).filter(Boolean);
  return [...new Set(all)];
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): { address: string | null; name: string | null } {
  const list = Array.isArray(a) ? a : a ? [a] : [];
  const v = list.flatMap((x) => x.value)[0];
  return { address: v?.address?.trim() || null, name: v?.name?.trim() || null };
}

/** What survives in a customer's email HTML shown to agents: structure and text, no script, no remote load. */
export function sanitizeEmailHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: ['p', 'br', 'div', 'span', 'b', 'strong', 'i', 'em', 'u', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'table', 'thead', 'tbody', 'tr', 'td', 'th', 'h1', 'h2', 'h3', 'h4', 'hr', 'a', 'img'],
    allowedAttributes: { a: ['href', 'title'], img: ['src', 'alt'], td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan'] },
    allowedSchemes: ['http', 'https', 'mailto'],
    // Inline images only (cid: parts are served by us); remote images would tell the sender the mail was read.
    allowedSchemesByTag: { img: ['data', 'cid'] },
    transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
  });
}

/**
 * Raw MIME (RFC 5322) → InboundMessage with mailparser: any charset and transfer encoding, the reply
 * headers for threading, sanitised HTML, attachments. (Quoted-history separation, forwards, auto-replies
 * and bounces come with the email connector.)
 */
export const mapEmail: AsyncInboundMapper = async (raw) => {
  if (raw.payload.byteLength > EMAIL_MAX_BYTES) {
    throw new MappingError(`Email trop volumineux (${Math.round(raw.payload.byteLength / 1024 / 1024)} Mo, maximum ${EMAIL_MAX_BYTES / 1024 / 1024} Mo).`);
  }
  let parsed;
  try {
    parsed = await simpleParser(Buffer.from(raw.payload.buffer, raw.payload.byteOffset, raw.payload.byteLength), { skipImageLinks: true });
  } catch (err) {
    throw new MappingError(`Email illisible : ${(err as Error).message}`);
  }
  const from = firstAddress(parsed.from);
  if (!from.address) throw new MappingError('Email sans expéditeur (en-tête From absent ou invalide).');
  const messageId = parsed.messageId ? stripBrackets(parsed.messageId) : null;
  const subject = parsed.subject?.trim() || null;
  const text = (parsed.text ?? '').trim();
  const message: InboundMessageInput = {
    tenantId: raw.tenantId,
    channel: 'email',
    externalId: messageId ?? `sha256:${createHash('sha256').update(raw.payload).digest('hex')}`,
    thread: {
      inReplyTo: parsed.inReplyTo ? stripBrackets(parsed.inReplyTo) : null,
      references: idList(parsed.references).slice(-100),
      referenceTokens: findReferences(subject ?? ''),
      conversationKey: null,
      trackingToken: null,
    },
    sender: { name: from.name, email: from.address, phone: null, slackUser: null },
    contractNumbers: [],
    sentAt: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date : null,
    receivedAt: raw.receivedAt,
    subject,
    text,
    html: typeof parsed.html === 'string' ? sanitizeEmailHtml(parsed.html) : null,
    attachments: parsed.attachments.map((a, i) => ({
      filename: a.filename?.slice(0, 255) || `piece-jointe-${i + 1}`,
      contentType: a.contentType || 'application/octet-stream',
      content: new Uint8Array(a.content),
      inline: a.contentDisposition === 'inline' || a.related === true,
    })),
    language: null,
    declared: {},
  };
  return message;
};
