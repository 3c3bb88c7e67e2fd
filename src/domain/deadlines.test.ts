/**
 * Every expected date below was derived BY HAND from the rules in shared/REGULATION.md:
 *  - ack: 10 jours ouvrables (Mon–Sat, minus public holidays), the starting day not counted;
 *  - answer: same day-number two months later, clamped to the month's last day, never moved.
 * In the comments, "(n)" is the n-th jour ouvrable counted; "skip" marks a day that does not count.
 * Weekdays used as anchors: 2026-01-01 Thu, 2025-01-01 Wed, 2027-01-01 Fri, 2028-01-01 Sat (leap year).
 */
import { describe, it, expect } from 'vitest';
import { answerDueWarning, clockStart, computeDeadlines } from './deadlines.ts';
import { ValidationError } from './errors.ts';

describe('computeDeadlines — counting', () => {
  it('does not count the starting day and skips Sundays', () => {
    // Sent Mon 2026-06-01: Tue 2 (1), Wed 3 (2), Thu 4 (3), Fri 5 (4), Sat 6 (5), Sun 7 skip,
    // Mon 8 (6), Tue 9 (7), Wed 10 (8), Thu 11 (9), Fri 12 (10). Answer: 2026-08-01 (a Saturday, kept).
    expect(computeDeadlines({ sentOn: '2026-06-01' })).toEqual({ ackDueOn: '2026-06-12', answerDueOn: '2026-08-01' });
  });

  it('returns exactly the two contract keys', () => {
    expect(Object.keys(computeDeadlines({ sentOn: '2026-06-01' })).sort()).toEqual(['ackDueOn', 'answerDueOn']);
  });

  it('starts the same way from a Saturday or a Sunday', () => {
    // Sent Sat 2026-06-06: Mon 8 (1), 9 (2), 10 (3), 11 (4), 12 (5), Sat 13 (6), Sun 14 skip,
    // Mon 15 (7), 16 (8), 17 (9), Thu 18 (10).
    expect(computeDeadlines({ sentOn: '2026-06-06' }).ackDueOn).toBe('2026-06-18');
    // Sent Sun 2026-06-07: the Sunday itself is the (uncounted) start; Mon 8 (1) … Thu 18 (10).
    expect(computeDeadlines({ sentOn: '2026-06-07' })).toEqual({ ackDueOn: '2026-06-18', answerDueOn: '2026-08-07' });
  });

  it('skips 1 May, 8 May and Ascension (2026)', () => {
    // Sent Thu 2026-04-30: Fri 1 May skip, Sat 2 (1), Sun 3 skip, Mon 4 (2), Tue 5 (3), Wed 6 (4), Thu 7 (5),
    // Fri 8 May skip, Sat 9 (6), Sun 10 skip, Mon 11 (7), Tue 12 (8), Wed 13 (9), Thu 14 Ascension skip,
    // Fri 15 (10). Answer: 2026-06-30.
    expect(computeDeadlines({ sentOn: '2026-04-30' })).toEqual({ ackDueOn: '2026-05-15', answerDueOn: '2026-06-30' });
  });

  it('skips 11 November', () => {
    // Sent Mon 2026-11-02: Tue 3 (1), Wed 4 (2), Thu 5 (3), Fri 6 (4), Sat 7 (5), Sun 8 skip, Mon 9 (6),
    // Tue 10 (7), Wed 11 skip, Thu 12 (8), Fri 13 (9), Sat 14 (10). Answer: 2027-01-02.
    expect(computeDeadlines({ sentOn: '2026-11-02' })).toEqual({ ackDueOn: '2026-11-14', answerDueOn: '2027-01-02' });
  });

  it('skips a public holiday falling on a Saturday (8 May 2027)', () => {
    // Sent Tue 2027-05-04: Wed 5 (1), Thu 6 Ascension skip, Fri 7 (2), Sat 8 May skip, Sun 9 skip,
    // Mon 10 (3), Tue 11 (4), Wed 12 (5), Thu 13 (6), Fri 14 (7), Sat 15 (8), Sun 16 skip,
    // Mon 17 Whit Monday skip, Tue 18 (9), Wed 19 (10). Answer: 2027-07-04.
    expect(computeDeadlines({ sentOn: '2027-05-04' })).toEqual({ ackDueOn: '2027-05-19', answerDueOn: '2027-07-04' });
  });

  it('skips 1 January (sent on New Year’s Eve)', () => {
    // Sent Thu 2026-12-31: Fri 1 Jan skip, Sat 2 (1), Sun 3 skip, Mon 4 (2), Tue 5 (3), Wed 6 (4), Thu 7 (5),
    // Fri 8 (6), Sat 9 (7), Sun 10 skip, Mon 11 (8), Tue 12 (9), Wed 13 (10).
    expect(computeDeadlines({ sentOn: '2026-12-31' }).ackDueOn).toBe('2027-01-13');
    // Sent Fri 2027-12-31: Sat 1 Jan skip, Sun 2 skip, Mon 3 (1) … Sat 8 (6), Sun 9 skip, Mon 10 (7),
    // Tue 11 (8), Wed 12 (9), Thu 13 (10).
    expect(computeDeadlines({ sentOn: '2027-12-31' }).ackDueOn).toBe('2028-01-13');
  });
});

