/**
 * Regulatory deadlines of a complaint (ACPR 2024-R-02, see shared/REGULATION.md § Deadlines).
 *
 * PUBLIC CONTRACT (other tools rely on it): `computeDeadlines({ sentOn, receivedOn?, zone? })` returns
 * exactly `{ ackDueOn, answerDueOn }`, every date a `YYYY-MM-DD` string, zone defaulting to 'metropole'.
 */
import { addJoursOuvrables, addMonthsClamped, assertIsoDate, assertZone, dayOfWeek, isPublicHoliday } from './calendar.ts';
import type { Zone } from './calendar.ts';
import { ValidationError } from './errors.ts';

/** Acknowledgement due within this many jours ouvrables. */
export const ACK_JOURS_OUVRABLES = 10;
/** Answer due within this many months. */
export const ANSWER_MONTHS = 2;

export interface ClockInput {
  /** Date the complainant sent the complaint (email Date header, postmark…), `YYYY-MM-DD`. */
  sentOn?: string | null;
  /** Date the complaint reached us, `YYYY-MM-DD`. */
  receivedOn?: string | null;
}

export interface DeadlineInput extends ClockInput {
  zone?: Zone | null;
}

export interface Deadlines {
  ackDueOn: string;
  answerDueOn: string;
}

export interface ClockStart {
  startOn: string;
  source: 'sent' | 'received';
}

/** Null, undefined and blank strings all mean "not given". */
function given(value: string | null | undefined): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

/**
 * The date the regulatory clock starts: the sending date; the receipt date when the sending date is unknown,
 * or when the sending date is after the receipt date (a wrong clock: the earlier date wins).
 */
export function clockStart({ sentOn, receivedOn }: ClockInput): ClockStart {
  const hasSent = given(sentOn);
  const hasReceived = given(receivedOn);
  if (hasSent) assertIsoDate(sentOn, 'sentOn');
  if (hasReceived) assertIsoDate(receivedOn, 'receivedOn');
  if (hasSent && (!hasReceived || sentOn <= receivedOn)) return { startOn: sentOn, source: 'sent' };
  if (hasReceived) return { startOn: receivedOn, source: 'received' };
  const message = "Date d'envoi ou de réception de la réclamation requise.";
  throw new ValidationError(message, { sentOn: message });
}

/** Acknowledgement and answer due dates. The answer date is never moved off a Sunday or holiday. */
export function computeDeadlines({ sentOn, receivedOn, zone }: DeadlineInput): Deadlines {
  const z = zone ?? 'metropole';
  assertZone(z);
  const { startOn } = clockStart({ sentOn, receivedOn });
  return {
    ackDueOn: addJoursOuvrables(startOn, ACK_JOURS_OUVRABLES, z),
    answerDueOn: addMonthsClamped(startOn, ANSWER_MONTHS),
  };
}

export type AnswerDueWarning = 'dimanche' | 'jour_ferie';

/**
 * Why the answer's last day is not worked, for the console's warning: 'jour_ferie' when it is a public
 * holiday (checked first: also when the holiday falls on a Sunday), 'dimanche' on another Sunday, else null.
 */
export function answerDueWarning(answerDueOn: string, zone: Zone = 'metropole'): AnswerDueWarning | null {
  assertIsoDate(answerDueOn, 'answerDueOn');
  if (isPublicHoliday(answerDueOn, zone)) return 'jour_ferie';
  if (dayOfWeek(answerDueOn) === 0) return 'dimanche';
  return null;
}
