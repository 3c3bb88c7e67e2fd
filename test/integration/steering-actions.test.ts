import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, TestClock, type TestEnv } from '../helpers/deps.ts';
import { addUser, signupTenant, type TestClient } from '../helpers/http.ts';
import { insertComplaintRows, insertCustomers, prng, type GeneratedCustomer } from '../helpers/steering-data.ts';
import { addDays } from '../../src/domain/calendar.ts';
import { computeDeadlines } from '../../src/domain/deadlines.ts';
import type { NewComplaint } from '../../src/db/types.ts';
import { computeSignals } from '../../src/steering/signals.ts';

const NOW = new Date('2026-06-17T10:00:00+02:00'); // Wednesday: the analysed week is 8–14 June
const WEEK = '2026-06-08';

let env: TestEnv;
let seq = 0;

function row(tenantId: string, customers: GeneratedCustomer[], day: string, cause: string | null, text: string, product: string | null = null): NewComplaint {
  const receivedAt = new Date(`${day}T10:00:00+02:00`);
  const d = computeDeadlines({ sentOn: day, receivedOn: day });
  seq++;
  return {
    id: randomUUID(),
    tenant_id: tenantId,
    reference: `SIG-2026-${String(seq).padStart(6, '0')}`,
    customer_id: customers[seq % customers.length]!.id,
    channel: 'email',
    kind: 'reclamation',
    cause,
    product,
    subject: text.slice(0, 60),
    description: text,
    sent_on: day,
    sent_on_source: 'sent',
    received_at: receivedAt,
    ack_due_on: d.ackDueOn,
    answer_due_on: d.answerDueOn,
    tracking_token: randomUUID(),
  };
}

const WORDS = (
  'franchise expert garage fenêtre toiture dentaire lunettes hospitalisation contrat avenant échéancier courrier ' +
  'conseiller agence téléphone attente dossier vétérinaire chien chat voyage annulation bagage vol retard sinistre ' +
  'incendie dégât eaux voisin plafond parquet moto casque scooter vol clés serrure épargne rachat versement bénéficiaire ' +
  'succession notaire prêt emprunteur banque invalidité arrêt travail kinésithérapie ordonnance pharmacie devis facture'
).split(' ');

/** Texts with little in common: random words drawn from a wide vocabulary. */
function noiseText(r: ReturnType<typeof prng>): string {
  return Array.from({ length: 7 }, () => r.pick(WORDS)).join(' ') + ` dossier ${r.int(1000, 9999)}`;
}

const SPIKE_TEXTS = [
  'Prélèvement en double de ma cotisation mensuelle ce mois-ci, remboursez le second prélèvement',
  'Vous avez prélevé deux fois ma cotisation mensuelle, je demande le remboursement du prélèvement en double',
  'Double prélèvement de la cotisation mensuelle sur mon compte, merci de rembourser',
  'Ma cotisation mensuelle a été prélevée en double, prélèvement à rembourser rapidement',
];

/** Weekly noise for 9 weeks: 4 causes with Poisson-like counts, diverse texts; products spread evenly. */
function noise(tenantId: string, customers: GeneratedCustomer[], seed: number): NewComplaint[] {
  const r = prng(seed);
  const out: NewComplaint[] = [];
  for (let w = 0; w < 9; w++) {
    const monday = addDays(WEEK, -7 * (8 - w));
    for (const [cause, mean] of [['indemnisation', 8], ['delai', 5], ['resiliation', 4], ['gestion_contrat', 6], ['tarification', 1]] as const) {
      const n = Math.max(0, mean + r.int(-2, 2));
      for (let i = 0; i < n; i++) out.push(row(tenantId, customers, addDays(monday, r.int(0, 6)), cause, noiseText(r), r.pick(['auto', 'habitation', 'sante', 'vie'])));
    }
  }
  return out;
}

let manager: TestClient;
let agent: TestClient;
let managerId: string;
let tenantId: string;
let spikeIds: string[];
let quietTenantId: string;
let otherClient: TestClient;

