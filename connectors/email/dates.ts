/**
 * Dates written by mail clients in quoted and forwarded header blocks, French and English:
 * "lundi 3 mars 2025 10:12", "lun. 3 mars 2025 à 10:12", "3 mars 2025 à 10:12:33 UTC+1",
 * "Monday, March 3, 2025 10:12 AM", "Mon, 3 Mar 2025 10:12:00 +0100", "03/03/2025 10:12".
 * Without an explicit offset, the time is read as Paris wall-clock time (these are French firms' mailboxes).
 */
import { isValid, parse } from 'date-fns';
import { enUS, fr } from 'date-fns/locale';

const LEADING_WEEKDAY =
  /^\s*(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lun|mar|mer|jeu|ven|sam|dim|monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)\.?,?(?=\s)/iu;

const DATE_FORMATS = ['d MMMM yyyy', 'd MMM yyyy', 'MMMM d yyyy', 'MMM d yyyy', 'dd/MM/yyyy', 'd/M/yyyy', 'yyyy-MM-dd'];
const TIME_FORMATS = ['HH:mm:ss', 'HH:mm', 'H:mm', 'h:mm:ss a', 'h:mm a', "HH'h'mm", "H'h'mm"];
const FORMATS = DATE_FORMATS.flatMap((d) => TIME_FORMATS.map((t) => `${d} ${t}`));

/** Offset of Europe/Paris from UTC, in minutes, at a given instant. */
function parisOffsetMinutes(utcMs: number): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Paris',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(utcMs));
  const n = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(n('year'), n('month') - 1, n('day'), n('hour'), n('minute'), n('second'));
  return Math.round((wall - Math.floor(utcMs / 1000) * 1000) / 60_000);
}

/** A wall-clock time (components read from a date-fns result) at a UTC offset, or in Paris time. */
function fromWallClock(local: Date, offsetMinutes: number | null): Date {
  const wallAsUtc = Date.UTC(local.getFullYear(), local.getMonth(), local.getDate(), local.getHours(), local.getMinutes(), local.getSeconds());
  if (offsetMinutes !== null) return new Date(wallAsUtc - offsetMinutes * 60_000);
  const guess = wallAsUtc - parisOffsetMinutes(wallAsUtc) * 60_000;
  return new Date(wallAsUtc - parisOffsetMinutes(guess) * 60_000);
}

/** "+0100", "+01:00", "UTC+1", "GMT+01:00", "UTC" → minutes; the matched text is removed from the string. */
function takeOffset(text: string): { rest: string; offset: number | null } {
  const m = /\s*(?:\b(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?|([+-])(\d{2}):?(\d{2})\b|\b(?:utc|gmt|z)\b)\s*(?:\([^)]*\))?/iu.exec(text);
  if (!m) return { rest: text, offset: null };
  const rest = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`;
  const sign = m[1] ?? m[4];
  if (!sign) return { rest, offset: 0 };
  const hours = Number(m[2] ?? m[5]);
  const minutes = Number(m[3] ?? m[6] ?? 0);
  return { rest, offset: (sign === '-' ? -1 : 1) * (hours * 60 + minutes) };
}

export function parseLooseDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const { rest, offset } = takeOffset(value.replace(/\*/g, ' '));
  const cleaned = rest
    .toLowerCase()
    .trim()
    .replace(LEADING_WEEKDAY, ' ')
    .replace(/(?<=^|\s)(?:à|a|at|le|the)(?=\s|$)/gu, ' ')
    .replace(/[,]/g, ' ')
    .replace(/\b(\d{1,2})(?:st|nd|rd|th|er)\b/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
  // date-fns matches month names case-sensitively in lower case for fr, capitalised for en.
  const english = cleaned.replace(/\b([a-z])([a-z]+)\b/gu, (_m, a: string, b: string) => (/^(am|pm)$/.test(a + b) ? (a + b).toUpperCase() : a.toUpperCase() + b));
  for (const [text, locale] of [
    [cleaned, fr],
    [english, enUS],
  ] as const) {
    for (const format of FORMATS) {
      const d = parse(text, format, new Date(2000, 0, 1), { locale });
      if (isValid(d) && d.getFullYear() > 1990 && d.getFullYear() < 2200) return fromWallClock(d, offset);
    }
  }
  return null;
}
