import { describe, it, expect } from 'vitest';
import {
  ZONES,
  addDays,
  addJoursOuvrables,
  addMonthsClamped,
  assertIsoDate,
  compareDates,
  dayOfWeek,
  isIsoDate,
  isJourOuvrable,
  isJourOuvre,
  isPublicHoliday,
  isZone,
  joursOuvrablesBetween,
  localDateOf,
  publicHolidays,
} from './calendar.ts';
import { ValidationError } from './errors.ts';

const METROPOLE_2026 = [
  '2026-01-01', // Jour de l'an
  '2026-04-06', // Lundi de Pâques (Easter 2026-04-05)
  '2026-05-01',
  '2026-05-08',
  '2026-05-14', // Ascension = Easter + 39
  '2026-05-25', // Lundi de Pentecôte = Easter + 50
  '2026-07-14',
  '2026-08-15',
  '2026-11-01',
  '2026-11-11',
  '2026-12-25',
];

const sorted = (s: ReadonlySet<string>): string[] => [...s].sort();

describe('isIsoDate / assertIsoDate', () => {
  it('accepts real calendar dates only', () => {
    expect(isIsoDate('2026-01-31')).toBe(true);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2000-02-29')).toBe(true);
    expect(isIsoDate('2027-02-29')).toBe(false);
    expect(isIsoDate('1900-02-29')).toBe(false);
    expect(isIsoDate('2026-04-31')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-00-10')).toBe(false);
    expect(isIsoDate('2026-01-00')).toBe(false);
  });

  it('is strict about the format', () => {
    for (const s of ['2026-1-05', '26-01-05', '2026/01/05', '2026-01-05T00:00:00Z', ' 2026-01-05', '2026-01-05 ', '', '20260105']) {
      expect(isIsoDate(s)).toBe(false);
    }
    expect(isIsoDate(null)).toBe(false);
    expect(isIsoDate(20260105)).toBe(false);
  });

  it('throws a ValidationError in French naming the field', () => {
    expect(() => assertIsoDate('2026-02-30', 'sentOn')).toThrow(ValidationError);
    try {
      assertIsoDate('2026-02-30', 'sentOn');
    } catch (e) {
      expect((e as ValidationError).message).toMatch(/Date invalide/);
      expect((e as ValidationError).fields).toHaveProperty('sentOn');
    }
    expect(() => assertIsoDate('2026-02-28', 'sentOn')).not.toThrow();
  });
});

describe('date arithmetic', () => {
  it('addDays crosses months, years and leap days', () => {
    expect(addDays('2026-01-31', 1)).toBe('2026-02-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-03-29', 1)).toBe('2026-03-30'); // DST change day is irrelevant to date arithmetic
    expect(addDays('2026-10-25', 1)).toBe('2026-10-26');
    expect(addDays('2026-01-01', 365)).toBe('2027-01-01');
    expect(addDays('2028-01-01', 366)).toBe('2029-01-01');
    expect(addDays('2026-05-05', 0)).toBe('2026-05-05');
  });

  it('addMonthsClamped keeps the day-number or clamps to the last day', () => {
    expect(addMonthsClamped('2027-12-31', 2)).toBe('2028-02-29');
    expect(addMonthsClamped('2026-12-31', 2)).toBe('2027-02-28');
    expect(addMonthsClamped('2026-08-31', 2)).toBe('2026-10-31');
    expect(addMonthsClamped('2026-07-31', 2)).toBe('2026-09-30');
    expect(addMonthsClamped('2026-01-15', 2)).toBe('2026-03-15');
    expect(addMonthsClamped('2026-11-30', 2)).toBe('2027-01-30');
    expect(addMonthsClamped('2028-02-29', 12)).toBe('2029-02-28');
    expect(addMonthsClamped('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonthsClamped('2026-01-10', -2)).toBe('2025-11-10');
  });

  it('dayOfWeek (0 = Sunday)', () => {
    expect(dayOfWeek('2026-01-01')).toBe(4); // Thursday
    expect(dayOfWeek('2026-04-05')).toBe(0); // Easter Sunday
    expect(dayOfWeek('2026-06-06')).toBe(6); // Saturday
    expect(dayOfWeek('2028-02-29')).toBe(2); // Tuesday
    expect(dayOfWeek('1970-01-01')).toBe(4);
    expect(dayOfWeek('1969-12-31')).toBe(3);
  });

  it('compareDates', () => {
    expect(compareDates('2026-01-01', '2026-01-02')).toBe(-1);
    expect(compareDates('2026-01-02', '2026-01-01')).toBe(1);
    expect(compareDates('2026-01-01', '2026-01-01')).toBe(0);
    expect(['2026-03-01', '2025-12-31', '2026-01-15'].sort(compareDates)).toEqual(['2025-12-31', '2026-01-15', '2026-03-01']);
    expect(() => compareDates('2026-1-1', '2026-01-01')).toThrow(ValidationError);
  });

  it('rejects invalid input', () => {
    expect(() => addDays('2026-02-30', 1)).toThrow(ValidationError);
    expect(() => addDays('2026-02-01', 1.5)).toThrow(ValidationError);
    expect(() => addMonthsClamped('nope', 1)).toThrow(ValidationError);
  });
});

describe('publicHolidays', () => {
  it('metropole 2026: the eleven days of L.3133-1, no observances', () => {
    const h = publicHolidays(2026, 'metropole');
    expect(sorted(h)).toEqual(METROPOLE_2026);
    expect(h.has('2026-05-24')).toBe(false); // Pentecost Sunday (observance)
    expect(h.has('2026-05-31')).toBe(false); // Fête des Mères (observance)
  });

  it('metropole Easter-based days in other years', () => {
    // Easter 2025-04-20, 2027-03-28, 2028-04-16: Monday +1, Ascension +39, Whit Monday +50.
    const expected: Record<number, string[]> = {
      2025: ['2025-04-21', '2025-05-29', '2025-06-09'],
      2027: ['2027-03-29', '2027-05-06', '2027-05-17'],
      2028: ['2028-04-17', '2028-05-25', '2028-06-05'],
    };
    for (const [year, days] of Object.entries(expected)) {
      const h = publicHolidays(Number(year), 'metropole');
      expect(h.size).toBe(11);
      for (const d of days) expect(h.has(d)).toBe(true);
    }
  });

  it('alsace-moselle adds Good Friday and 26 December', () => {
    const h = publicHolidays(2026, 'alsace-moselle');
    expect(sorted(h)).toEqual([...METROPOLE_2026, '2026-04-03', '2026-12-26'].sort());
    expect(publicHolidays(2027, 'alsace-moselle').has('2027-03-26')).toBe(true);
    expect(publicHolidays(2025, 'alsace-moselle').has('2025-04-18')).toBe(true);
  });

  it('overseas zones add only their abolition-of-slavery day', () => {
    const abolition: Record<string, string> = {
      mayotte: '2026-04-27',
      martinique: '2026-05-22',
      guadeloupe: '2026-05-27',
      guyane: '2026-06-10',
      reunion: '2026-12-20',
    };
    for (const [zone, day] of Object.entries(abolition)) {
      if (!isZone(zone)) throw new Error(zone);
      expect(sorted(publicHolidays(2026, zone))).toEqual([...METROPOLE_2026, day].sort());
    }
    // date-holidays lists Good Friday for GP and MQ; REGULATION.md does not: not a holiday here.
    expect(isPublicHoliday('2026-04-03', 'guadeloupe')).toBe(false);
    expect(isPublicHoliday('2026-04-03', 'martinique')).toBe(false);
    // Nor Victor Schoelcher day (optional in date-holidays).
    expect(isPublicHoliday('2026-07-21', 'guadeloupe')).toBe(false);
  });

  it('abolition days are fixed dates every year', () => {
    for (const year of [2025, 2027, 2028]) {
      expect(isPublicHoliday(`${year}-04-27`, 'mayotte')).toBe(true);
      expect(isPublicHoliday(`${year}-05-22`, 'martinique')).toBe(true);
      expect(isPublicHoliday(`${year}-05-27`, 'guadeloupe')).toBe(true);
      expect(isPublicHoliday(`${year}-06-10`, 'guyane')).toBe(true);
      expect(isPublicHoliday(`${year}-12-20`, 'reunion')).toBe(true);
      expect(isPublicHoliday(`${year}-12-20`, 'metropole')).toBe(false);
    }
  });

  it('is cached per (zone, year) and rejects unknown zones', () => {
    expect(publicHolidays(2026, 'reunion')).toBe(publicHolidays(2026, 'reunion'));
    expect(() => publicHolidays(2026, 'corse' as never)).toThrow(ValidationError);
    expect(ZONES).toHaveLength(7);
  });
});

describe('jours ouvrables / ouvrés', () => {
  it('Monday–Saturday minus holidays vs Monday–Friday minus holidays', () => {
    expect(isJourOuvrable('2026-06-06', 'metropole')).toBe(true); // Saturday
    expect(isJourOuvre('2026-06-06', 'metropole')).toBe(false);
    expect(isJourOuvrable('2026-06-07', 'metropole')).toBe(false); // Sunday
    expect(isJourOuvre('2026-06-07', 'metropole')).toBe(false);
    expect(isJourOuvrable('2026-06-08', 'metropole')).toBe(true); // Monday
    expect(isJourOuvre('2026-06-08', 'metropole')).toBe(true);
    expect(isJourOuvrable('2026-05-14', 'metropole')).toBe(false); // Ascension
    expect(isJourOuvre('2026-05-14', 'metropole')).toBe(false);
    expect(isJourOuvrable('2026-12-26', 'metropole')).toBe(true); // Saturday 26 Dec
    expect(isJourOuvrable('2026-12-26', 'alsace-moselle')).toBe(false);
    expect(isJourOuvrable('2026-06-10', 'guyane')).toBe(false);
    expect(isJourOuvrable('2026-06-10', 'metropole')).toBe(true);
  });

  it('addJoursOuvrables does not count the starting day', () => {
    expect(addJoursOuvrables('2026-06-01', 1)).toBe('2026-06-02'); // Mon → Tue
    expect(addJoursOuvrables('2026-06-05', 1)).toBe('2026-06-06'); // Fri → Sat (ouvrable)
    expect(addJoursOuvrables('2026-06-06', 1)).toBe('2026-06-08'); // Sat → Mon (Sunday skipped)
    expect(addJoursOuvrables('2026-06-07', 1)).toBe('2026-06-08'); // from a Sunday
    expect(addJoursOuvrables('2026-04-30', 1)).toBe('2026-05-02'); // Fri 1 May skipped
    expect(addJoursOuvrables('2026-06-07', 0)).toBe('2026-06-07');
    expect(addJoursOuvrables('2026-06-08', -1)).toBe('2026-06-06'); // backwards, Sunday skipped
  });

  it('joursOuvrablesBetween counts (from, to] and is negative when overdue', () => {
    expect(joursOuvrablesBetween('2026-06-01', '2026-06-01')).toBe(0);
    expect(joursOuvrablesBetween('2026-06-06', '2026-06-07')).toBe(0); // only a Sunday
    expect(joursOuvrablesBetween('2026-06-06', '2026-06-08')).toBe(1);
    expect(joursOuvrablesBetween('2026-06-01', '2026-06-12')).toBe(10);
    // 30 Apr → 15 May 2026: 1 May, 8 May, 14 May and two Sundays are excluded.
    expect(joursOuvrablesBetween('2026-04-30', '2026-05-15')).toBe(10);
    expect(joursOuvrablesBetween('2026-05-15', '2026-04-30')).toBe(-10);
    expect(joursOuvrablesBetween('2026-06-08', '2026-06-06')).toBe(-1);
    expect(joursOuvrablesBetween('2026-06-09', '2026-06-10', 'guyane')).toBe(0);
  });

  it('joursOuvrablesBetween is the inverse of addJoursOuvrables', () => {
    for (const zone of ZONES) {
      for (const start of ['2026-04-02', '2026-12-19', '2027-05-04', '2028-04-13']) {
        for (const n of [1, 5, 10, 30]) {
          expect(joursOuvrablesBetween(start, addJoursOuvrables(start, n, zone), zone)).toBe(n);
        }
      }
    }
  });
});

describe('localDateOf', () => {
  it('converts an instant to its Paris calendar date', () => {
    expect(localDateOf(new Date('2026-01-15T22:59:59Z'))).toBe('2026-01-15'); // 23:59:59 CET
    expect(localDateOf(new Date('2026-01-15T23:00:00Z'))).toBe('2026-01-16'); // 00:00 CET
    expect(localDateOf(new Date('2026-07-15T21:59:59Z'))).toBe('2026-07-15'); // 23:59:59 CEST
    expect(localDateOf(new Date('2026-07-15T22:00:00Z'))).toBe('2026-07-16'); // 00:00 CEST
    expect(localDateOf(new Date('2026-12-31T23:30:00Z'))).toBe('2027-01-01');
  });

  it('handles the spring DST change (29 March 2026)', () => {
    expect(localDateOf(new Date('2026-03-28T23:30:00Z'))).toBe('2026-03-29'); // 00:30 CET
    expect(localDateOf(new Date('2026-03-29T21:59:00Z'))).toBe('2026-03-29'); // 23:59 CEST
    expect(localDateOf(new Date('2026-03-29T22:30:00Z'))).toBe('2026-03-30'); // 00:30 CEST
  });

  it('handles the autumn DST change (25 October 2026)', () => {
    expect(localDateOf(new Date('2026-10-24T21:59:00Z'))).toBe('2026-10-24'); // 23:59 CEST
    expect(localDateOf(new Date('2026-10-24T22:30:00Z'))).toBe('2026-10-25'); // 00:30 CEST
    expect(localDateOf(new Date('2026-10-25T22:30:00Z'))).toBe('2026-10-25'); // 23:30 CET
    expect(localDateOf(new Date('2026-10-25T23:00:00Z'))).toBe('2026-10-26'); // 00:00 CET
  });

  it('accepts other time zones', () => {
    expect(localDateOf(new Date('2026-12-19T20:30:00Z'), 'Indian/Reunion')).toBe('2026-12-20'); // UTC+4
    expect(localDateOf(new Date('2026-05-22T02:00:00Z'), 'America/Martinique')).toBe('2026-05-21'); // UTC-4
    expect(localDateOf(new Date('2026-05-22T02:00:00Z'), 'UTC')).toBe('2026-05-22');
  });

  it('rejects invalid instants and zones', () => {
    expect(() => localDateOf(new Date('nope'))).toThrow(ValidationError);
    expect(() => localDateOf(new Date(), 'Mars/Olympus')).toThrow(ValidationError);
  });
});
