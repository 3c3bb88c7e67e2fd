import { normalizeContractNumber } from '../domain/identity.ts';

/**
 * Contract, policy, claim or file numbers a customer wrote in free text ("contrat n° AU-2024-118734",
 * "police HAB 7781230", "sinistre 2025S004512", "dossier n°45-889"), normalised like any identity.
 * A number needs a keyword before it and at least four digits, so dates and amounts are not taken.
 */
const KEYWORD =
  /\b(?:contrats?|polices?|sinistres?|dossiers?|adh[ée]sions?|adh[ée]rents?|certificats?|souscriptions?|policy|claim|contract)\b\s*(?:(?:number|num[ée]ro|numero|n[°o]\b|num\b\.?|no\b\.?|n°|#)\s*)?[:.]?\s*/giu;
/** A piece of a number: has a digit, or is a short capitalised prefix such as HAB, AU, FR. */
const PIECE = /^(?:[A-Za-z]*\d[A-Za-z0-9]*|[A-Z]{1,5})$/u;

export function contractHints(text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(KEYWORD)) {
    const rest = text.slice(match.index + match[0].length, match.index + match[0].length + 60);
    const pieces: string[] = [];
    for (const token of rest.split(/([\s\-/.]+)/)) {
      if (token === '' || /^[\s\-/.]+$/.test(token)) {
        if (/\n/.test(token) || token.length > 2) break;
        continue;
      }
      if (!PIECE.test(token)) break;
      pieces.push(token);
    }
    // A leading prefix alone (HAB …) must be followed by digits; the whole needs four digits at least.
    const joined = pieces.join('');
    if ((joined.match(/\d/g) ?? []).length < 4) continue;
    const n = normalizeContractNumber(joined);
    if (n && !out.includes(n)) out.push(n);
    if (out.length >= 5) break;
  }
  return out;
}
