import { describe, expect, it } from 'vitest';
import { customerStatus } from './customer-status.ts';
import { MAX_TEMPLATE_SEGMENTS, SMS_STATUS_UNKNOWN, smsAckText, smsSegments, smsStatusText } from './sms.ts';

describe('smsSegments', () => {
  it('counts GSM-7: 160 in one segment, 153 per segment beyond; extension characters count double', () => {
    expect(smsSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments('a'.repeat(161)).segments).toBe(2);
    expect(smsSegments('a'.repeat(306)).segments).toBe(2);
    expect(smsSegments('a'.repeat(307)).segments).toBe(3);
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments('€'.repeat(81)).segments).toBe(2);
    // é è à ù are GSM-7.
    expect(smsSegments('Réclamation reçue à 9 h').encoding).toBe('UCS-2');
    expect(smsSegments('Réclamation envoyée à 9 h, où ?').encoding).toBe('GSM-7');
  });

  it('counts UCS-2: 70 in one segment, 67 per segment beyond, and names what forced it', () => {
    expect(smsSegments('ç'.repeat(70))).toMatchObject({ encoding: 'UCS-2', segments: 1, nonGsm: ['ç'] });
    expect(smsSegments('ç'.repeat(71)).segments).toBe(2);
    expect(smsSegments('ç'.repeat(134)).segments).toBe(2);
    expect(smsSegments('ç'.repeat(135)).segments).toBe(3);
  });
});

describe('SMS texts', () => {
  const longUrl = `https://reclamations.cabinet-dupont-assurances.example/suivi/${'x'.repeat(32)}`;

  it('keeps the acknowledgement in GSM-7 within two segments, with reference, deadline and tracking link', () => {
    const text = smsAckText({ reference: 'REC-2026-000123', answerDueOn: '2026-08-15', trackingUrl: longUrl });
    expect(text).toContain('REC-2026-000123');
    expect(text).toContain('15/08/2026');
    expect(text).toContain(longUrl);
    expect(smsSegments(text)).toMatchObject({ encoding: 'GSM-7' });
    expect(smsSegments(text).segments).toBeLessThanOrEqual(MAX_TEMPLATE_SEGMENTS);
    expect(smsSegments(SMS_STATUS_UNKNOWN)).toMatchObject({ encoding: 'GSM-7', segments: 2 });
  });

  it('words the status exactly as the shared renderer does, then the link and the other files', () => {
    const status = customerStatus({ status: 'en_cours', reference: 'REC-2026-000123', receivedOn: '2026-09-12', answerDueOn: '2026-11-12', acknowledged: true, outcome: null });
    const text = smsStatusText(status, longUrl, ['REC-2026-000200']);
    expect(text.split('\n')).toEqual([`${status.headline}. ${status.detail}`, `Suivi : ${longUrl}`, 'Vos autres dossiers : REC-2026-000200. Envoyez STATUT suivi de la référence.']);
    // The shared wording keeps to GSM-7: the status answer stays within three segments even with the
    // other files listed, and within two without them.
    expect(smsSegments(text).encoding).toBe('GSM-7');
    expect(smsSegments(text).segments).toBeLessThanOrEqual(3);
    expect(smsSegments(smsStatusText(status, longUrl)).segments).toBeLessThanOrEqual(2);
  });
});
