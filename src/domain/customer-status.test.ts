import { describe, expect, it } from 'vitest';
import { customerStatus, formatDateLong, formatDateTimeParis, type CustomerStatusInput } from './customer-status.ts';
import { OUTCOMES, STATUSES } from './taxonomy.ts';
import { smsSegments } from './sms.ts';

const base: CustomerStatusInput = {
  status: 'nouvelle',
  reference: 'REC-2026-000123',
  receivedOn: '2026-03-02',
  answerDueOn: '2026-05-02',
  acknowledged: false,
  outcome: null,
};

describe('customerStatus (French)', () => {
  it('words every status for the customer', () => {
    expect(customerStatus(base)).toEqual({
      headline: 'Enregistrée, en attente de prise en charge',
      detail: 'Réclamation REC-2026-000123 du 2 mars 2026. Nous vous répondrons au plus tard le 2 mai 2026.',
    });
    expect(customerStatus({ ...base, acknowledged: true }).headline).toBe('Enregistrée, accusé de réception envoyé');
    expect(customerStatus({ ...base, status: 'en_cours' })).toEqual({
      headline: 'En cours de traitement',
      detail: 'Réclamation REC-2026-000123 du 2 mars 2026. Nous vous répondrons au plus tard le 2 mai 2026.',
    });
    expect(customerStatus({ ...base, status: 'en_attente' }).headline).toBe("En attente d'informations complémentaires");
    expect(customerStatus({ ...base, status: 'resolue', outcome: 'accepte', answeredOn: '2026-04-12' })).toEqual({
      headline: 'Réponse envoyée le 12 avril 2026',
      detail: 'Réclamation REC-2026-000123 : votre demande est acceptée.',
    });
    expect(customerStatus({ ...base, status: 'resolue', outcome: 'refuse', answeredOn: '2026-04-12' }).detail).toMatch(/voies de recours/);
    expect(customerStatus({ ...base, status: 'resolue' }).headline).toBe('Réponse envoyée');
    expect(customerStatus({ ...base, status: 'cloturee', outcome: 'partiel', answeredOn: '2026-04-12' })).toEqual({
      headline: 'Dossier clos',
      detail: 'Réclamation REC-2026-000123 : réponse envoyée le 12 avril 2026, dossier clos.',
    });
  });

  it('says so when an open complaint is past its deadline, and only then', () => {
    expect(customerStatus({ ...base, status: 'en_cours', today: '2026-05-02' }).detail).toMatch(/au plus tard le 2 mai 2026/);
    expect(customerStatus({ ...base, status: 'en_cours', today: '2026-05-03' }).detail).toMatch(/Délai du 2 mai 2026 dépassé ; veuillez nous en excuser/);
    expect(customerStatus({ ...base, status: 'resolue', outcome: 'accepte', today: '2026-06-01' }).detail).not.toMatch(/dépassé/);
  });

  it('is written in the GSM-7 alphabet in French (outside August), so that STATUT stays a short SMS', () => {
    for (const status of STATUSES) {
      for (const outcome of [null, ...OUTCOMES]) {
        for (const today of [undefined, '2026-12-31']) {
          const s = customerStatus({ ...base, status, outcome, acknowledged: true, receivedOn: '2026-09-30', answerDueOn: '2026-11-30', answeredOn: '2026-09-30', today });
          expect(smsSegments(`${s.headline}. ${s.detail}`), `${status} ${outcome} ${today}`).toMatchObject({ encoding: 'GSM-7', nonGsm: [] });
        }
      }
    }
  });

  it('fits one SMS in every case, in both languages', () => {
    for (const lang of ['fr', 'en'] as const) {
      for (const status of STATUSES) {
        for (const outcome of [null, ...OUTCOMES]) {
          for (const today of [undefined, '2026-12-31']) {
            const s = customerStatus(
              { ...base, status, outcome, acknowledged: true, receivedOn: '2026-09-30', answerDueOn: '2026-11-30', answeredOn: '2026-09-30', today },
              lang,
            );
            expect(`${s.headline} ${s.detail}`.length, `${lang} ${status} ${outcome} ${today}`).toBeLessThanOrEqual(160);
          }
        }
      }
    }
  });
});

describe('customerStatus (English)', () => {
  it('words the statuses in English', () => {
    expect(customerStatus(base, 'en')).toEqual({
      headline: 'Received — awaiting handling',
      detail: 'Complaint REC-2026-000123 received on 2 March 2026. We will answer by 2 May 2026 at the latest.',
    });
    expect(customerStatus({ ...base, status: 'resolue', outcome: 'partiel', answeredOn: '2026-04-12' }, 'en').headline).toBe('Answer sent on 12 April 2026');
    expect(customerStatus({ ...base, status: 'cloturee' }, 'en').headline).toBe('File closed');
  });
});

describe('date formatting', () => {
  it('writes dates the French way', () => {
    expect(formatDateLong('2026-05-01')).toBe('1er mai 2026');
    expect(formatDateLong('2026-12-25')).toBe('25 décembre 2026');
    expect(formatDateLong('2026-05-01', 'en')).toBe('1 May 2026');
  });

  it('gives Paris time whatever the machine zone (summer and winter)', () => {
    expect(formatDateTimeParis(new Date('2026-03-02T13:05:00Z'))).toBe('2 mars 2026 à 14 h 05');
    expect(formatDateTimeParis(new Date('2026-07-14T22:30:00Z'))).toBe('15 juillet 2026 à 00 h 30');
    expect(formatDateTimeParis(new Date('2026-07-14T22:30:00Z'), 'en')).toBe('15 July 2026 at 00:30');
  });
});
