/**
 * The complaint status machine (ReclamPro's statuses, see shared/REGULATION.md § Taxonomies).
 */
import { addMonthsClamped, assertIsoDate } from './calendar.ts';
import { RuleError, ValidationError } from './errors.ts';
import { LABELS_FR, OUTCOMES, STATUSES } from './taxonomy.ts';
import type { Outcome, Status } from './taxonomy.ts';

export { STATUSES, OUTCOMES };
export type { Outcome, Status };

export const ROLES = ['agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Roles allowed to reopen a closed (clôturée) complaint. */
const REOPEN_CLOSED_ROLES: readonly Role[] = ['manager', 'admin'];

/** Months after closure during which the médiateur may still be seized, and a closed complaint reopened. */
export const MEDIATION_WINDOW_MONTHS = 12;

const TRANSITIONS: Readonly<Record<Status, readonly Status[]>> = {
  nouvelle: ['en_cours', 'en_attente', 'resolue'],
  en_cours: ['en_attente', 'resolue'],
  en_attente: ['en_cours', 'resolue'],
  resolue: ['cloturee', 'en_cours'],
  cloturee: ['en_cours'],
};

const OPEN_STATUSES: readonly Status[] = ['nouvelle', 'en_cours', 'en_attente'];

export interface TransitionInput {
  from: Status;
  to: Status;
  /** Outcome given with this transition (required to resolve unless one is already recorded). */
  outcome?: Outcome | null;
  /** Outcome already recorded on the complaint. */
  currentOutcome?: Outcome | null;
  /** Why the complaint is reopened (required for resolue/cloturee → en_cours). */
  reason?: string | null;
  role: Role;
  /** Date the complaint was closed (`YYYY-MM-DD`), required to reopen a clôturée complaint. */
  closedOn?: string | null;
  /** Today's date in Europe/Paris (`YYYY-MM-DD`). */
  today: string;
}

/** Statuses reachable from `from`, in a stable order. */
export function allowedTransitions(from: Status): Status[] {
  return [...(TRANSITIONS[from] ?? [])];
}

/** Open = still to be handled (counts toward the deadlines). */
export function isOpenStatus(status: Status): boolean {
  return OPEN_STATUSES.includes(status);
}

/** A reopen brings a resolved or closed complaint back to en_cours. */
export function isReopen(from: Status, to: Status): boolean {
  return (from === 'resolue' || from === 'cloturee') && to === 'en_cours';
}

/** First day on which a complaint closed on `closedOn` can no longer be reopened (closure + 1 year). */
export function mediationWindowEndsOn(closedOn: string): string {
  assertIsoDate(closedOn, 'closedOn');
  return addMonthsClamped(closedOn, MEDIATION_WINDOW_MONTHS);
}

const statusLabel = (s: Status): string => LABELS_FR.status[s] ?? s;

function assertStatus(value: unknown, field: string): asserts value is Status {
  if (!(STATUSES as readonly unknown[]).includes(value)) {
    throw new ValidationError(`Statut inconnu : « ${String(value)} ».`, { [field]: 'Statut inconnu.' });
  }
}

function assertOutcome(value: unknown, field: string): void {
  if (value != null && !(OUTCOMES as readonly unknown[]).includes(value)) {
    throw new ValidationError(`Issue inconnue : « ${String(value)} ».`, { [field]: 'Issue inconnue.' });
  }
}

/** Reopening a clôturée complaint: within the médiation window, by a manager or an admin. */
function checkReopenClosed(role: Role, closedOn: string | null | undefined, today: string): void {
  if (closedOn == null || closedOn === '') {
    const message = 'Date de clôture inconnue : impossible de vérifier le délai de réouverture.';
    throw new ValidationError(message, { closedOn: message });
  }
  assertIsoDate(closedOn, 'closedOn');
  if (!(mediationWindowEndsOn(closedOn) > today)) {
    throw new RuleError(
      'reopen_window_passed',
      "Cette réclamation a été clôturée il y a plus d'un an : elle ne peut plus être rouverte. Ouvrez une nouvelle réclamation.",
    );
  }
  if (!REOPEN_CLOSED_ROLES.includes(role)) {
    throw new RuleError(
      'reopen_role_required',
      'Seul un responsable ou un administrateur peut rouvrir une réclamation clôturée.',
    );
  }
}

/** Throws a RuleError (or ValidationError for malformed input) unless the transition is allowed. */
export function checkTransition(input: TransitionInput): void {
  const { from, to, outcome, currentOutcome, reason, role, closedOn, today } = input;
  assertStatus(from, 'from');
  assertStatus(to, 'to');
  assertOutcome(outcome, 'outcome');
  assertOutcome(currentOutcome, 'currentOutcome');
  assertIsoDate(today, 'today');

  if (from === to) {
    throw new RuleError('same_status', `La réclamation est déjà au statut « ${statusLabel(from)} ».`);
  }
  if (!TRANSITIONS[from].includes(to)) {
    throw new RuleError(
      'transition_not_allowed',
      `Passage du statut « ${statusLabel(from)} » au statut « ${statusLabel(to)} » non autorisé.`,
    );
  }
  if (to === 'resolue' && (outcome ?? currentOutcome) == null) {
    throw new RuleError('outcome_required', 'Indiquez l’issue de la réclamation (acceptée, partiellement, refusée) pour la résoudre.');
  }
  if (isReopen(from, to)) {
    if (from === 'cloturee') checkReopenClosed(role, closedOn, today);
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new RuleError('reopen_reason_required', 'Indiquez le motif de la réouverture.');
    }
  }
}