beforeAll(async () => {
  env = await createTestEnv({ clock: new TestClock(NOW), workers: false });
  const t = await signupTenant(env.app, 'Cabinet Signaux');
  tenantId = t.tenant.id;
  const m = await addUser(env.app, t.client, 'manager');
  manager = m.client;
  managerId = m.user.id;
  agent = (await addUser(env.app, t.client, 'agent')).client;
  const customers = await insertCustomers(env.deps, tenantId, 30);
  const spike = Array.from({ length: 14 }, (_, i) => row(tenantId, customers, addDays(WEEK, i % 7), 'tarification', `${SPIKE_TEXTS[i % 4]} (contrat ${100 + i})`));
  spikeIds = spike.map((s) => s.id!);
  await insertComplaintRows(env.deps, [...noise(tenantId, customers, 1), ...spike]);

  const quiet = await signupTenant(env.app, 'Cabinet Calme');
  quietTenantId = quiet.tenant.id;
  otherClient = quiet.client;
  await insertComplaintRows(env.deps, noise(quietTenantId, await insertCustomers(env.deps, quietTenantId, 30), 2));
});
afterAll(async () => {
  await env?.close();
});

describe('recurring causes (signals)', () => {
  it('raises a volume signal and a cluster for an injected spike, nothing for normal noise', async () => {
    const report = await computeSignals(env.deps, tenantId);
    expect(report.week).toBe(WEEK);
    const res = await manager.get('/api/signals');
    expect(res.statusCode, res.body).toBe(200);
    const items = res.json().items as { kind: string; key: string; count: number; trend: { week: string; count: number }[]; examples: { complaintId: string }[]; baselineMean: number }[];
    const volume = items.filter((s) => s.kind === 'volume');
    expect(volume.map((s) => s.key)).toEqual(['cause:tarification']);
    const rows = await env.deps.db.selectFrom('complaints').select(['id', 'received_at', 'cause']).where('tenant_id', '=', tenantId).where('cause', '=', 'tarification').execute();
    const inWeek = (monday: string) => rows.filter((c) => c.received_at >= new Date(`${monday}T00:00:00+02:00`) && c.received_at < new Date(`${addDays(monday, 7)}T00:00:00+02:00`)).length;
    expect(volume[0]!.count).toBe(inWeek(WEEK));
    expect(volume[0]!.trend).toEqual(Array.from({ length: 9 }, (_, i) => ({ week: addDays(WEEK, -7 * (8 - i)), count: inWeek(addDays(WEEK, -7 * (8 - i))) })));
    expect(volume[0]!.examples.length).toBe(5);
    const clusters = items.filter((s) => s.kind === 'cluster');
    expect(clusters).toHaveLength(1);
    expect(clusters[0]!.count).toBe(14);
    expect(clusters[0]!.key).toMatch(/cotis|prelev/);
    // The label speaks in the texts' own words, with French decimals, not in stems.
    const label = (items as unknown as { kind: string; label: string }[]).find((s) => s.kind === 'cluster')!.label;
    expect(label).toMatch(/^14 réclamations aux textes proches \((\p{L}+, ){2}\p{L}+\), contre \d+,\d par semaine auparavant$/u);
    const shown = label.match(/\(([^)]*)\)/)![1]!.split(', ');
    expect(shown.some((w) => /cotisation|prélèvement|prélevé/.test(w))).toBe(true);
    expect(shown.every((w) => SPIKE_TEXTS.some((t) => t.toLowerCase().includes(w)))).toBe(true);
    expect(clusters[0]!.examples.every((e) => spikeIds.includes(e.complaintId))).toBe(true);
    expect(clusters[0]!.trend.at(-1)).toEqual({ week: WEEK, count: 14 });

    // Idempotent: a second daily run updates the same signals.
    const again = await computeSignals(env.deps, tenantId);
    expect(again.created).toBe(0);
    expect((await manager.get('/api/signals')).json().items).toHaveLength(items.length);

    const quiet = await computeSignals(env.deps, quietTenantId);
    expect(quiet).toMatchObject({ volume: 0, cluster: 0 });
    expect((await otherClient.get('/api/signals')).json().items).toEqual([]);
    expect((await agent.get('/api/signals')).statusCode).toBe(403);
  });
});

