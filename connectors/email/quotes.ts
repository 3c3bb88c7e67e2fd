/**
 * Separating what a person just wrote from what their mail client appended: quoted history (Outlook,
 * Gmail, Apple Mail, Thunderbird, in French and English), ">" quotes, signature delimiters and the
 * "sent from my phone" lines. Pure functions over text; HTML-only mail goes through html-to-text first.
 */
import { convert, type HtmlToTextOptions } from 'html-to-text';

// ── line patterns ──────────────────────────────────────────────────────────────────────────────────

/** Gmail / Apple Mail / Thunderbird attribution, French: "Le lun. 3 mars 2025 à 10:12, Marie <m@x.fr> a écrit :". */
const ATTRIBUTION_FR = /^\s*le\s.{4,300}\sa\s+[ée]crit\s*:?\s*$/iu;
/** English: "On Mon, Mar 3, 2025 at 10:12 AM Marie <m@x.fr> wrote:", Thunderbird "On 03/03/2025 10:12, Marie wrote:". */
const ATTRIBUTION_EN = /^\s*on\s.{4,300}\swrote\s*:?\s*$/iu;
/** Thunderbird's short form ("Marie Dupont a écrit :", "Marie wrote:") is only trusted right before a ">" quote. */
const ATTRIBUTION_SHORT = /^\s*.{1,120}\s(?:a\s+[ée]crit|wrote)\s*:\s*$/iu;

/** Outlook and Thunderbird separators: everything below is history. */
const SEPARATOR =
  /^\s*-{2,}\s*(?:original message|message d['’]origine|forwarded message|message transf[ée]r[ée]|message r[ée]exp[ée]di[ée]|forwarded message)\s*-{2,}\s*$/iu;
/** Apple Mail's forward line, and its English twin. */
const APPLE_FORWARD = /^\s*(?:d[ée]but du message r[ée]exp[ée]di[ée]|begin forwarded message)\s*:\s*$/iu;
/** Outlook's horizontal rule above a header block. */
const UNDERSCORES = /^\s*_{10,}\s*$/u;

/** A header line of a quoted or forwarded block, "De : …", "**From:** …" (html-to-text renders <b> as is). */
export const BLOCK_HEADER =
  /^\s*\*{0,2}(de|from|envoy[ée]|sent|date|[àa]|to|cc|cci|bcc|objet|sujet|subject|pour|r[ée]pondre [àa]|reply-to|importance)\s*\*{0,2}\s*:\s*\*{0,2}\s*(.*)$/iu;
const FROM_KEYS = new Set(['de', 'from']);
const WHEN_KEYS = new Set(['envoyé', 'envoye', 'sent', 'date']);
const WHAT_KEYS = new Set(['à', 'a', 'to', 'pour', 'objet', 'sujet', 'subject', 'cc']);

/** Signature delimiter ("-- ", or "--" alone as many clients trim the space). */
const SIG_DELIMITER = /^--\s?$/u;
/** Mobile and webmail footers. */
const MOBILE_FOOTER =
  /^\s*(?:envoy[ée] (?:de|depuis) mon (?:iphone|ipad|mobile|smartphone|t[ée]l[ée]phone|appareil)\b.*|sent from my (?:iphone|ipad|mobile|phone|smartphone|samsung|galaxy|android)\b.*|sent from (?:outlook|mail) for (?:ios|android|windows).*|envoy[ée] (?:depuis|de|à partir de) (?:outlook|mail|yahoo mail) pour (?:ios|android|windows).*|t[ée]l[ée]charger outlook pour (?:android|ios)|get outlook for (?:ios|android))\s*$/iu;

export function headerKey(line: string): string | null {
  const m = BLOCK_HEADER.exec(line);
  return m ? m[1]!.toLowerCase() : null;
}

/** An Outlook-style header block starts at `i`: From/De, then a date line, then To/Subject, within a few lines. */
export function isHeaderBlockAt(lines: string[], i: number): boolean {
  const first = headerKey(lines[i] ?? '');
  if (!first || !FROM_KEYS.has(first)) return false;
  let when = false;
  let what = false;
  let seen = 0;
  for (let j = i + 1; j < lines.length && seen < 6; j++) {
    const line = lines[j]!;
    if (line.trim() === '') continue;
    const key = headerKey(line);
    if (!key) break;
    seen++;
    if (WHEN_KEYS.has(key)) when = true;
    if (WHAT_KEYS.has(key)) what = true;
  }
  return when && what;
}

/** Attribution lines may be wrapped over two lines by the client ("Le lun. 3 mars 2025 à 10:12, Marie <m@x.fr>" / "a écrit :"). */
function attributionLength(lines: string[], i: number): number {
  const line = lines[i]!;
  if (ATTRIBUTION_FR.test(line) || ATTRIBUTION_EN.test(line)) return 1;
  const next = lines[i + 1];
  if (next !== undefined && /^\s*(?:le|on)\s/iu.test(line)) {
    const joined = `${line.trimEnd()} ${next.trim()}`;
    if (ATTRIBUTION_FR.test(joined) || ATTRIBUTION_EN.test(joined)) return 2;
  }
  return 0;
}

const isQuote = (line: string) => /^\s*>/u.test(line);

function nextNonBlankIndex(lines: string[], from: number): number {
  for (let j = from; j < lines.length; j++) if (lines[j]!.trim() !== '') return j;
  return -1;
}
const nextNonBlank = (lines: string[], from: number) => lines[nextNonBlankIndex(lines, from)];

/** Where the history that follows `i` starts when this line opens it (block header, separator…), else -1. */
function historyStartsAt(lines: string[], i: number): number {
  const line = lines[i]!;
  if (SEPARATOR.test(line) || APPLE_FORWARD.test(line)) return i;
  if (UNDERSCORES.test(line) && isHeaderBlockAt(lines, nextNonBlankIndex(lines, i + 1))) return i;
  if (isHeaderBlockAt(lines, i)) return i;
  return -1;
}

export interface ReplySplit {
  /** What the author wrote in this message. */
  newText: string;
  /** Whether anything (history, quotes, signature) was removed. */
  stripped: boolean;
}

/**
 * Splits a plain-text body: top-posted replies (new text, then history), bottom-posted and interleaved
 * replies (">" quotes with new text between or after them), signatures and mobile footers.
 */
export function splitReply(text: string): ReplySplit {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  let inSignature = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (historyStartsAt(lines, i) >= 0) break;
    const attribution = attributionLength(lines, i);
    if (attribution > 0) {
      i += attribution - 1;
      inSignature = false;
      continue;
    }
    if (isQuote(line)) {
      inSignature = false;
      continue;
    }
    if (ATTRIBUTION_SHORT.test(line) && isQuote(nextNonBlank(lines, i + 1) ?? '')) continue;
    if (SIG_DELIMITER.test(line) || MOBILE_FOOTER.test(line)) {
      inSignature = true;
      continue;
    }
    if (!inSignature) kept.push(line);
  }
  // A rule left above the history (Outlook's <hr>, "_____") is not part of the text.
  while (kept.length > 0 && /^\s*(?:[-_=*]{3,}\s*)?$/u.test(kept.at(-1)!)) kept.pop();
  const newText = tidy(kept.join('\n'));
  return { newText, stripped: newText !== tidy(text) };
}

/** Trims trailing spaces of lines, collapses runs of blank lines, trims the whole. */
export function tidy(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((l) => l.trimEnd())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

// ── HTML ───────────────────────────────────────────────────────────────────────────────────────────

const CUT_MARKER = '\u2063\u2063guichet-history-starts-here\u2063\u2063';

const BASE_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  selectors: [
    // "Marie <marie@x.fr>" rather than "marie@x.fr [mailto:marie@x.fr]": addresses must stay parseable.
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'table', format: 'dataTable', options: { uppercaseHeaderCells: false } },
    { selector: 'style', format: 'skip' },
    { selector: 'head', format: 'skip' },
  ],
};

