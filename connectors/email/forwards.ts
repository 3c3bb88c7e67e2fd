/**
 * A colleague forwarding a customer's mail: the forwarded header block (Gmail, Apple Mail, Thunderbird,
 * Outlook in French and English) gives the original sender, date and subject; the text below it is the
 * customer's; the text above it is the colleague's note. Pure functions over the text body.
 */
import { parseLooseDate } from './dates.ts';
import { BLOCK_HEADER, headerKey, isHeaderBlockAt, splitReply, tidy } from './quotes.ts';

/** Markers that only ever open a forwarded message. */
const FORWARD_MARKER =
  /^\s*(?:-{2,}\s*(?:forwarded message|message transf[ée]r[ée]|message r[ée]exp[ée]di[ée]|forwarded e-?mail)\s*-{2,}|d[ée]but du message r[ée]exp[ée]di[ée]\s*:|begin forwarded message\s*:)\s*$/iu;
/** Outlook's separators, a forward only under a forward subject (else quoted history of a reply). */
const ORIGINAL_MARKER = /^\s*-{2,}\s*(?:original message|message d['’]origine)\s*-{2,}\s*$/iu;
const UNDERSCORES = /^\s*_{10,}\s*$/u;

/** "TR:", "Fwd:", "FW:", "WG:", "Transf:" as the first prefix of a subject. */
export function hasForwardSubject(subject: string | null | undefined): boolean {
  return /^\s*(?:\[[^\]]*\]\s*)?(?:fwd?|tr|wg|transf?|réf\s*tr)\s*:/iu.test(subject ?? '');
}

export interface Address {
  name: string | null;
  email: string | null;
}

const EMAIL_IN_TEXT = /[A-Z0-9._%+'-]+@[A-Z0-9-]+(?:\.[A-Z0-9-]+)*\.[A-Z]{2,}/iu;

/** "Marie Dupont <m@x.fr>", "Dupont Marie [mailto:m@x.fr]", "\"Dupont, Marie\" <m@x.fr>", "m@x.fr". */
export function parseAddress(value: string): Address {
  const v = value.replace(/\*+/g, '').trim();
  const email = EMAIL_IN_TEXT.exec(v)?.[0]?.toLowerCase() ?? null;
  const name = v
    .replace(/\[\s*mailto:[^\]]*\]/giu, '')
    .replace(/<[^>]*>/g, '')
    .replace(/\(\s*mailto:[^)]*\)/giu, '')
    .replace(EMAIL_IN_TEXT, '')
    .replace(/["“”«»]/g, '')
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:'-]+|[\s,;:'-]+$/g, '')
    .trim();
  return { name: name || null, email };
}

export interface ForwardedMessage {
  /** What the forwarding person wrote above the forwarded message (signature removed); '' when nothing. */
  note: string;
  from: Address;
  sentAt: Date | null;
  subject: string | null;
  /** The forwarded message's text, as it was (including its own quoted history, if any). */
  text: string;
}

interface Block {
  start: number;
  headersFrom: number;
}

/** Where a forwarded block starts in these lines, and where its header lines begin. */
function findBlock(lines: string[], forwardSubject: boolean): Block | null {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (FORWARD_MARKER.test(line)) return { start: i, headersFrom: i + 1 };
    if (!forwardSubject) continue;
    if (ORIGINAL_MARKER.test(line)) return { start: i, headersFrom: i + 1 };
    if (UNDERSCORES.test(line)) {
      let j = i + 1;
      while (j < lines.length && lines[j]!.trim() === '') j++;
      if (isHeaderBlockAt(lines, j)) return { start: i, headersFrom: j };
    }
    if (isHeaderBlockAt(lines, i)) return { start: i, headersFrom: i };
  }
  return null;
}

function parseBlock(lines: string[], block: Block): { headers: Map<string, string>; bodyFrom: number } {
  const headers = new Map<string, string>();
  let i = block.headersFrom;
  let last = i;
  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      // Apple Mail separates header lines with blank lines: go on only if a header line follows.
      let j = i;
      while (j < lines.length && lines[j]!.trim() === '') j++;
      const nextKey = j < lines.length ? headerKey(lines[j]!) : null;
      if (headers.size === 0 || (nextKey && !headers.has(nextKey))) {
        i = j;
        continue;
      }
      break;
    }
    const m = BLOCK_HEADER.exec(line);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    if (!headers.has(key)) headers.set(key, m[2]!.replace(/\*+$/u, '').trim());
    i++;
    last = i;
  }
  return { headers, bodyFrom: headers.size > 0 ? last : block.headersFrom };
}

const pick = (headers: Map<string, string>, keys: string[]) => {
  for (const k of keys) {
    const v = headers.get(k);
    if (v) return v;
  }
  return null;
};

/** Removes one level of ">" from a forwarded body quoted as a whole. */
function unquoteAll(text: string): string {
  const lines = text.split('\n');
  const nonBlank = lines.filter((l) => l.trim() !== '');
  if (nonBlank.length === 0 || !nonBlank.every((l) => /^\s*>/u.test(l))) return text;
  return lines.map((l) => l.replace(/^\s*> ?/u, '')).join('\n');
}

/**
 * The forwarded message in a text body, or null when the body forwards nothing (or forwards a message
 * without a readable sender address). A forward of a forward with nothing written in between yields the
 * innermost message.
 */
export function findForward(text: string, subject: string | null, depth = 0): ForwardedMessage | null {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const block = findBlock(lines, hasForwardSubject(subject));
  if (!block) return null;
  const { headers, bodyFrom } = parseBlock(lines, block);
  const from = parseAddress(pick(headers, ['de', 'from']) ?? '');
  if (!from.email) return null;
  const note = splitReply(lines.slice(0, block.start).join('\n')).newText;
  const body = tidy(unquoteAll(lines.slice(bodyFrom).join('\n')));
  const forwarded: ForwardedMessage = {
    note,
    from,
    sentAt: parseLooseDate(pick(headers, ['date', 'envoyé', 'envoye', 'sent'])),
    subject: pick(headers, ['objet', 'sujet', 'subject']),
    text: body,
  };
  if (depth < 3) {
    const inner = findForward(body, forwarded.subject, depth + 1);
    if (inner && inner.note === '') return { ...inner, note };
  }
  return forwarded;
}
