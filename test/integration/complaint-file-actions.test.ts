import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { sampleComplaint, signupTenant } from '../helpers/http.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('process checklist', () => {
  it('ticks and unticks the steps of the complaint’s process, with who and when, and refuses an unknown step', async () => {
    const t = await signupTenant(env.app, 'Cabinet Étapes');
    const c = (await t.client.post('/api/complaints', sampleComplaint())).json();
    const detail = (await t.client.get(`/api/complaints/${c.id}`)).json();
    const step = detail.process.steps[0].key as string;
    const on = await t.client.put(`/api/complaints/${c.id}/checklist/${step}`, { done: true });
    expect(on.statusCode, on.body).toBe(200);
    expect(on.json().checklist[step]).toMatchObject({ done: true, by: expect.any(String), at: expect.any(String) });
    expect((await t.client.put(`/api/complaints/${c.id}/checklist/${step}`, { done: false })).json().checklist[step].done).toBe(false);
    expect((await t.client.put(`/api/complaints/${c.id}/checklist/pas-une-etape`, { done: true })).statusCode).toBe(404);
    const after = (await t.client.get(`/api/complaints/${c.id}`)).json();
    expect(after.complaint.checklist[step].done).toBe(false);
    expect(after.events.filter((e: { type: string }) => e.type === 'complaint.checklist')).toHaveLength(2);
  });
});

describe('merging two complaints', () => {
  it('moves the other’s messages here, takes the earliest sending date, closes the other, and keeps it out of the register', async () => {
    const t = await signupTenant(env.app, 'Cabinet Fusion');
    const kept = (await t.client.post('/api/complaints', sampleComplaint({ sentOn: '2026-03-10', receivedAt: '2026-03-11T09:00:00+01:00' }))).json();
    const other = (await t.client.post('/api/complaints', sampleComplaint({ channel: 'phone', sentOn: '2026-03-02', receivedAt: '2026-03-03T09:00:00+01:00', description: 'Même affaire, appel du client au sujet de sa couronne dentaire.' }))).json();
    const stranger = (await t.client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Autre Personne', email: 'autre@example.fr' }, contractNumber: 'AUTO-2025-0099' }))).json();
    expect((await t.client.post(`/api/complaints/${kept.id}/merge`, { otherComplaintId: stranger.id })).statusCode).toBe(422);
    expect((await t.client.post(`/api/complaints/${kept.id}/merge`, { otherComplaintId: kept.id })).statusCode).toBe(422);
    const res = await t.client.post(`/api/complaints/${kept.id}/merge`, { otherComplaintId: other.id });
    expect(res.statusCode, res.body).toBe(204);
    const k = (await t.client.get(`/api/complaints/${kept.id}`)).json();
    const o = (await t.client.get(`/api/complaints/${other.id}`)).json();
    expect(k.messages.map((m: { bodyText: string }) => m.bodyText)).toContain('Même affaire, appel du client au sujet de sa couronne dentaire.');
    expect(o.messages).toHaveLength(0);
    expect(k.complaint.sentOn).toBe('2026-03-02');
    expect(o.complaint).toMatchObject({ status: 'cloturee', mergedIntoId: kept.id });
    expect(k.events.map((e: { type: string }) => e.type)).toEqual(expect.arrayContaining(['complaint.merged', 'complaint.clock_moved']));
    expect((await t.client.post(`/api/complaints/${kept.id}/merge`, { otherComplaintId: other.id })).statusCode).toBe(422);
    const register = (await t.client.get('/api/register?from=2026-01-01&to=2026-12-31')).json();
    const refs = JSON.stringify(register);
    expect(refs).toContain(kept.reference);
    expect(refs).not.toContain(other.reference);
  });
});
