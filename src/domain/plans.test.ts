import { describe, it, expect } from 'vitest';
import { PLANS, PLAN_KEYS, isPlan, isValidOrias, withinLimit } from './plans.ts';

describe('PLANS', () => {
  it('defines the three plans and their limits', () => {
    expect(PLANS).toEqual({
      starter: { maxUsers: 3, maxChannels: 2, label: 'Starter' },
      pro: { maxUsers: 15, maxChannels: 6, label: 'Professional' },
      enterprise: { maxUsers: null, maxChannels: null, label: 'Enterprise' },
    });
    expect(PLAN_KEYS).toEqual(['starter', 'pro', 'enterprise']);
    expect(isPlan('pro')).toBe(true);
    expect(isPlan('gold')).toBe(false);
    expect(isPlan('toString')).toBe(false);
  });

  it('withinLimit treats null as unlimited', () => {
    expect(withinLimit(PLANS.starter.maxUsers, 3)).toBe(true);
    expect(withinLimit(PLANS.starter.maxUsers, 4)).toBe(false);
    expect(withinLimit(PLANS.enterprise.maxUsers, 10_000)).toBe(true);
  });
});

describe('isValidOrias', () => {
  it('accepts exactly 8 digits, spaces ignored', () => {
    expect(isValidOrias('12345678')).toBe(true);
    expect(isValidOrias('12 345 678')).toBe(true);
    expect(isValidOrias(' 07 012 345 ')).toBe(true);
  });

  it('rejects anything else', () => {
    for (const bad of ['1234567', '123456789', '1234567a', '12-345-678', '', 'ORIAS 12345678']) {
      expect(isValidOrias(bad), bad).toBe(false);
    }
    expect(isValidOrias(null)).toBe(false);
  });
});