describe('corrective and preventive actions', () => {
  it('creates an action from a signal (its cause and examples) and from chosen complaints', async () => {
    const signal = (await manager.get('/api/signals')).json().items.find((s: { kind: string }) => s.kind === 'volume');
    const res = await manager.post('/api/actions', { signalId: signal.id, ownerId: managerId, dueOn: '2026-06-30', rootCause: 'Double prélèvement après la migration du système de paiement' });
    expect(res.statusCode, res.body).toBe(201);
    const action = res.json();
    expect(action).toMatchObject({ cause: 'tarification', signalId: signal.id, ownerId: managerId, status: 'ouverte', overdue: false, complaintCount: 5, effectiveness: null });
    expect(action.title).toMatch(/^Action sur : Hausse des réclamations de cause « Tarification/);
    expect(action.complaints.map((c: { id: string }) => c.id).sort()).toEqual(signal.examples.map((e: { complaintId: string }) => e.complaintId).sort());
    // The signal now shows the action opened on it (so that nobody opens it twice); the others show none.
    const after = (await manager.get('/api/signals')).json().items as { id: string; actions: { id: string; title: string; status: string }[] }[];
    expect(after.find((s) => s.id === signal.id)!.actions).toEqual([{ id: action.id, title: action.title, status: 'ouverte' }]);
    expect(after.filter((s) => s.id !== signal.id).every((s) => s.actions.length === 0)).toBe(true);

    const picked = spikeIds.slice(0, 2);
    const late = await manager.post('/api/actions', { title: 'Former l’accueil aux prélèvements', type: 'preventive', rootCause: 'Méconnaissance', complaintIds: picked, dueOn: '2026-06-01' });
    expect(late.statusCode, late.body).toBe(201);
    const list = (await manager.get('/api/actions?overdue=true')).json();
    expect(list.items.map((a: { id: string }) => a.id)).toEqual([late.json().id]);
    expect(list.items[0]).toMatchObject({ overdue: true, complaintCount: 2, type: 'preventive' });
    // The link is in the complaint's history.
    const history = (await manager.get(`/api/complaints/${picked[0]}`)).json().events.map((e: { type: string }) => e.type);
    expect(history).toContain('action.linked');

    expect((await agent.get('/api/actions')).statusCode).toBe(403);
    expect((await agent.post('/api/actions', { title: 'x', rootCause: 'y' })).statusCode).toBe(403);
    expect((await manager.post('/api/actions', { title: 'Sans cause racine' })).statusCode).toBe(400);
  });

  it('refuses another tenant’s complaints and signals', async () => {
    const foreignSignal = (await manager.get('/api/signals')).json().items[0].id;
    expect((await otherClient.post('/api/actions', { signalId: foreignSignal })).statusCode).toBe(404);
    expect((await otherClient.post('/api/actions', { title: 'x', rootCause: 'y', complaintIds: [spikeIds[0]] })).statusCode).toBe(404);
  });

  it('measures effectiveness: the cause’s weekly rate and share before and after completion', async () => {
    // Constructed case, cause `vente`: 2 a week for the 8 weeks before 5 January 2026, then 0.5 a week;
    // other causes: 3 a week before, 4.5 a week after.
    const customers = await insertCustomers(env.deps, tenantId, 5);
    const done = '2026-01-05';
    const rows: NewComplaint[] = [];
    for (let w = 0; w < 8; w++) {
      const before = addDays(done, -7 * (8 - w));
      const after = addDays(done, 7 * w);
      rows.push(row(tenantId, customers, before, 'vente', 'pression commerciale'), row(tenantId, customers, addDays(before, 3), 'vente', 'vente forcée'));
      for (let i = 0; i < 3; i++) rows.push(row(tenantId, customers, addDays(before, i), 'accueil', 'accueil'));
      if (w % 2 === 0) rows.push(row(tenantId, customers, addDays(after, 2), 'vente', 'vente'));
      for (let i = 0; i < (w % 2 === 0 ? 4 : 5); i++) rows.push(row(tenantId, customers, addDays(after, i), 'accueil', 'accueil'));
    }
    // Outside both windows: never counted.
    rows.push(row(tenantId, customers, addDays(done, -57), 'vente', 'avant la fenêtre'), row(tenantId, customers, addDays(done, 56), 'vente', 'après la fenêtre'));
    await insertComplaintRows(env.deps, rows);

    const created = (await manager.post('/api/actions', { title: 'Charte de vente', rootCause: 'Objectifs commerciaux', cause: 'vente', dueOn: '2026-03-15' })).json();
    const res = await manager.patch(`/api/actions/${created.id}`, { status: 'terminee', completedOn: done });
    expect(res.statusCode, res.body).toBe(200);
    const eff = res.json().effectiveness;
    expect(eff).toMatchObject({
      weeks: 8,
      before: { from: '2025-11-10', to: '2026-01-04', complaints: 16, allComplaints: 40, perWeek: 2, share: 0.4 },
      after: { from: done, to: '2026-03-01', complaints: 4, allComplaints: 40, perWeek: 0.5, share: 0.1, weeksElapsed: 8 },
      change: -0.75,
      complete: true,
    });
    expect(res.json()).toMatchObject({ status: 'terminee', completedOn: done, overdue: false });
    const four = (await manager.get(`/api/actions/${created.id}?weeks=4`)).json().effectiveness;
    expect(four).toMatchObject({ before: { complaints: 8, perWeek: 2 }, after: { complaints: 2, perWeek: 0.5 } });
    // Reopened: no completion date, no effectiveness.
    const reopened = (await manager.patch(`/api/actions/${created.id}`, { status: 'en_cours' })).json();
    expect(reopened).toMatchObject({ completedOn: null, effectiveness: null });
    const types = (await env.deps.db.selectFrom('events').select('type').where('tenant_id', '=', tenantId).where('type', 'like', 'action.%').execute()).map((e) => e.type);
    expect(types.filter((t) => t === 'action.updated')).toHaveLength(2);
  });
});

