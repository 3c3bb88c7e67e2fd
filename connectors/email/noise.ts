/**
 * Machine mail that is not a customer's message: auto-replies (out of office, vacation, read receipts,
 * delay notices) and bounces (delivery status reports of a failure). Recognised by headers first
 * (RFC 3834 Auto-Submitted, Microsoft and vendor headers, RFC 3464 reports), then by sender and subject.
 */
import { simpleParser, type Attachment, type Headers } from 'mailparser';

export interface Noise {
  kind: 'autoreply' | 'bounce';
  relatesTo: string[];
  detail: string | null;
}

export interface NoiseInput {
  headers: Headers;
  subject: string | null;
  fromAddress: string | null;
  fromName: string | null;
  inReplyTo: string | null;
  references: string[];
  text: string;
  attachments: Attachment[];
}

const stripBrackets = (id: string) => id.trim().replace(/^<|>$/g, '').trim();

/** A header's text whatever mailparser made of it (string, list, structured value). */
export function headerText(headers: Headers, key: string): string | null {
  const v: unknown = headers.get(key);
  const one = (x: unknown): string => {
    if (typeof x === 'string') return x;
    if (x instanceof Date) return x.toISOString();
    if (x && typeof x === 'object') {
      if ('value' in x && typeof x.value === 'string') return x.value;
      if ('text' in x && typeof x.text === 'string') return x.text;
    }
    return '';
  };
  if (v === undefined || v === null) return null;
  return Array.isArray(v) ? v.map(one).join(', ') : one(v);
}

/** The value and parameters of a structured header such as Content-Type. */
function structured(headers: Headers, key: string): { value: string; params: Record<string, string> } | null {
  const v: unknown = headers.get(key);
  if (!v || typeof v !== 'object' || Array.isArray(v) || !('value' in v) || typeof v.value !== 'string') return null;
  const params = 'params' in v && v.params && typeof v.params === 'object' ? (v.params as Record<string, string>) : {};
  return { value: v.value.toLowerCase(), params };
}

