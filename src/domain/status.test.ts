import { describe, it, expect } from 'vitest';
import { allowedTransitions, checkTransition, isOpenStatus, isReopen, mediationWindowEndsOn } from './status.ts';
import type { TransitionInput } from './status.ts';
import { STATUSES } from './taxonomy.ts';
import type { Status } from './taxonomy.ts';
import { RuleError, ValidationError } from './errors.ts';

const TODAY = '2026-06-15';

const ALLOWED: ReadonlyArray<[Status, Status]> = [
  ['nouvelle', 'en_cours'],
  ['nouvelle', 'en_attente'],
  ['nouvelle', 'resolue'],
  ['en_cours', 'en_attente'],
  ['en_cours', 'resolue'],
  ['en_attente', 'en_cours'],
  ['en_attente', 'resolue'],
  ['resolue', 'cloturee'],
  ['resolue', 'en_cours'],
  ['cloturee', 'en_cours'],
];

const isAllowed = (from: Status, to: Status): boolean => ALLOWED.some(([f, t]) => f === from && t === to);

/** A transition input that satisfies every side rule, so only the from/to pair is under test. */
function valid(from: Status, to: Status, extra: Partial<TransitionInput> = {}): TransitionInput {
  return { from, to, outcome: 'accepte', reason: 'Nouvel élément du client', role: 'manager', closedOn: '2026-03-01', today: TODAY, ...extra };
}

function ruleCode(fn: () => void): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof RuleError) return e.code;
    throw e;
  }
  return undefined;
}

describe('allowedTransitions / isOpenStatus', () => {
  it('lists the allowed targets of each status', () => {
    expect(allowedTransitions('nouvelle')).toEqual(['en_cours', 'en_attente', 'resolue']);
    expect(allowedTransitions('en_cours')).toEqual(['en_attente', 'resolue']);
    expect(allowedTransitions('en_attente')).toEqual(['en_cours', 'resolue']);
    expect(allowedTransitions('resolue')).toEqual(['cloturee', 'en_cours']);
    expect(allowedTransitions('cloturee')).toEqual(['en_cours']);
  });

  it('returns a copy', () => {
    allowedTransitions('nouvelle').push('cloturee');
    expect(allowedTransitions('nouvelle')).not.toContain('cloturee');
  });

  it('open statuses', () => {
    expect(STATUSES.filter(isOpenStatus)).toEqual(['nouvelle', 'en_cours', 'en_attente']);
  });

  it('isReopen', () => {
    expect(isReopen('resolue', 'en_cours')).toBe(true);
    expect(isReopen('cloturee', 'en_cours')).toBe(true);
    expect(isReopen('en_attente', 'en_cours')).toBe(false);
  });
});

describe('checkTransition — every pair', () => {
  for (const from of STATUSES) {
    for (const to of STATUSES) {
      if (from === to) {
        it(`${from} → ${to}: same_status`, () => {
          expect(ruleCode(() => checkTransition(valid(from, to)))).toBe('same_status');
        });
      } else if (isAllowed(from, to)) {
        it(`${from} → ${to}: allowed`, () => {
          expect(() => checkTransition(valid(from, to))).not.toThrow();
        });
      } else {
        it(`${from} → ${to}: transition_not_allowed`, () => {
          expect(ruleCode(() => checkTransition(valid(from, to)))).toBe('transition_not_allowed');
        });
      }
    }
  }

  it('covers 10 allowed pairs and 10 forbidden pairs', () => {
    const pairs = STATUSES.flatMap((f) => STATUSES.filter((t) => t !== f).map((t) => [f, t] as const));
    expect(pairs.filter(([f, t]) => isAllowed(f, t))).toHaveLength(10);
    expect(pairs.filter(([f, t]) => !isAllowed(f, t))).toHaveLength(10);
  });

  it('names both statuses by their French label when refusing', () => {
    expect(() => checkTransition(valid('nouvelle', 'cloturee'))).toThrow(/« Nouvelle ».*« Clôturée »/);
    expect(() => checkTransition(valid('en_cours', 'nouvelle'))).toThrow(/« En cours ».*« Nouvelle »/);
    expect(() => checkTransition(valid('resolue', 'resolue'))).toThrow(/Résolue/);
  });
});

