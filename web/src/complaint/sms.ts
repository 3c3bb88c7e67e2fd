import { SegmentedMessage } from 'sms-segments-calculator';

export interface SmsCount {
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** Characters in the text (a GSM-7 extension character such as € takes two places in a segment). */
  units: number;
  /** The characters that forced UCS-2 (none when the text is GSM-7). */
  nonGsm: string[];
}

/**
 * How many SMS a text costs, with the same calculator the server uses (src/domain/sms.ts): GSM-7 160 / 153
 * characters per segment, UCS-2 70 / 67 as soon as one character is outside the GSM alphabet.
 */
export function countSms(text: string): SmsCount {
  const m = new SegmentedMessage(text, 'auto');
  return {
    encoding: m.encodingName === 'UCS-2' ? 'UCS-2' : 'GSM-7',
    segments: text.length === 0 ? 0 : m.segmentsCount,
    units: text.length === 0 ? 0 : m.numberOfCharacters,
    nonGsm: [...new Set(m.getNonGsmCharacters())],
  };
}
