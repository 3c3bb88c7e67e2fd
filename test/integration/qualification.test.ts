import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, signupTenant } from '../helpers/http.ts';
import { submitForm } from '../helpers/inbound.ts';
import { modelFor } from '../../src/classify/tenant-models.ts';
import { shippedQualifier } from '../../src/classify/qualifier.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('qualification of inbound messages', () => {
  it('qualifies the opening message, stores model version and evidence, and routes to the process of the cause', async () => {
    const { client, tenant } = await signupTenant(env.app);
    const r = await submitForm(env.deps, tenant.id, {
      name: 'Nadia Haddad',
      email: 'nadia@example.fr',
      description: 'Mon pare-brise est fissuré depuis un gravillon sur l’autoroute et votre gestionnaire refuse la prise en charge du bris de glace alors que ma voiture est assurée tous risques.',
    });
    const detail = (await client.get(`/api/complaints/${r.outcome.complaintId}`)).json();
    const ev = detail.events.find((e: { type: string }) => e.type === 'complaint.qualified' || e.type === 'complaint.triage');
    expect(ev, JSON.stringify(detail.events.map((e: { type: string }) => e.type))).toBeDefined();
    expect(ev.data.modelVersion).toMatch(/^base-[0-9a-f]{12}$/);
    expect(ev.data.evidence.product.length).toBeGreaterThan(0);
    expect(ev.type).toBe('complaint.qualified');
    expect(detail.complaint.product).toBe('auto');
    expect(detail.complaint.cause).toBe('indemnisation');
    expect(detail.complaint.kind).toBe('reclamation');
    expect(detail.process.key).toBe('reclamation-indemnisation');
    const row = await env.deps.db.selectFrom('qualifications').selectAll().where('message_id', '=', r.outcome.messageId!).executeTakeFirstOrThrow();
    expect(row.model_version).toBe(ev.data.modelVersion);
    expect(row.applied).toBe(true);
  });

  it('raises the priority when a follow-up threatens the médiateur, without changing the agent-facing fields', async () => {
    const { client, tenant } = await signupTenant(env.app);
    const first = await submitForm(env.deps, tenant.id, { name: 'Olivier Marchal', email: 'olivier@example.fr', description: 'Ma mutuelle ne m’a pas remboursé mes lunettes, la facture est de 420 euros.' });
    const before = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json().complaint;
    await submitForm(env.deps, tenant.id, { name: 'Olivier Marchal', email: 'olivier@example.fr', description: `${first.outcome.reference} : sans réponse sous huit jours je saisis le médiateur de l’assurance.` });
    const after = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json().complaint;
    expect(after.priority).toBe('haute');
    expect(after.product).toBe(before.product);
    expect(after.cause).toBe(before.cause);
  });

  it('routes qualified complaints to the process team in turn (round-robin), and a manager sets that up', async () => {
    const { client, tenant } = await signupTenant(env.app);
    const a = await addUser(env.app, client, 'agent');
    const b = await addUser(env.app, client, 'agent');
    const processes = (await client.get('/api/processes')).json().items as { id: string; key: string }[];
    const claims = processes.find((p) => p.key === 'reclamation-indemnisation')!;
    const denied = await a.client.patch(`/api/processes/${claims.id}`, { assignment: { mode: 'round_robin', userIds: [a.user.id, b.user.id] } });
    expect(denied.statusCode).toBe(403);
    const set = await client.patch(`/api/processes/${claims.id}`, { assignment: { mode: 'round_robin', userIds: [a.user.id, b.user.id] } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().assignment).toEqual({ mode: 'round_robin', userIds: [a.user.id, b.user.id] });
    const texts = [
      'Le pare-brise de ma voiture est fissuré et vous refusez le bris de glace, je conteste ce refus.',
      'Mon dégât des eaux a été estimé par l’expert à 300 euros alors que les travaux coûtent 2 000 euros, je conteste l’indemnisation.',
      'Ma voiture a été volée, l’indemnisation proposée est bien inférieure à la valeur du véhicule.',
      'Suite à l’incendie de ma cuisine, l’assureur refuse de m’indemniser pour l’électroménager.',
    ];
    const assignees: string[] = [];
    for (const [i, description] of texts.entries()) {
      const r = await submitForm(env.deps, tenant.id, { name: `Client ${i}`, email: `rr${i}@example.fr`, description });
      const c = (await client.get(`/api/complaints/${r.outcome.complaintId}`)).json().complaint;
      expect(c.cause, description).toBe('indemnisation');
      assignees.push(c.assigneeId);
    }
    expect(assignees).toEqual([a.user.id, b.user.id, a.user.id, b.user.id]);
  });

  it('learns from an agent’s correction: the tenant model’s next prediction on a similar text changes, and rollback restores it', async () => {
    const { client, tenant } = await signupTenant(env.app);
    const first = 'Ma trottinette électrique a été volée devant la gare, l’assurance refuse de la rembourser.';
    const similar = 'On m’a volé ma trottinette électrique au travail et l’assurance ne rembourse pas.';
    const base = shippedQualifier().predictTask('product', similar).label;
    const target = base === 'moto' ? 'autre' : 'moto';
    const r = await submitForm(env.deps, tenant.id, { name: 'Quentin Roy', email: 'quentin@example.fr', description: first });
    const fixed = await client.patch(`/api/complaints/${r.outcome.complaintId}`, { product: target });
    expect(fixed.statusCode, fixed.body).toBe(200);
    await env.deps.queue.drain();
    const versions = (await client.get('/api/models')).json();
    expect(versions.items).toHaveLength(1);
    expect(versions.items[0]).toMatchObject({ version: 1, labels: 1, active: true });
    expect((await modelFor(env.deps, tenant.id)).predictTask('product', similar).label).toBe(target);
    const detail = (await client.get(`/api/complaints/${r.outcome.complaintId}`)).json();
    expect(detail.events.some((e: { type: string }) => e.type === 'complaint.requalified')).toBe(true);
    // New messages are qualified by the tenant's model, with its version recorded.
    const next = await submitForm(env.deps, tenant.id, { name: 'Rita Blanc', email: 'rita@example.fr', description: similar });
    const row = await env.deps.db.selectFrom('qualifications').selectAll().where('message_id', '=', next.outcome.messageId!).executeTakeFirstOrThrow();
    expect(row.model_version).toBe(versions.items[0].modelVersion);
    // Rollback to the shipped model, then forward again.
    expect((await client.post('/api/models/activate', { version: null })).statusCode).toBe(204);
    expect((await modelFor(env.deps, tenant.id)).predictTask('product', similar).label).toBe(base);
    expect((await client.post('/api/models/activate', { version: 1 })).statusCode).toBe(204);
    expect((await modelFor(env.deps, tenant.id)).predictTask('product', similar).label).toBe(target);
    expect((await client.post('/api/models/activate', { version: 9 })).statusCode).toBe(404);
  });

  it('sends a message the model cannot read with confidence to triage instead of routing it', async () => {
    const { client, tenant } = await signupTenant(env.app);
    const r = await submitForm(env.deps, tenant.id, { name: 'Paul Vidal', email: 'paul@example.fr', description: 'Rappelez-moi.' });
    const detail = (await client.get(`/api/complaints/${r.outcome.complaintId}`)).json();
    const triage = detail.events.find((e: { type: string }) => e.type === 'complaint.triage');
    expect(triage?.data.triage).toMatch(/Qualification incertaine/);
    expect(detail.complaint.cause).toBeNull();
    expect(detail.process.key).toBe('reclamation-a-qualifier');
  });
});
