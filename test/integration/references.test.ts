import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signup } from '../../src/services/accounts.ts';
import { createComplaint } from '../../src/services/complaints.ts';
import { takeReferenceSeq } from '../../src/db/repositories/complaints.ts';
import type { Actor } from '../../src/services/actor.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

let n = 0;
async function tenant(): Promise<Actor> {
  const { tenant, user } = await signup(env.deps, {
    companyName: `Cabinet Réf ${++n}`,
    managerName: 'Réf',
    email: `ref${n}.${Date.now()}@example.fr`,
    plan: 'enterprise',
    password: 'password-assez-long',
  });
  return { tenantId: tenant.id, userId: user.id, role: 'admin' };
}

const input = (i: number, receivedAt = new Date('2026-06-15T10:00:00Z')) => ({
  channel: 'letter' as const,
  receivedAt,
  complainant: { name: `Client ${i}`, email: `c${i}@example.fr` },
  description: `Réclamation concurrente numéro ${i}.`,
});

describe(`complaint references (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('are unique and gap-free under 40 concurrent creations', async () => {
    const actor = await tenant();
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => createComplaint(env.deps, actor, input(i))));
    const seqs = created.map((c) => Number(c.reference.slice('REC-2026-'.length))).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(created.every((c) => /^REC-2026-\d{6}$/.test(c.reference))).toBe(true);
  });

  it('give a rolled-back number back, and restart at 1 each year, per tenant', async () => {
    const actor = await tenant();
    const other = await tenant();
    await createComplaint(env.deps, actor, input(1));
    await expect(
      env.deps.db.transaction().execute(async (trx) => {
        await takeReferenceSeq(trx, actor.tenantId, 2026);
        throw new Error('crash after taking a number');
      }),
    ).rejects.toThrow('crash');
    // A failed creation (invalid phone) takes no number either.
    await expect(createComplaint(env.deps, actor, { ...input(2), complainant: { name: 'X', phone: '12' } })).rejects.toThrow();
    const second = await createComplaint(env.deps, actor, input(3));
    expect(second.reference).toBe('REC-2026-000002');
    const nextYear = await createComplaint(env.deps, actor, input(4, new Date('2027-01-02T09:00:00Z')));
    expect(nextYear.reference).toBe('REC-2027-000001');
    // New Year's Eve 23:30 UTC is already 1 January in Paris: the year follows the Paris date.
    const eve = await createComplaint(env.deps, other, input(5, new Date('2026-12-31T23:30:00Z')));
    expect(eve.reference).toBe('REC-2027-000001');
  });
});
