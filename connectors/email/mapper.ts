import { createHash } from 'node:crypto';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { findReferences } from '../../src/domain/reference.ts';
import { MappingError, type AsyncInboundMapper, type InboundMessageInput } from '../../src/intake/contract.ts';
import { EMAIL_MAX_ATTACHMENT_BYTES, formatMegabytes, screenAttachments } from './attachments.ts';
import { findForward, hasForwardSubject, type Address } from './forwards.ts';
import { detectLanguage } from './language.ts';
import { detectNoise } from './noise.ts';
import { htmlToText, splitHtmlReply, splitReply } from './quotes.ts';

export { EMAIL_MAX_ATTACHMENT_BYTES } from './attachments.ts';

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

const PARSE_OPTIONS = { skipImageLinks: true, skipHtmlToText: true, skipTextToHtml: true, keepDeliveryStatus: true } as const;
const TEXT_MAX = 200_000;
const HTML_MAX = 2_000_000;

const clip = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);
const validDate = (d: Date | undefined | null) => (d && !Number.isNaN(d.getTime()) ? d : null);

/** The body as text (the text part, else the HTML converted) and its new part. */
function bodyOf(parsed: ParsedMail): { text: string; newText: string | null } {
  if (typeof parsed.text === 'string' && parsed.text.trim() !== '') {
    const text = parsed.text.trim();
    const split = splitReply(text);
    return { text, newText: split.stripped ? split.newText : null };
  }
  if (typeof parsed.html === 'string') {
    const text = htmlToText(parsed.html);
    const split = splitHtmlReply(parsed.html);
    return { text, newText: split.stripped ? split.newText : null };
  }
  return { text: '', newText: null };
}

interface Forward {
  from: Address & { email: string };
  sentAt: Date | null;
  text: string;
  newText: string | null;
  note: string;
}

/** A forward written in the body, else a message attached under a forward subject ("TR:", "Fwd:"). */
async function forwardOf(parsed: ParsedMail, body: { text: string }, subject: string | null): Promise<Forward | null> {
  const inline = findForward(body.text, subject);
  if (inline?.from.email) {
    const split = splitReply(inline.text);
    return { from: { name: inline.from.name, email: inline.from.email }, sentAt: inline.sentAt, text: inline.text, newText: split.stripped ? split.newText : null, note: inline.note };
  }
  if (!hasForwardSubject(subject)) return null;
  const attached = parsed.attachments.find((a) => a.contentType === 'message/rfc822');
  if (!attached) return null;
  let inner: ParsedMail;
  try {
    inner = await simpleParser(attached.content, PARSE_OPTIONS);
  } catch {
    return null;
  }
  const from = firstAddress(inner.from);
  if (!from.address) return null;
  const innerBody = bodyOf(inner);
  return {
    from: { name: from.name, email: from.address.toLowerCase() },
    sentAt: validDate(inner.date),
    text: innerBody.text,
    newText: innerBody.newText,
    note: splitReply(body.text).newText,
  };
}

export interface EmailMapperOptions {
  /** Raw message limit (default EMAIL_MAX_BYTES). */
  maxMessageBytes?: number;
  /** Per-attachment limit (default EMAIL_MAX_ATTACHMENT_BYTES). */
  maxAttachmentBytes?: number;
}

/**
 * Raw MIME (RFC 5322) → InboundMessage with mailparser: any charset and transfer encoding, the reply
 * headers for threading, sanitised HTML; the new text of a reply apart from its quoted history and
 * signature; a colleague's forward turned back into the customer's message; auto-replies and bounces
 * marked as noise; attachments screened (executables and oversized files refused with a reason).
 */
export function createEmailMapper(options: EmailMapperOptions = {}): AsyncInboundMapper {
  const maxMessageBytes = options.maxMessageBytes ?? EMAIL_MAX_BYTES;
  const maxAttachmentBytes = options.maxAttachmentBytes ?? EMAIL_MAX_ATTACHMENT_BYTES;
  return async (raw) => {
    if (raw.payload.byteLength === 0) throw new MappingError('Email vide (aucun octet reçu).');
    if (raw.payload.byteLength > maxMessageBytes) {
      throw new MappingError(`Email trop volumineux (${formatMegabytes(raw.payload.byteLength)}, maximum ${formatMegabytes(maxMessageBytes)}).`);
    }
    const bytes = Buffer.from(raw.payload.buffer, raw.payload.byteOffset, raw.payload.byteLength);
    let parsed: ParsedMail;
    try {
      parsed = await simpleParser(bytes, PARSE_OPTIONS);
    } catch (err) {
      throw new MappingError(`Email illisible : ${(err as Error).message}`);
    }
    if (!['from', 'to', 'subject', 'date', 'message-id', 'received', 'mime-version'].some((h) => parsed.headers.has(h))) {
      throw new MappingError('Email illisible : aucun en-tête de message reconnu (From, To, Subject, Date…), ce n’est pas un message au format RFC 5322.');
    }
    const from = firstAddress(parsed.from);
    if (!from.address) throw new MappingError('Email sans expéditeur (en-tête From absent ou invalide).');
    const messageId = parsed.messageId ? stripBrackets(parsed.messageId) : null;
    const subject = parsed.subject?.trim() ? clip(parsed.subject.trim(), 998) : null;
    const inReplyTo = parsed.inReplyTo ? stripBrackets(parsed.inReplyTo) : null;
    const references = idList(parsed.references).slice(-100);
    const body = bodyOf(parsed);

    const noise = await detectNoise({
      headers: parsed.headers,
      subject,
      fromAddress: from.address,
      fromName: from.name,
      inReplyTo,
      references,
      text: body.text,
      attachments: parsed.attachments,
    });
    const forward = noise ? null : await forwardOf(parsed, body, subject);
    const { kept, refused } = await screenAttachments(parsed.attachments, { maxAttachmentBytes });

    const text = forward ? forward.text : body.text;
    const newText = forward ? forward.newText : body.newText;
    const declared: Record<string, string> = {};
    if (forward?.note) declared.forwardNote = clip(forward.note, 5000);
    const referenceTokens = [...new Set([...findReferences(subject ?? ''), ...findReferences(forward?.note ?? '')])].slice(0, 20);
    const html = typeof parsed.html === 'string' ? sanitizeEmailHtml(parsed.html) : null;

    const message: InboundMessageInput = {
      tenantId: raw.tenantId,
      channel: 'email',
      externalId: messageId ?? `sha256:${createHash('sha256').update(raw.payload).digest('hex')}`,
      thread: { inReplyTo, references, referenceTokens, conversationKey: null, trackingToken: null },
      sender: forward
        ? { name: forward.from.name, email: forward.from.email, phone: null, slackUser: null }
        : { name: from.name, email: from.address, phone: null, slackUser: null },
      contractNumbers: [],
      sentAt: (forward ? forward.sentAt : null) ?? validDate(parsed.date),
      receivedAt: raw.receivedAt,
      subject,
      text: clip(text, TEXT_MAX),
      html: html && html.length <= HTML_MAX ? html : null,
      attachments: kept,
      refusedAttachments: refused,
      language: noise ? null : detectLanguage(newText ?? text),
      declared,
      forwardedBy: forward ? { name: from.name, email: from.address } : null,
      newText: newText === null ? null : clip(newText, TEXT_MAX),
      noise,
    };
    return message;
  };
}

export const mapEmail: AsyncInboundMapper = createEmailMapper();
