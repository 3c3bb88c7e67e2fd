/**
 * Keywords a customer may text instead of a message (pure). The whole body is the keyword, in any case,
 * accents optional, surrounding spaces and a final punctuation mark ignored — as carriers and Twilio
 * match them — so that « stop » opts out but « Je ne veux pas que ça s'arrête » stays a message.
 */
import { parseReference } from '../../src/domain/reference.ts';

export type SmsKeyword = { kind: 'stop'; word: string } | { kind: 'start'; word: string } | { kind: 'statut'; reference: string | null };

const STOP = new Set(['STOP', 'ARRET', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START = new Set(['START', 'UNSTOP']);

function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .trim()
    .replace(/[.!?]+$/u, '')
    .trim();
}

export function smsKeyword(body: string): SmsKeyword | null {
  const word = fold(body);
  if (STOP.has(word)) return { kind: 'stop', word };
  if (START.has(word)) return { kind: 'start', word };
  const statut = /^STATUT(?:\s+(REC-\d{4}-\d{6,}))?$/.exec(word.replace(/\s+/g, ' '));
  if (statut) {
    const reference = statut[1] ?? null;
    return { kind: 'statut', reference: reference && parseReference(reference) ? reference : null };
  }
  return null;
}
