import { describe, expect, it } from 'vitest';
import { nextAssignee, type Assignment } from './assignment.ts';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('nextAssignee', () => {
  it('rotates fairly through the team, skipping inactive members', () => {
    const rr: Assignment = { mode: 'round_robin', userIds: [A, B, C] };
    const active = new Set([A, B, C]);
    const counts: Record<string, number> = { [A]: 0, [B]: 0, [C]: 0 };
    let last: string | null = null;
    for (let i = 0; i < 30; i++) {
      last = nextAssignee(rr, active, last);
      counts[last!]!++;
    }
    expect(Object.values(counts)).toEqual([10, 10, 10]);
    expect(nextAssignee(rr, new Set([A, C]), A)).toBe(C);
    expect(nextAssignee(rr, new Set([A, C]), C)).toBe(A);
    expect(nextAssignee(rr, new Set(), A)).toBeNull();
  });

  it('assigns a fixed agent while active, nobody otherwise', () => {
    expect(nextAssignee({ mode: 'fixed', userId: B }, new Set([B]), null)).toBe(B);
    expect(nextAssignee({ mode: 'fixed', userId: B }, new Set([A]), null)).toBeNull();
    expect(nextAssignee({ mode: 'none' }, new Set([A]), null)).toBeNull();
  });
});