describe('audit view', () => {
  it('shows the history in French, filtered by type, actor and complaint, by cursor pages; managers only', async () => {
    const all = await manager.get('/api/audit?type=action.&limit=3');
    expect(all.statusCode, all.body).toBe(200);
    const first = all.json();
    expect(first.items).toHaveLength(3);
    expect(first.items.every((e: { type: string }) => e.type.startsWith('action.'))).toBe(true);
    const rows = await env.deps.db.selectFrom('events').select(['id', 'type', 'actor_user_id', 'complaint_id']).where('tenant_id', '=', tenantId).where('type', 'like', 'action.%').orderBy('id', 'desc').execute();
    const pages: { id: number; label: string; actorName: string }[] = [...first.items];
    for (let cursor = first.nextCursor; cursor; ) {
      const next = (await manager.get(`/api/audit?type=action.&limit=3&cursor=${cursor}`)).json();
      pages.push(...next.items);
      cursor = next.nextCursor;
    }
    expect(pages.map((e) => e.id)).toEqual(rows.map((r) => Number(r.id)));
    const created = pages.find((e) => (e as unknown as { type: string }).type === 'action.created')!;
    expect(created).toMatchObject({ label: 'Action corrective ou préventive créée', actorName: expect.stringMatching(/^Utilisateur manager/) });

    const onComplaint = (await manager.get(`/api/audit?complaint=${spikeIds[0]}`)).json().items.map((e: { type: string }) => e.type);
    const ofComplaint = await env.deps.db.selectFrom('events').select('type').where('tenant_id', '=', tenantId).where('complaint_id', '=', spikeIds[0]!).orderBy('id', 'desc').execute();
    expect(onComplaint).toEqual(ofComplaint.map((e) => e.type));
    expect(onComplaint).toContain('complaint.viewed');
    const byActor = (await manager.get(`/api/audit?actor=${managerId}&type=complaint.viewed`)).json().items;
    expect(byActor.length).toBeGreaterThan(0);
    expect(byActor[0]).toMatchObject({ label: 'Réclamation consultée', reference: expect.stringMatching(/^SIG-/) });
    expect((await manager.get('/api/audit?from=2030-01-01')).json().items).toEqual([]);
    expect((await agent.get('/api/audit')).statusCode).toBe(403);
    expect((await otherClient.get(`/api/audit?complaint=${spikeIds[0]}`)).json().items).toEqual([]);
  });
});
