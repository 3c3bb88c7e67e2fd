/**
 * The ONE wording of a complaint's status for customers (design principle 3: same answer everywhere):
 * the tracking page uses it now; SMS `STATUT`, emails and Slack use it later. Pure, no I/O.
 * `headline + ' ' + detail` stays within one SMS (160 characters) for every status.
 */
import { format } from 'date-fns';
import { enGB, fr } from 'date-fns/locale';
import { assertIsoDate, type IsoDate } from './calendar.ts';
import type { Lang, Outcome, Status } from './taxonomy.ts';

export interface CustomerStatusInput {
  status: Status;
  reference: string;
  /** Date the complaint reached us (Europe/Paris), `YYYY-MM-DD`. */
  receivedOn: IsoDate;
  /** Regulatory answer deadline, `YYYY-MM-DD`. */
  answerDueOn: IsoDate;
  acknowledged: boolean;
  outcome: Outcome | null;
  /** Date the answer was sent, `YYYY-MM-DD`. */
  answeredOn?: IsoDate | null | undefined;
  /** Today in Europe/Paris: when given and past the deadline of an open complaint, the wording says so. */
  today?: IsoDate | null | undefined;
}

export interface CustomerStatus {
  headline: string;
  detail: string;
}

/** `2 mai 2026`, `1er mai 2026` (French); `2 May 2026` (English). */
export function formatDateLong(date: IsoDate, lang: Lang = 'fr'): string {
  assertIsoDate(date);
  const d = new Date(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  if (lang === 'en') return format(d, 'd MMMM yyyy', { locale: enGB });
  const text = format(d, 'd MMMM yyyy', { locale: fr });
  return d.getDate() === 1 ? text.replace(/^1 /, '1er ') : text;
}

const timeFormatter = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Paris',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as Europe/Paris date and time: `2 mars 2026 à 14 h 05` / `2 March 2026 at 14:05`. */
export function formatDateTimeParis(instant: Date, lang: Lang = 'fr'): string {
  const parts = Object.fromEntries(timeFormatter.formatToParts(instant).map((p) => [p.type, p.value]));
  const date = formatDateLong(`${parts.year}-${parts.month}-${parts.day}`, lang);
  return lang === 'en' ? `${date} at ${parts.hour}:${parts.minute}` : `${date} à ${parts.hour} h ${parts.minute}`;
}

const OUTCOME_FR: Record<Outcome, string> = {
  accepte: 'votre demande est acceptée.',
  partiel: 'votre demande est acceptée en partie.',
  refuse: "votre demande n'est pas retenue ; la réponse indique vos voies de recours (médiateur).",
};
const OUTCOME_EN: Record<Outcome, string> = {
  accepte: 'your request is accepted.',
  partiel: 'your request is partly accepted.',
  refuse: 'your request is not upheld; the answer lists your means of redress (ombudsman).',
};

function isOpen(status: Status): boolean {
  return status === 'nouvelle' || status === 'en_cours' || status === 'en_attente';
}

export function customerStatus(input: CustomerStatusInput, lang: Lang = 'fr'): CustomerStatus {
  const { status, reference, outcome } = input;
  const d = (date: IsoDate) => formatDateLong(date, lang);
  const answered = input.answeredOn ? d(input.answeredOn) : null;
  const late = isOpen(status) && !!input.today && input.today > input.answerDueOn;

  if (lang === 'en') {
    const opening = `Complaint ${reference} received on ${d(input.receivedOn)}.`;
    const promise = late
      ? `Our answer due ${d(input.answerDueOn)} is late; we apologise.`
      : `We will answer by ${d(input.answerDueOn)} at the latest.`;
    switch (status) {
      case 'nouvelle':
        return {
          headline: input.acknowledged ? 'Received — acknowledged, awaiting handling' : 'Received — awaiting handling',
          detail: `${opening} ${promise}`,
        };
      case 'en_cours':
        return { headline: 'Being handled', detail: `${opening} ${promise}` };
      case 'en_attente':
        return { headline: 'Waiting for further information', detail: `${opening} ${promise}` };
      case 'resolue':
        return {
          headline: answered ? `Answer sent on ${answered}` : 'Answer sent',
          detail: `Complaint ${reference}: ${outcome ? OUTCOME_EN[outcome] : 'please read the answer we sent you.'}`,
        };
      case 'cloturee':
        return {
          headline: 'File closed',
          detail: answered ? `Complaint ${reference}: answer sent on ${answered}; file closed.` : `Complaint ${reference}: file closed.`,
        };
    }
  }

  // Letters and punctuation of the GSM-7 alphabet only (no « ç », « ô », « — »): the same words are a
  // short SMS (STATUT, status updates) and the tracking page.
  const opening = `Réclamation ${reference} du ${d(input.receivedOn)}.`;
  const promise = late
    ? `Délai du ${d(input.answerDueOn)} dépassé ; veuillez nous en excuser.`
    : `Nous vous répondrons au plus tard le ${d(input.answerDueOn)}.`;
  switch (status) {
    case 'nouvelle':
      return {
        headline: input.acknowledged ? 'Enregistrée, accusé de réception envoyé' : 'Enregistrée, en attente de prise en charge',
        detail: `${opening} ${promise}`,
      };
    case 'en_cours':
      return { headline: 'En cours de traitement', detail: `${opening} ${promise}` };
    case 'en_attente':
      return { headline: "En attente d'informations complémentaires", detail: `${opening} ${promise}` };
    case 'resolue':
      return {
        headline: answered ? `Réponse envoyée le ${answered}` : 'Réponse envoyée',
        detail: `Réclamation ${reference} : ${outcome ? OUTCOME_FR[outcome] : 'consultez la réponse qui vous a été adressée.'}`,
      };
    case 'cloturee':
      return {
        headline: 'Dossier clos',
        detail: answered
          ? `Réclamation ${reference} : réponse envoyée le ${answered}, dossier clos.`
          : `Réclamation ${reference} : dossier clos.`,
      };
  }
}