/** The whole HTML body as text (what `text` holds when a mail has no text part). */
export function htmlToText(html: string): string {
  return tidy(spaces(convert(html, BASE_OPTIONS)));
}

/** &nbsp; and the narrow no-break space of French typography read as plain spaces once out of HTML. */
const spaces = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');

const HISTORY_OPTIONS: HtmlToTextOptions = {
  ...BASE_OPTIONS,
  formatters: {
    historyCut: (_elem, _walk, builder) => {
      builder.openBlock({ leadingLineBreaks: 1 });
      builder.addLiteral(CUT_MARKER);
      builder.closeBlock({ trailingLineBreaks: 1 });
    },
  },
  selectors: [
    ...(BASE_OPTIONS.selectors ?? []),
    { selector: 'blockquote', format: 'skip' },
    { selector: 'div.gmail_quote', format: 'skip' },
    { selector: 'div.gmail_signature', format: 'skip' },
    { selector: 'div.moz-cite-prefix', format: 'skip' },
    { selector: 'div.moz-signature', format: 'skip' },
    { selector: 'div.moz-forward-container', format: 'historyCut' },
    { selector: 'div.yahoo_quoted', format: 'skip' },
    { selector: 'div#divRplyFwdMsg', format: 'historyCut' },
    { selector: 'div#appendonsend', format: 'historyCut' },
    { selector: 'div#mail-editor-reference-message-container', format: 'historyCut' },
  ],
};

/** The new part of an HTML-only reply: quote containers removed, then the plain-text rules applied. */
export function splitHtmlReply(html: string): ReplySplit {
  const full = htmlToText(html);
  const converted = spaces(convert(html, HISTORY_OPTIONS));
  const cut = converted.indexOf(CUT_MARKER);
  const split = splitReply(cut >= 0 ? converted.slice(0, cut) : converted);
  return { newText: split.newText, stripped: split.newText !== full };
}