describe('checkTransition — resolving needs an outcome', () => {
  it('refuses without any outcome', () => {
    expect(ruleCode(() => checkTransition(valid('en_cours', 'resolue', { outcome: null })))).toBe('outcome_required');
    expect(ruleCode(() => checkTransition(valid('nouvelle', 'resolue', { outcome: undefined, currentOutcome: null })))).toBe(
      'outcome_required',
    );
  });

  it('accepts an outcome given now or already recorded', () => {
    expect(() => checkTransition(valid('en_attente', 'resolue', { outcome: 'refuse' }))).not.toThrow();
    expect(() => checkTransition(valid('en_cours', 'resolue', { outcome: null, currentOutcome: 'partiel' }))).not.toThrow();
  });

  it('other transitions need no outcome', () => {
    expect(() => checkTransition(valid('nouvelle', 'en_cours', { outcome: null }))).not.toThrow();
    expect(() => checkTransition(valid('resolue', 'cloturee', { outcome: null }))).not.toThrow();
  });

  it('rejects an unknown outcome', () => {
    expect(() => checkTransition(valid('en_cours', 'resolue', { outcome: 'peut-etre' as never }))).toThrow(ValidationError);
  });
});

describe('checkTransition — reopening', () => {
  it('requires a non-empty reason', () => {
    for (const reason of [undefined, null, '', '   ']) {
      expect(ruleCode(() => checkTransition(valid('resolue', 'en_cours', { reason, role: 'agent' })))).toBe('reopen_reason_required');
      expect(ruleCode(() => checkTransition(valid('cloturee', 'en_cours', { reason })))).toBe('reopen_reason_required');
    }
  });

  it('an agent may reopen a resolved complaint, not a closed one', () => {
    expect(() => checkTransition(valid('resolue', 'en_cours', { role: 'agent', closedOn: null }))).not.toThrow();
    expect(ruleCode(() => checkTransition(valid('cloturee', 'en_cours', { role: 'agent' })))).toBe('reopen_role_required');
    expect(() => checkTransition(valid('cloturee', 'en_cours', { role: 'manager' }))).not.toThrow();
    expect(() => checkTransition(valid('cloturee', 'en_cours', { role: 'admin' }))).not.toThrow();
  });

  it('a closed complaint can be reopened only less than one year after closure', () => {
    // Closed 2025-06-16: closure + 1 year = 2026-06-16 > today 2026-06-15 → still inside the window.
    expect(() => checkTransition(valid('cloturee', 'en_cours', { closedOn: '2025-06-16' }))).not.toThrow();
    // Closed 2025-06-15: exactly one year ago → window passed.
    expect(ruleCode(() => checkTransition(valid('cloturee', 'en_cours', { closedOn: '2025-06-15' })))).toBe('reopen_window_passed');
    expect(ruleCode(() => checkTransition(valid('cloturee', 'en_cours', { closedOn: '2024-01-10', role: 'admin' })))).toBe(
      'reopen_window_passed',
    );
    expect(() => checkTransition(valid('cloturee', 'en_cours', { closedOn: '2024-01-10' }))).toThrow(/nouvelle réclamation/);
  });

  it('the window is checked before the role (nobody could reopen it)', () => {
    expect(ruleCode(() => checkTransition(valid('cloturee', 'en_cours', { closedOn: '2024-01-10', role: 'agent' })))).toBe(
      'reopen_window_passed',
    );
  });

  it('needs a valid closing date for a closed complaint', () => {
    expect(() => checkTransition(valid('cloturee', 'en_cours', { closedOn: null }))).toThrow(ValidationError);
    expect(() => checkTransition(valid('cloturee', 'en_cours', { closedOn: '2026-02-30' }))).toThrow(ValidationError);
  });

  it('mediationWindowEndsOn is closure + 1 year, clamped', () => {
    expect(mediationWindowEndsOn('2026-03-01')).toBe('2027-03-01');
    expect(mediationWindowEndsOn('2028-02-29')).toBe('2029-02-28');
  });
});

describe('checkTransition — malformed input', () => {
  it('rejects unknown statuses and a bad today', () => {
    expect(() => checkTransition(valid('archivee' as never, 'en_cours'))).toThrow(ValidationError);
    expect(() => checkTransition(valid('nouvelle', 'en_cours', { today: '15/06/2026' }))).toThrow(ValidationError);
  });
});