describe('computeDeadlines — Easter-based holidays', () => {
  it('2025 (Easter 04-20): Easter Monday 04-21, Ascension 05-29, Whit Monday 06-09', () => {
    // Sent Thu 2025-04-17: Fri 18 (1), Sat 19 (2), Sun 20 skip, Mon 21 skip, Tue 22 (3), Wed 23 (4), Thu 24 (5),
    // Fri 25 (6), Sat 26 (7), Sun 27 skip, Mon 28 (8), Tue 29 (9), Wed 30 (10). Answer 2025-06-17.
    expect(computeDeadlines({ sentOn: '2025-04-17' })).toEqual({ ackDueOn: '2025-04-30', answerDueOn: '2025-06-17' });
    // Sent Fri 2025-05-23: Sat 24 (1), Sun skip, Mon 26 (2), Tue 27 (3), Wed 28 (4), Thu 29 skip, Fri 30 (5),
    // Sat 31 (6), Sun 1 Jun skip, Mon 2 (7), Tue 3 (8), Wed 4 (9), Thu 5 (10).
    expect(computeDeadlines({ sentOn: '2025-05-23' }).ackDueOn).toBe('2025-06-05');
    // Sent Wed 2025-06-04: Thu 5 (1), Fri 6 (2), Sat 7 (3), Sun 8 skip, Mon 9 skip, Tue 10 (4), Wed 11 (5),
    // Thu 12 (6), Fri 13 (7), Sat 14 (8), Sun 15 skip, Mon 16 (9), Tue 17 (10).
    expect(computeDeadlines({ sentOn: '2025-06-04' }).ackDueOn).toBe('2025-06-17');
  });

  it('2026 (Easter 04-05): Easter Monday 04-06, Ascension 05-14, Whit Monday 05-25', () => {
    // Sent Thu 2026-04-02: Fri 3 (1), Sat 4 (2), Sun 5 skip, Mon 6 skip, Tue 7 (3), Wed 8 (4), Thu 9 (5),
    // Fri 10 (6), Sat 11 (7), Sun 12 skip, Mon 13 (8), Tue 14 (9), Wed 15 (10). Answer 2026-06-02.
    expect(computeDeadlines({ sentOn: '2026-04-02' })).toEqual({ ackDueOn: '2026-04-15', answerDueOn: '2026-06-02' });
    // Sent Mon 2026-05-11: Tue 12 (1), Wed 13 (2), Thu 14 skip, Fri 15 (3), Sat 16 (4), Sun skip, Mon 18 (5),
    // Tue 19 (6), Wed 20 (7), Thu 21 (8), Fri 22 (9), Sat 23 (10).
    expect(computeDeadlines({ sentOn: '2026-05-11' })).toEqual({ ackDueOn: '2026-05-23', answerDueOn: '2026-07-11' });
    // Sent Tue 2026-05-19: Wed 20 (1), Thu 21 (2), Fri 22 (3), Sat 23 (4), Sun 24 skip, Mon 25 skip,
    // Tue 26 (5), Wed 27 (6), Thu 28 (7), Fri 29 (8), Sat 30 (9), Sun 31 skip, Mon 1 Jun (10).
    expect(computeDeadlines({ sentOn: '2026-05-19' }).ackDueOn).toBe('2026-06-01');
  });

  it('2027 (Easter 03-28): Easter Monday 03-29, Ascension 05-06, Whit Monday 05-17', () => {
    // Sent Wed 2027-03-24: Thu 25 (1), Fri 26 (2), Sat 27 (3), Sun 28 skip, Mon 29 skip, Tue 30 (4), Wed 31 (5),
    // Thu 1 Apr (6), Fri 2 (7), Sat 3 (8), Sun 4 skip, Mon 5 (9), Tue 6 (10). Answer 2027-05-24.
    expect(computeDeadlines({ sentOn: '2027-03-24' })).toEqual({ ackDueOn: '2027-04-06', answerDueOn: '2027-05-24' });
    // Ascension and Whit Monday 2027: see "holiday falling on a Saturday" (sent 2027-05-04 → 2027-05-19).
  });

  it('2028 (Easter 04-16): Easter Monday 04-17, Ascension 05-25, Whit Monday 06-05', () => {
    // Sent Thu 2028-04-13: Fri 14 (1), Sat 15 (2), Sun 16 skip, Mon 17 skip, Tue 18 (3), Wed 19 (4), Thu 20 (5),
    // Fri 21 (6), Sat 22 (7), Sun 23 skip, Mon 24 (8), Tue 25 (9), Wed 26 (10). Answer 2028-06-13.
    expect(computeDeadlines({ sentOn: '2028-04-13' })).toEqual({ ackDueOn: '2028-04-26', answerDueOn: '2028-06-13' });
    // Sent Mon 2028-05-22: Tue 23 (1), Wed 24 (2), Thu 25 skip, Fri 26 (3), Sat 27 (4), Sun 28 skip, Mon 29 (5),
    // Tue 30 (6), Wed 31 (7), Thu 1 Jun (8), Fri 2 (9), Sat 3 (10).
    expect(computeDeadlines({ sentOn: '2028-05-22' }).ackDueOn).toBe('2028-06-03');
    // Sent Wed 2028-05-31: Thu 1 (1), Fri 2 (2), Sat 3 (3), Sun 4 skip, Mon 5 skip, Tue 6 (4), Wed 7 (5),
    // Thu 8 (6), Fri 9 (7), Sat 10 (8), Sun 11 skip, Mon 12 (9), Tue 13 (10).
    expect(computeDeadlines({ sentOn: '2028-05-31' }).ackDueOn).toBe('2028-06-13');
  });
});

