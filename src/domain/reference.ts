/**
 * Complaint references: `REC-<year>-<seq>`, seq zero-padded to 6 digits (longer once past 999999).
 * Customers quote them (`[REC-2026-000042]` in our subjects) and they thread replies to their complaint.
 */
import { ValidationError } from './errors.ts';

export interface ParsedReference {
  year: number;
  seq: number;
}

const PREFIX = 'REC';
const SEQ_DIGITS = 6;
const REFERENCE_RE = /^REC-(\d{4})-(\d{6,})$/i;
// Not preceded nor followed by a letter, digit or underscore, so that it never matches inside a longer token.
const REFERENCE_IN_TEXT_RE = /(?<![\p{L}\p{N}_])REC-(\d{4})-(\d{6,})(?![\p{L}\p{N}_])/giu;

function toParsed(yearText: string, seqText: string): ParsedReference | null {
  const year = Number(yearText);
  const seq = Number(seqText);
  if (year < 1000 || seq < 1 || !Number.isSafeInteger(seq)) return null;
  return { year, seq };
}

/** `formatReference(2026, 42)` → `REC-2026-000042`. */
export function formatReference(year: number, seq: number): string {
  if (!Number.isInteger(year) || year < 1000 || year > 9999) {
    throw new ValidationError(`Année de référence invalide : ${year}.`, { year: 'Année sur 4 chiffres attendue.' });
  }
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new ValidationError(`Numéro de séquence invalide : ${seq}.`, { seq: 'Entier positif attendu.' });
  }
  return `${PREFIX}-${year}-${String(seq).padStart(SEQ_DIGITS, '0')}`;
}

/** Parses `REC-2026-000042` (case-insensitive, optional surrounding brackets), or null. */
export function parseReference(s: string | null | undefined): ParsedReference | null {
  if (typeof s !== 'string') return null;
  let text = s.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1).trim();
  const m = REFERENCE_RE.exec(text);
  return m ? toParsed(m[1]!, m[2]!) : null;
}

/** Distinct references found in a text, in order of first appearance, in canonical uppercase form. */
export function findReferences(text: string | null | undefined): string[] {
  if (typeof text !== 'string') return [];
  const found = new Set<string>();
  for (const m of text.matchAll(REFERENCE_IN_TEXT_RE)) {
    const parsed = toParsed(m[1]!, m[2]!);
    if (parsed) found.add(formatReference(parsed.year, parsed.seq));
  }
  return [...found];
}
