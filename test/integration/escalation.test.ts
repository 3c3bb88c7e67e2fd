import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, sampleComplaint, signupTenant } from '../helpers/http.ts';
import { submitForm } from '../helpers/inbound.ts';
import { runDeadlineWatch } from '../../src/routing/deadlines.ts';
import { dueEscalations, escalationSchema } from '../../src/routing/escalation.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('escalation rules', () => {
  it('computes what is due from the dates, in jours ouvrables', () => {
    const rule = escalationSchema.parse({});
    const base = { status: 'en_cours' as const, priority: 'normale' as const, acknowledged_at: null, answered_at: null };
    // Tuesday 10 March 2026: ack due Friday 13 March is 3 jours ouvrables away (Wed, Thu, Fri) — more than 2.
    expect(dueEscalations({ ...base, ack_due_on: '2026-03-13', answer_due_on: '2026-05-02' }, '2026-03-10', 'metropole', rule)).toEqual([]);
    // Wednesday 11 March: 2 left → warn.
    expect(dueEscalations({ ...base, ack_due_on: '2026-03-13', answer_due_on: '2026-05-02' }, '2026-03-11', 'metropole', rule)).toEqual([{ kind: 'ack_due', daysLeft: 2 }]);
    expect(dueEscalations({ ...base, priority: 'haute', ack_due_on: '2026-03-13', answer_due_on: '2026-03-14' }, '2026-03-16', 'metropole', rule).map((d) => d.kind)).toEqual(['priority', 'ack_overdue', 'answer_overdue']);
    expect(dueEscalations({ ...base, status: 'resolue', ack_due_on: '2026-03-13', answer_due_on: '2026-03-14' }, '2026-03-16', 'metropole', rule)).toEqual([]);
  });

  it('alerts managers and the assignee once when deadlines pass, and each can mark it read', async () => {
    const { client, admin } = await signupTenant(env.app);
    const agent = await addUser(env.app, client, 'agent');
    // Sent 2 March 2026: long overdue today for both deadlines.
    const c = (await client.post('/api/complaints', sampleComplaint({ assigneeId: agent.user.id }))).json();
    const first = await runDeadlineWatch(env.deps);
    expect(first.escalated).toBeGreaterThanOrEqual(2);
    const mine = (await client.get('/api/notifications')).json().items.filter((n: { complaintId: string }) => n.complaintId === c.id);
    expect(mine.map((n: { kind: string }) => n.kind).sort()).toEqual(['ack_overdue', 'answer_overdue']);
    expect(mine[0].message).toContain(c.reference);
    const agentOwn = (await agent.client.get('/api/notifications')).json().items;
    expect(agentOwn.map((n: { kind: string }) => n.kind).sort()).toEqual(['ack_overdue', 'answer_overdue']);
    await runDeadlineWatch(env.deps);
    expect((await client.get('/api/notifications')).json().items.filter((n: { complaintId: string }) => n.complaintId === c.id)).toHaveLength(2);
    expect((await client.post(`/api/notifications/${mine[0].id}/read`)).statusCode).toBe(204);
    expect((await agent.client.post(`/api/notifications/${mine[0].id}/read`)).statusCode).toBe(404);
    const events = (await client.get(`/api/complaints/${c.id}`)).json().events.filter((e: { type: string }) => e.type === 'complaint.escalated');
    expect(events.map((e: { data: { kind: string } }) => e.data.kind).sort()).toEqual(['ack_overdue', 'answer_overdue']);
    expect(events[0].data.notified).toEqual(expect.arrayContaining([admin.id, agent.user.id]));
  });

  it('tells managers at once about a high-priority message, as the process rule says', async () => {
    const { client, tenant } = await signupTenant(env.app);
    const r = await submitForm(env.deps, tenant.id, { name: 'Thierry Gomez', email: 'thierry@example.fr', description: 'Mon remboursement de lunettes est refusé : sans réponse sous huit jours je saisis le médiateur et mon avocat.' });
    const alerts = (await client.get('/api/notifications')).json().items.filter((n: { complaintId: string }) => n.complaintId === r.outcome.complaintId);
    expect(alerts.map((n: { kind: string }) => n.kind)).toEqual(['priority']);
    // A manager can turn that rule off for a process.
    const processes = (await client.get('/api/processes')).json().items as { id: string; escalation: { notifyPriority: string | null } }[];
    expect(processes[0]!.escalation.notifyPriority).toBe('haute');
    const off = await client.patch(`/api/processes/${processes[0]!.id}`, { escalation: { notifyPriority: null } });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().escalation).toEqual({ notifyPriority: null, ackWithinDays: 2, answerWithinDays: 5 });
    // Templates: the defaults until a manager writes one; unknown variables are refused.
    expect(off.json().templates.acknowledgement).toContain('{{date_reponse}}');
    const bad = await client.patch(`/api/processes/${processes[0]!.id}`, { templates: { holding: 'Bonjour {{nom}}, patience pour {{reference}}.' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json().fields)).toContain('{{nom}}');
    const good = await client.patch(`/api/processes/${processes[0]!.id}`, { templates: { holding: 'Bonjour {{client}}, votre dossier {{reference}} avance.' } });
    expect(good.json().templates.holding).toBe('Bonjour {{client}}, votre dossier {{reference}} avance.');
    expect(good.json().templates.answer).toContain('médiateur');
  });
});