describe('computeDeadlines — two-month answer date', () => {
  it('clamps to the last day of a shorter month', () => {
    // 31 Dec 2027 + 2 months → February 2028 (leap year) has no 31st → 29 Feb.
    expect(computeDeadlines({ sentOn: '2027-12-31' }).answerDueOn).toBe('2028-02-29');
    // 31 Dec 2026 + 2 months → February 2027 has 28 days → 28 Feb.
    expect(computeDeadlines({ sentOn: '2026-12-31' }).answerDueOn).toBe('2027-02-28');
    // 31 Aug 2026 + 2 months → 31 Oct exists.
    expect(computeDeadlines({ sentOn: '2026-08-31' })).toEqual({ ackDueOn: '2026-09-11', answerDueOn: '2026-10-31' });
    // 30 Dec 2025 → 28 Feb 2026; 29 Dec 2027 → 29 Feb 2028; 31 Jul 2026 → 30 Sep 2026.
    expect(computeDeadlines({ sentOn: '2025-12-30' }).answerDueOn).toBe('2026-02-28');
    expect(computeDeadlines({ sentOn: '2027-12-29' }).answerDueOn).toBe('2028-02-29');
    expect(computeDeadlines({ sentOn: '2026-07-31' }).answerDueOn).toBe('2026-09-30');
  });

  it('keeps a date falling on a Sunday and warns "dimanche"', () => {
    // 31 Dec 2026 → Sun 28 Feb 2027: kept.
    expect(computeDeadlines({ sentOn: '2026-12-31' }).answerDueOn).toBe('2027-02-28');
    expect(answerDueWarning('2027-02-28')).toBe('dimanche');
    // 4 May 2027 → Sun 4 Jul 2027: kept.
    expect(computeDeadlines({ sentOn: '2027-05-04' }).answerDueOn).toBe('2027-07-04');
    expect(answerDueWarning('2027-07-04', 'metropole')).toBe('dimanche');
  });

  it('keeps a date falling on a weekday holiday and warns "jour_ferie"', () => {
    // Sent Sat 2027-09-11 → answer Thu 2027-11-11 (Armistice): kept.
    // Ack: Mon 13 (1), Tue 14 (2), Wed 15 (3), Thu 16 (4), Fri 17 (5), Sat 18 (6), Sun 19 skip, Mon 20 (7),
    // Tue 21 (8), Wed 22 (9), Thu 23 (10).
    expect(computeDeadlines({ sentOn: '2027-09-11' })).toEqual({ ackDueOn: '2027-09-23', answerDueOn: '2027-11-11' });
    expect(answerDueWarning('2027-11-11')).toBe('jour_ferie');
    // Sent Sat 2026-03-14 → answer Thu 2026-05-14 (Ascension): kept.
    expect(computeDeadlines({ sentOn: '2026-03-14' }).answerDueOn).toBe('2026-05-14');
    expect(answerDueWarning('2026-05-14')).toBe('jour_ferie');
  });

  it('prefers "jour_ferie" when a holiday falls on a Sunday', () => {
    // Sent 2026-09-01 → 2026-11-01, Toussaint on a Sunday.
    expect(computeDeadlines({ sentOn: '2026-09-01' }).answerDueOn).toBe('2026-11-01');
    expect(answerDueWarning('2026-11-01')).toBe('jour_ferie');
  });

  it('does not warn on a Saturday or a working day; warns per zone', () => {
    expect(answerDueWarning('2026-08-01')).toBeNull(); // Saturday: a jour ouvrable
    expect(answerDueWarning('2026-06-30')).toBeNull();
    expect(answerDueWarning('2026-12-26')).toBeNull(); // Saturday 26 Dec in metropole…
    expect(answerDueWarning('2026-12-26', 'alsace-moselle')).toBe('jour_ferie'); // …a holiday there
    expect(answerDueWarning('2026-05-22', 'martinique')).toBe('jour_ferie');
    expect(() => answerDueWarning('2026-02-30')).toThrow(ValidationError);
  });
});

