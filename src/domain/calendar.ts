/**
 * Business calendar on `YYYY-MM-DD` date strings.
 *
 * All arithmetic is done on integer day numbers (days since 1970-01-01, proleptic Gregorian calendar),
 * never on JS Date objects in local time, so results do not depend on the machine's time zone or DST.
 */
import Holidays from 'date-holidays';
import { ValidationError } from './errors.ts';

export const ZONES = ['metropole', 'alsace-moselle', 'guadeloupe', 'martinique', 'guyane', 'reunion', 'mayotte'] as const;
export type Zone = (typeof ZONES)[number];

/** A calendar date written `YYYY-MM-DD`. */
export type IsoDate = string;

const ISO_DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isZone(value: unknown): value is Zone {
  return typeof value === 'string' && (ZONES as readonly string[]).includes(value);
}

/** Throws a ValidationError when `value` is not one of ZONES. */
export function assertZone(value: unknown, field = 'zone'): asserts value is Zone {
  if (!isZone(value)) {
    const message = `Zone de calendrier inconnue (valeurs possibles : ${ZONES.join(', ')}).`;
    throw new ValidationError(message, { [field]: message });
  }
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for a strict `YYYY-MM-DD` string naming a real calendar date (no time part, no 2026-02-30). */
export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const m = ISO_DATE_RE.exec(value);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Throws a ValidationError (French message, keyed by `field`) unless `value` is a valid `YYYY-MM-DD` date. */
export function assertIsoDate(value: unknown, field = 'date'): asserts value is IsoDate {
  if (!isIsoDate(value)) {
    const message = `Date invalide : « ${String(value)} » (format attendu AAAA-MM-JJ, date réelle du calendrier).`;
    throw new ValidationError(message, { [field]: message });
  }
}

interface Ymd {
  year: number;
  month: number;
  day: number;
}

function parts(date: IsoDate, field = 'date'): Ymd {
  assertIsoDate(date, field);
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

function format({ year, month, day }: Ymd): IsoDate {
  if (year < 0 || year > 9999) throw new ValidationError(`Date hors limites (année ${year}).`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// Days since 1970-01-01 (H. Hinnant's days_from_civil), exact for any Gregorian date.
function toDayNumber({ year, month, day }: Ymd): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// Inverse of toDayNumber (civil_from_days).
function fromDayNumber(n: number): Ymd {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: era * 400 + yoe + (month <= 2 ? 1 : 0), month, day };
}

function assertInteger(n: number, field: string): void {
  if (!Number.isSafeInteger(n)) {
    throw new ValidationError(`Nombre entier attendu pour « ${field} ».`, { [field]: 'Nombre entier attendu.' });
  }
}

export function addDays(date: IsoDate, n: number): IsoDate {
  assertInteger(n, 'n');
  return format(fromDayNumber(toDayNumber(parts(date)) + n));
}

/** Adds n months keeping the day-number; when the final month is shorter, ends on its last day. */
export function addMonthsClamped(date: IsoDate, n: number): IsoDate {
  assertInteger(n, 'n');
  const { year, month, day } = parts(date);
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return format({ year: y, month: m, day: Math.min(day, daysInMonth(y, m)) });
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  // 1970-01-01 was a Thursday (4).
  return (((toDayNumber(parts(date)) + 4) % 7) + 7) % 7;
}

/** -1, 0 or 1, usable as an Array.prototype.sort comparator. */
export function compareDates(a: IsoDate, b: IsoDate): -1 | 0 | 1 {
  assertIsoDate(a, 'a');
  assertIsoDate(b, 'b');
  return a < b ? -1 : a > b ? 1 : 0;
}

// --- Public holidays -------------------------------------------------------------------------------

/** date-holidays calendar providing each overseas zone's abolition-of-slavery day. */
const ABOLITION_CALENDAR: Partial<Record<Zone, string>> = {
  guadeloupe: 'GP',
  martinique: 'MQ',
  guyane: 'GF',
  reunion: 'RE',
  mayotte: 'YT',
};

const calendars = new Map<string, Holidays>();
const holidayCache = new Map<string, ReadonlySet<IsoDate>>();

function calendar(country: string, state?: string): Holidays {
  const key = state ? `${country}-${state}` : country;
  let hd = calendars.get(key);
  if (!hd) {
    hd = state ? new Holidays(country, state) : new Holidays(country);
    calendars.set(key, hd);
  }
  return hd;
}

/** Public (type 'public') holidays of a date-holidays calendar, as local `YYYY-MM-DD` dates. */
function publicDates(hd: Holidays, year: number, filter: (name: string) => boolean = () => true): IsoDate[] {
  // `date` is the local date-time in the calendar's own zone ("2026-05-14 00:00:00"), not an instant.
  return hd
    .getHolidays(year, 'fr')
    .filter((h) => h.type === 'public' && filter(h.name))
    .map((h) => h.date.slice(0, 10));
}

function buildHolidays(year: number, zone: Zone): Set<IsoDate> {
  if (zone === 'alsace-moselle') return new Set(publicDates(calendar('FR', '57'), year));
  const dates = new Set(publicDates(calendar('FR'), year));
  const dom = ABOLITION_CALENDAR[zone];
  // Overseas zones add ONLY their abolition day (the DOM calendars also list e.g. Good Friday: not taken).
  if (dom) for (const d of publicDates(calendar(dom), year, (name) => /esclavage/i.test(name))) dates.add(d);
  return dates;
}

/** Public holidays of one zone and year (Code du travail L.3133-1 plus local days), cached per (zone, year). */
export function publicHolidays(year: number, zone: Zone = 'metropole'): ReadonlySet<IsoDate> {
  assertInteger(year, 'year');
  assertZone(zone);
  const key = `${zone}:${year}`;
  let set = holidayCache.get(key);
  if (!set) {
    set = buildHolidays(year, zone);
    holidayCache.set(key, set);
  }
  return set;
}

export function isPublicHoliday(date: IsoDate, zone: Zone = 'metropole'): boolean {
  return publicHolidays(parts(date).year, zone).has(date);
}

/** Jour ouvrable: Monday to Saturday, not a public holiday. */
export function isJourOuvrable(date: IsoDate, zone: Zone = 'metropole'): boolean {
  return dayOfWeek(date) !== 0 && !isPublicHoliday(date, zone);
}

/** Jour ouvré: Monday to Friday, not a public holiday. */
export function isJourOuvre(date: IsoDate, zone: Zone = 'metropole'): boolean {
  const dow = dayOfWeek(date);
  return dow !== 0 && dow !== 6 && !isPublicHoliday(date, zone);
}

/**
 * The date n jours ouvrables after `date`; the starting day itself is never counted.
 * n = 0 returns `date` unchanged; a negative n counts backwards the same way.
 */
export function addJoursOuvrables(date: IsoDate, n: number, zone: Zone = 'metropole'): IsoDate {
  assertInteger(n, 'n');
  assertZone(zone);
  assertIsoDate(date);
  const step = n < 0 ? -1 : 1;
  let current = date;
  for (let left = Math.abs(n); left > 0; ) {
    current = addDays(current, step);
    if (isJourOuvrable(current, zone)) left--;
  }
  return current;
}

/**
 * Jours ouvrables in (from, to] when to >= from; minus those in (to, from] when to < from.
 * Used for "days left" on a deadline: negative means overdue.
 */
export function joursOuvrablesBetween(from: IsoDate, to: IsoDate, zone: Zone = 'metropole'): number {
  assertZone(zone);
  // Lists show two day counts per row, and rows share their dates: the answers are kept (pure function).
  const key = `${from}|${to}|${zone}`;
  const known = betweenMemo.get(key);
  if (known !== undefined) return known;
  const value = countJoursOuvrables(from, to, zone);
  if (betweenMemo.size >= 20_000) betweenMemo.clear();
  betweenMemo.set(key, value);
  return value;
}

const betweenMemo = new Map<string, number>();

function countJoursOuvrables(from: IsoDate, to: IsoDate, zone: Zone): number {
  const order = compareDates(from, to);
  if (order === 0) return 0;
  const [start, end] = order < 0 ? [from, to] : [to, from];
  let count = 0;
  for (let d = addDays(start, 1); d <= end; d = addDays(d, 1)) {
    if (isJourOuvrable(d, zone)) count++;
  }
  return order < 0 ? count : -count;
}

// --- Instants to local dates -------------------------------------------------------------------------

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        calendar: 'gregory',
        numberingSystem: 'latn',
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      });
    } catch {
      throw new ValidationError(`Fuseau horaire inconnu : « ${timeZone} ».`, { timeZone: 'Fuseau horaire inconnu.' });
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The calendar date of an instant in a time zone (default Europe/Paris), e.g. for an email's Date header. */
export function localDateOf(instant: Date, timeZone = 'Europe/Paris'): IsoDate {
  if (!(instant instanceof Date) || Number.isNaN(instant.getTime())) {
    throw new ValidationError('Horodatage invalide.', { instant: 'Horodatage invalide.' });
  }
  const formatted = formatterFor(timeZone).formatToParts(instant);
  const get = (type: Intl.DateTimeFormatPartTypes): number => Number(formatted.find((p) => p.type === type)?.value);
  return format({ year: get('year'), month: get('month'), day: get('day') });
}
