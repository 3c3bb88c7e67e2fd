/** When the Monday digest runs: pure functions of an instant, tested across the summer/winter time changes. */
import { addDays, localDateOf } from '../domain/calendar.ts';
import { weekStart } from './stats.ts';

export const DIGEST_ZONE = 'Europe/Paris';
export const DIGEST_HOUR = 8;

/** Offset (ms) of a time zone from UTC at an instant: wall clock read as UTC minus the instant. */
function zoneOffset(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(instant));
  const get = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - Math.floor(instant / 1000) * 1000;
}

/** The instant a wall-clock time of a date has in a time zone (times inside a DST gap move forward). */
export function zonedInstant(date: string, hour: number, minute = 0, timeZone = DIGEST_ZONE): Date {
  const wall = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)), hour, minute);
  let t = wall - zoneOffset(wall, timeZone);
  t = wall - zoneOffset(t, timeZone);
  return new Date(t);
}

/** The digest time of the ISO week of `date`: its Monday at 08:00 Europe/Paris. */
export function digestTimeOfWeek(monday: string): Date {
  return zonedInstant(weekStart(monday), DIGEST_HOUR);
}

/** Next Monday 08:00 Europe/Paris strictly after `after` (pure; summer and winter time alike). */
export function nextDigestRun(after: Date): Date {
  const monday = weekStart(localDateOf(after, DIGEST_ZONE));
  const thisWeek = digestTimeOfWeek(monday);
  return thisWeek.getTime() > after.getTime() ? thisWeek : digestTimeOfWeek(addDays(monday, 7));
}
