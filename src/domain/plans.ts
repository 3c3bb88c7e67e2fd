/**
 * Subscription plans and their limits (null = unlimited), and the ORIAS registration number check.
 */

export const PLANS = {
  starter: { maxUsers: 3, maxChannels: 2, label: 'Starter' },
  pro: { maxUsers: 15, maxChannels: 6, label: 'Professional' },
  enterprise: { maxUsers: null, maxChannels: null, label: 'Enterprise' },
} as const satisfies Record<string, { maxUsers: number | null; maxChannels: number | null; label: string }>;

export type Plan = keyof typeof PLANS;
export const PLAN_KEYS = Object.keys(PLANS) as Plan[];

export function isPlan(value: unknown): value is Plan {
  return typeof value === 'string' && Object.hasOwn(PLANS, value);
}

/** True while `count` items stay within `limit` (null = unlimited), e.g. before adding a user. */
export function withinLimit(limit: number | null, count: number): boolean {
  return limit === null || count <= limit;
}

/** ORIAS numbers (intermediaries' register) have exactly 8 digits; spaces are ignored ("12 345 678"). */
export function isValidOrias(s: string | null | undefined): boolean {
  return typeof s === 'string' && /^\d{8}$/.test(s.replace(/\s/g, ''));
}