/** Subjects of out-of-office and vacation replies; a customer's "Réponse à votre courrier" or "Absence de réponse" is not one. */
const AUTO_SUBJECT =
  /^\s*(?:(?:re|tr|fwd?|aw)\s*:\s*)?(?:r[ée]ponse automatique|auto(?:matic)?[ -]?(?:reply|response|answer)|absence du bureau|out of (?:the )?office|message d['’]absence|avis d['’]absence|auto\s*:|je suis (?:actuellement )?absente?\b|absente?\s*(?:[:\-–(]|du bureau|jusqu|$)|absence\s*(?:[:\-–(]|$)|abwesenheitsnotiz|vacation reply|on vacation|en cong[ée]s?\s*(?:[:\-–(]|jusqu|$))/iu;

export function isAutoReplySubject(subject: string | null | undefined): boolean {
  return AUTO_SUBJECT.test(subject ?? '');
}

/** Why headers say this mail was sent by a program, or null. */
function autoReplyByHeaders(headers: Headers, subject: string | null): string | null {
  const auto = headerText(headers, 'auto-submitted')?.trim().toLowerCase();
  if (auto && !auto.startsWith('no')) return `Auto-Submitted: ${auto}`;
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-autoresponder')) return 'en-tête X-Autoreply';
  const precedence = headerText(headers, 'precedence')?.trim().toLowerCase();
  if (precedence && ['auto_reply', 'bulk', 'junk'].includes(precedence)) return `Precedence: ${precedence}`;
  // Exchange puts X-Auto-Response-Suppress on its own automatic mail, but also on some ordinary mail: only with an automatic subject.
  if (headers.has('x-auto-response-suppress') && isAutoReplySubject(subject)) return 'réponse automatique Exchange';
  return null;
}

const DAEMON_SENDER = /^(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster|microsoftexchange[0-9a-f]*|bounce[s]?|mdaemon)@/iu;
const DAEMON_NAME = /\b(?:mail delivery (?:system|subsystem)|mailer-daemon|system administrator|postmaster)\b/iu;
const BOUNCE_SUBJECT =
  /(?:undelivered mail returned to sender|delivery status notification|non remis|undeliverable|undelivered mail|mail delivery failed|returned mail|delivery failure|failure notice|[ée]chec de (?:la )?(?:remise|distribution)|message non (?:distribu[ée]|remis)|notification d['’][ée]tat de (?:la )?remise|impossible de remettre)/iu;

interface DeliveryStatus {
  recipient: string | null;
  action: string | null;
  status: string | null;
  diagnostic: string | null;
}

/** The per-recipient fields of an RFC 3464 message/delivery-status part (or of a text that contains one). */
export function parseDeliveryStatus(text: string): DeliveryStatus[] {
  const unfolded = text.replace(/\r\n?/g, '\n').replace(/\n[ \t]+/g, ' ');
  const groups = unfolded.split(/\n\s*\n/);
  const out: DeliveryStatus[] = [];
  for (const group of groups) {
    const field = (name: string) => new RegExp(`^${name}\\s*:\\s*(.+)$`, 'imu').exec(group)?.[1]?.trim() ?? null;
    const recipient = field('Final-Recipient') ?? field('Original-Recipient');
    const action = field('Action');
    const status = field('Status');
    if (!recipient && !action && !status) continue;
    out.push({
      recipient: recipient ? recipient.replace(/^[a-z0-9-]+\s*;\s*/iu, '').trim() : null,
      action: action?.toLowerCase() ?? null,
      status,
      diagnostic: field('Diagnostic-Code')?.replace(/^[a-z0-9-]+\s*;\s*/iu, '').trim() ?? null,
    });
  }
  return out;
}

async function messageIdOf(raw: Buffer): Promise<string | null> {
  try {
    const inner = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    return inner.messageId ? stripBrackets(inner.messageId) : null;
  } catch {
    return null;
  }
}

/** The Message-ID of the message a bounce reports on: attached message or headers, else a Message-ID line in its text. */
async function bouncedMessageId(input: NoiseInput): Promise<string | null> {
  for (const a of input.attachments) {
    if (a.contentType === 'message/rfc822' || a.contentType === 'text/rfc822-headers' || a.contentType === 'message/rfc822-headers') {
      const id = await messageIdOf(a.content);
      if (id) return id;
    }
  }
  const inText = /^\s*message-id\s*:\s*<([^>\s]+)>/imu.exec(input.text.replace(/\n[ \t]+/g, ' '));
  if (inText) return inText[1]!;
  return input.inReplyTo ?? input.references.at(-1) ?? null;
}

/** A diagnostic line in a bounce written as plain text ("550 5.1.1 …", qmail's "… (#5.1.1)"). */
function smtpDiagnosticInText(text: string): string | null {
  const m =
    /^.*\b[45]\d\d[ -]#?[45]\.\d{1,3}\.\d{1,3}\b.*$/mu.exec(text) ?? /^.*\(#[45]\.\d{1,3}\.\d{1,3}\).*$/mu.exec(text) ?? /^.*\b(?:55[0-4]|45[0-2])\b.*$/mu.exec(text);
  return m ? m[0].trim().slice(0, 500) : null;
}

/** The recipient line of a plain-text bounce ("<r.faure@vieux-fai.example>:"). */
const recipientInText = (text: string) => /^\s*<([^<>\s]+@[^<>\s]+)>\s*:\s*$/mu.exec(text)?.[1] ?? null;

const clip = (s: string, n = 1000) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export async function detectNoise(input: NoiseInput): Promise<Noise | null> {
  const contentType = structured(input.headers, 'content-type');
  const reportType = contentType?.value === 'multipart/report' ? String(contentType.params['report-type'] ?? '').toLowerCase() : null;
  const replyIds = [...new Set([...(input.inReplyTo ? [input.inReplyTo] : []), ...[...input.references].reverse()])].slice(0, 20);

  if (reportType === 'disposition-notification') {
    // RFC 8098: the read receipt names the message it is about in its machine-readable part.
    const report = input.attachments.find((a) => a.contentType === 'message/disposition-notification')?.content.toString('utf8') ?? input.text;
    const original = /^\s*original-message-id\s*:\s*<([^>\s]+)>/imu.exec(report)?.[1];
    return { kind: 'autoreply', relatesTo: original ? [original] : replyIds, detail: clip(`Accusé de lecture : ${input.subject ?? '(sans objet)'}`) };
  }

  const fromDaemon = DAEMON_SENDER.test(input.fromAddress ?? '') || DAEMON_NAME.test(input.fromName ?? '');
  const statusPart = input.attachments.find((a) => a.contentType === 'message/delivery-status');
  const statuses = parseDeliveryStatus(statusPart ? statusPart.content.toString('utf8') : fromDaemon ? input.text : '');
  if (reportType === 'delivery-status' || (fromDaemon && (BOUNCE_SUBJECT.test(input.subject ?? '') || statuses.length > 0))) {
    const original = await bouncedMessageId(input);
    const relatesTo = original ? [stripBrackets(original)] : [];
    const failed = statuses.filter((s) => s.action === 'failed' || s.status?.startsWith('5'));
    const onlyNotices = statuses.length > 0 && failed.length === 0;
    if (onlyNotices) {
      // A delay or success notice: recorded, but our message did not fail.
      const s = statuses[0]!;
      const what = s.action === 'delayed' ? 'distribution retardée' : `avis de remise (${s.action ?? s.status ?? 'inconnu'})`;
      return { kind: 'autoreply', relatesTo, detail: clip(`Avis du serveur de messagerie : ${what}${s.recipient ? ` pour ${s.recipient}` : ''}${s.diagnostic ? ` — ${s.diagnostic}` : ''}`) };
    }
    const s = failed[0];
    const recipient = s?.recipient ?? headerText(input.headers, 'x-failed-recipients')?.trim() ?? recipientInText(input.text);
    const diagnostic = s?.diagnostic ?? smtpDiagnosticInText(input.text) ?? input.subject ?? 'motif non précisé';
    const status = s?.status ? ` (statut ${s.status})` : '';
    return { kind: 'bounce', relatesTo, detail: clip(`Non distribué${recipient ? ` à ${recipient}` : ''} : ${diagnostic}${status}`) };
  }

  const byHeaders = autoReplyByHeaders(input.headers, input.subject);
  if (byHeaders || isAutoReplySubject(input.subject)) {
    return { kind: 'autoreply', relatesTo: replyIds, detail: clip(input.subject ?? `Réponse automatique (${byHeaders})`) };
  }
  return null;
}