describe('computeDeadlines — zones', () => {
  it('Alsace-Moselle: Good Friday inside the window moves the ack date', () => {
    // Sent Thu 2026-04-02: Fri 3 Good Friday skip, Sat 4 (1), Sun skip, Mon 6 skip, Tue 7 (2) … Wed 15 (9),
    // Thu 16 (10) — one day later than metropole (2026-04-15).
    expect(computeDeadlines({ sentOn: '2026-04-02', zone: 'alsace-moselle' })).toEqual({
      ackDueOn: '2026-04-16',
      answerDueOn: '2026-06-02',
    });
    // Sent Thu 2025-04-17: Fri 18 skip, Sat 19 (1), Sun skip, Mon 21 skip, Tue 22 (2), Wed 23 (3), Thu 24 (4),
    // Fri 25 (5), Sat 26 (6), Sun skip, Mon 28 (7), Tue 29 (8), Wed 30 (9), Thu 1 May skip, Fri 2 (10).
    expect(computeDeadlines({ sentOn: '2025-04-17', zone: 'alsace-moselle' }).ackDueOn).toBe('2025-05-02');
    // 2027: Wed 24 Mar → Good Friday 26 skipped → Wed 7 Apr (metropole: Tue 6 Apr).
    expect(computeDeadlines({ sentOn: '2027-03-24', zone: 'alsace-moselle' }).ackDueOn).toBe('2027-04-07');
    // 2028: Thu 13 Apr → Good Friday 14 skipped → Thu 27 Apr (metropole: Wed 26 Apr).
    expect(computeDeadlines({ sentOn: '2028-04-13', zone: 'alsace-moselle' }).ackDueOn).toBe('2028-04-27');
  });

  it('Alsace-Moselle: 26 December inside the window moves the ack date', () => {
    // Metropole, sent Tue 2026-12-22: Wed 23 (1), Thu 24 (2), Fri 25 skip, Sat 26 (3), Sun skip, Mon 28 (4),
    // Tue 29 (5), Wed 30 (6), Thu 31 (7), Fri 1 Jan skip, Sat 2 (8), Sun skip, Mon 4 (9), Tue 5 (10).
    expect(computeDeadlines({ sentOn: '2026-12-22' })).toEqual({ ackDueOn: '2027-01-05', answerDueOn: '2027-02-22' });
    // Alsace-Moselle: Sat 26 skip as well → one more day → Wed 2027-01-06.
    expect(computeDeadlines({ sentOn: '2026-12-22', zone: 'alsace-moselle' }).ackDueOn).toBe('2027-01-06');
  });

  it('La Réunion: 20 December inside the window moves the ack date', () => {
    // Metropole, sent Wed 2027-12-15: Thu 16 (1), Fri 17 (2), Sat 18 (3), Sun skip, Mon 20 (4), Tue 21 (5),
    // Wed 22 (6), Thu 23 (7), Fri 24 (8), Sat 25 skip, Sun 26 skip, Mon 27 (9), Tue 28 (10).
    expect(computeDeadlines({ sentOn: '2027-12-15' })).toEqual({ ackDueOn: '2027-12-28', answerDueOn: '2028-02-15' });
    // La Réunion: Mon 20 skip → Wed 2027-12-29.
    expect(computeDeadlines({ sentOn: '2027-12-15', zone: 'reunion' }).ackDueOn).toBe('2027-12-29');
    // 2026: 20 Dec is a Sunday, which never counts anyway → same as metropole (Tue 22 → Tue 5 Jan).
    expect(computeDeadlines({ sentOn: '2026-12-15', zone: 'reunion' }).ackDueOn).toBe(
      computeDeadlines({ sentOn: '2026-12-15' }).ackDueOn,
    );
  });

  it('Martinique: 22 May inside the window moves the ack date', () => {
    // Sent Mon 2026-05-11 (metropole → Sat 23, see above). Martinique: Fri 22 skip too:
    // Tue 12 (1), Wed 13 (2), Fri 15 (3), Sat 16 (4), Mon 18 (5), Tue 19 (6), Wed 20 (7), Thu 21 (8),
    // Sat 23 (9), Sun 24 skip, Mon 25 Whit Monday skip, Tue 26 (10).
    expect(computeDeadlines({ sentOn: '2026-05-11', zone: 'martinique' }).ackDueOn).toBe('2026-05-26');
  });

  it('Guadeloupe: 27 May moves the ack date, Good Friday does not', () => {
    // Sent Fri 2025-05-23: Sat 24 (1), Mon 26 (2), Tue 27 skip, Wed 28 (3), Thu 29 skip, Fri 30 (4), Sat 31 (5),
    // Mon 2 (6), Tue 3 (7), Wed 4 (8), Thu 5 (9), Fri 6 (10).
    expect(computeDeadlines({ sentOn: '2025-05-23', zone: 'guadeloupe' }).ackDueOn).toBe('2025-06-06');
    // Sent Tue 2026-05-19 (metropole → Mon 1 Jun): Wed 27 skip → Tue 2026-06-02.
    expect(computeDeadlines({ sentOn: '2026-05-19', zone: 'guadeloupe' }).ackDueOn).toBe('2026-06-02');
    // 2028: Sat 27 May skip; sent Mon 22: Tue 23 (1), Wed 24 (2), Fri 26 (3), Mon 29 (4), Tue 30 (5), Wed 31 (6),
    // Thu 1 (7), Fri 2 (8), Sat 3 (9), Mon 5 Whit Monday skip, Tue 6 (10).
    expect(computeDeadlines({ sentOn: '2028-05-22', zone: 'guadeloupe' }).ackDueOn).toBe('2028-06-06');
    // Good Friday 2026-04-03 is NOT a holiday for us in Guadeloupe or Martinique: same as metropole.
    expect(computeDeadlines({ sentOn: '2026-04-02', zone: 'guadeloupe' }).ackDueOn).toBe('2026-04-15');
    expect(computeDeadlines({ sentOn: '2026-04-02', zone: 'martinique' }).ackDueOn).toBe('2026-04-15');
  });

  it('Guyane: 10 June moves the ack date', () => {
    // Sent Mon 2026-06-01: Tue 2 (1), Wed 3 (2), Thu 4 (3), Fri 5 (4), Sat 6 (5), Mon 8 (6), Tue 9 (7),
    // Wed 10 skip, Thu 11 (8), Fri 12 (9), Sat 13 (10) — metropole: Fri 12.
    expect(computeDeadlines({ sentOn: '2026-06-01', zone: 'guyane' })).toEqual({
      ackDueOn: '2026-06-13',
      answerDueOn: '2026-08-01',
    });
    // Sent Wed 2025-06-04: Thu 5 (1), Fri 6 (2), Sat 7 (3), Mon 9 skip, Tue 10 skip, Wed 11 (4), Thu 12 (5),
    // Fri 13 (6), Sat 14 (7), Mon 16 (8), Tue 17 (9), Wed 18 (10).
    expect(computeDeadlines({ sentOn: '2025-06-04', zone: 'guyane' }).ackDueOn).toBe('2025-06-18');
  });

  it('Mayotte: 27 April moves the ack date', () => {
    // Metropole, sent Fri 2026-04-24: Sat 25 (1), Sun skip, Mon 27 (2), Tue 28 (3), Wed 29 (4), Thu 30 (5),
    // Fri 1 May skip, Sat 2 (6), Sun skip, Mon 4 (7), Tue 5 (8), Wed 6 (9), Thu 7 (10).
    expect(computeDeadlines({ sentOn: '2026-04-24' }).ackDueOn).toBe('2026-05-07');
    // Mayotte: Mon 27 skip → … Thu 7 (9), Fri 8 May skip, Sat 9 (10).
    expect(computeDeadlines({ sentOn: '2026-04-24', zone: 'mayotte' }).ackDueOn).toBe('2026-05-09');
  });

  it('defaults to metropole (undefined or null zone) and rejects unknown zones', () => {
    expect(computeDeadlines({ sentOn: '2026-04-02', zone: null })).toEqual(computeDeadlines({ sentOn: '2026-04-02' }));
    expect(computeDeadlines({ sentOn: '2026-04-02', zone: 'metropole' }).ackDueOn).toBe('2026-04-15');
    expect(() => computeDeadlines({ sentOn: '2026-04-02', zone: 'corse' as never })).toThrow(ValidationError);
  });
});

