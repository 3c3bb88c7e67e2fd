/**
 * SMS as a channel format: how many segments a text costs, and the short texts Guichet sends by SMS.
 * Pure, no I/O.
 *
 * Segment counting is Twilio's own calculator (`sms-segments-calculator`, maintained by Twilio's developer
 * education team): GSM-7 when every character is in the GSM 03.38 basic set or its extension table
 * (extension characters such as `€ [ ] { } ^ ~ | \` count double), 160 characters in one segment and 153
 * per segment beyond; otherwise UCS-2, 70 in one segment and 67 per segment beyond (characters outside the
 * BMP count as two UTF-16 units).
 *
 * French is mostly GSM-7 (é è à ù are in the basic set) but not entirely: ç, ê, â, î, ô, û, ë, ï and the
 * typographic apostrophe or dash switch the whole message to UCS-2. The texts written here for SMS
 * (acknowledgement, generic answers) avoid those characters and stay within two GSM-7 segments. The status
 * wording is NOT rewritten for SMS: it is the tracking page's, character for character
 * (src/domain/customer-status.ts), so a status SMS may cost more segments (see `smsStatusText`).
 */
import { SegmentedMessage } from 'sms-segments-calculator';
import type { CustomerStatus } from './customer-status.ts';

export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** Characters not in GSM-7 (empty when the text is GSM-7): what made it UCS-2. */
  nonGsm: string[];
}

export function smsSegments(text: string): SmsSegments {
  const m = new SegmentedMessage(text, 'auto');
  return { encoding: m.encodingName, segments: m.segmentsCount, nonGsm: [...new Set(m.getNonGsmCharacters())] };
}

/** Segments our own SMS texts may use (acknowledgement, generic answers). */
export const MAX_TEMPLATE_SEGMENTS = 2;

/** `2026-11-12` → `12/11/2026`: the numeric date keeps SMS in GSM-7 (month names like « août » would not). */
function shortDate(isoDate: string): string {
  const [y, m, d] = isoDate.split('-');
  return `${d}/${m}/${y}`;
}

/** Acknowledgement of a complaint received by SMS or voice message: reference, deadline, tracking link. */
export function smsAckText(input: { reference: string; answerDueOn: string; trackingUrl: string }): string {
  return `Votre réclamation ${input.reference} est enregistrée. Réponse au plus tard le ${shortDate(input.answerDueOn)}. Suivi : ${input.trackingUrl}`;
}

/** Holding reply by SMS: still under study, the answer date, the tracking link. */
export function smsHoldingText(input: { reference: string; answerDueOn: string; trackingUrl: string }): string {
  return `Votre réclamation ${input.reference} est toujours à l'étude. Réponse au plus tard le ${shortDate(input.answerDueOn)}. Suivi : ${input.trackingUrl}`;
}

/** The answer itself is too long for an SMS: the SMS says where to read it. */
export function smsAnswerText(input: { reference: string; trackingUrl: string }): string {
  return `La réponse à votre réclamation ${input.reference} est disponible sur votre page de suivi : ${input.trackingUrl}`;
}

/**
 * Answer to `STATUT`: the status exactly as the tracking page words it (headline, then detail), the tracking
 * link, and the other files of the same customer by reference. The shared wording keeps to the GSM-7
 * alphabet (src/domain/customer-status.ts), so this is usually two segments; a date in « août » makes it UCS-2.
 */
export function smsStatusText(status: CustomerStatus, trackingUrl: string | null, otherReferences: readonly string[] = []): string {
  const lines = [`${status.headline}. ${status.detail}`];
  if (trackingUrl) lines.push(`Suivi : ${trackingUrl}`);
  if (otherReferences.length > 0) {
    lines.push(`Vos autres dossiers : ${otherReferences.join(', ')}. Envoyez STATUT suivi de la référence.`);
  }
  return lines.join('\n');
}

/** To a number we do not know, or a reference that is not theirs: nothing is disclosed. */
export const SMS_STATUS_UNKNOWN =
  'Bonjour, nous ne trouvons aucun dossier de réclamation associé à ce numéro. Pour suivre votre dossier, utilisez le lien de votre accusé de réception ou contactez votre conseiller.';