describe('clock start', () => {
  it('starts from sentOn when it is before receivedOn', () => {
    // Sent Mon 2026-06-01, received Wed 06-03 → clock from 06-01 → ack Fri 06-12, answer 08-01.
    expect(clockStart({ sentOn: '2026-06-01', receivedOn: '2026-06-03' })).toEqual({ startOn: '2026-06-01', source: 'sent' });
    expect(computeDeadlines({ sentOn: '2026-06-01', receivedOn: '2026-06-03' })).toEqual({
      ackDueOn: '2026-06-12',
      answerDueOn: '2026-08-01',
    });
    expect(clockStart({ sentOn: '2026-06-03', receivedOn: '2026-06-03' })).toEqual({ startOn: '2026-06-03', source: 'sent' });
  });

  it('falls back to receivedOn when sentOn is missing', () => {
    // Received Wed 2026-06-03: Thu 4 (1), Fri 5 (2), Sat 6 (3), Sun skip, Mon 8 (4), Tue 9 (5), Wed 10 (6),
    // Thu 11 (7), Fri 12 (8), Sat 13 (9), Sun skip, Mon 15 (10). Answer 2026-08-03.
    for (const sentOn of [undefined, null, '', '  ']) {
      expect(clockStart({ sentOn, receivedOn: '2026-06-03' })).toEqual({ startOn: '2026-06-03', source: 'received' });
      expect(computeDeadlines({ sentOn, receivedOn: '2026-06-03' })).toEqual({
        ackDueOn: '2026-06-15',
        answerDueOn: '2026-08-03',
      });
    }
    expect(computeDeadlines({ receivedOn: '2026-06-03' }).ackDueOn).toBe('2026-06-15');
  });

  it('starts from the earlier date when sentOn is after receivedOn (a wrong clock)', () => {
    expect(clockStart({ sentOn: '2026-06-03', receivedOn: '2026-06-01' })).toEqual({ startOn: '2026-06-01', source: 'received' });
    expect(computeDeadlines({ sentOn: '2026-06-03', receivedOn: '2026-06-01' }).ackDueOn).toBe('2026-06-12');
  });

  it('uses sentOn alone', () => {
    expect(clockStart({ sentOn: '2026-06-03' })).toEqual({ startOn: '2026-06-03', source: 'sent' });
    expect(clockStart({ sentOn: '2026-06-03', receivedOn: null })).toEqual({ startOn: '2026-06-03', source: 'sent' });
  });

  it('rejects missing or invalid dates with a ValidationError', () => {
    expect(() => computeDeadlines({ sentOn: null })).toThrow(ValidationError);
    expect(() => computeDeadlines({ sentOn: '', receivedOn: '' })).toThrow(ValidationError);
    expect(() => computeDeadlines({ sentOn: '2026-02-30' })).toThrow(ValidationError);
    expect(() => computeDeadlines({ sentOn: '2026-06-01T10:00:00Z' })).toThrow(ValidationError);
    expect(() => computeDeadlines({ sentOn: '2026-06-01', receivedOn: '03/06/2026' })).toThrow(ValidationError);
    try {
      computeDeadlines({ sentOn: null, receivedOn: null });
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).message).toMatch(/requise/);
    }
  });
});
