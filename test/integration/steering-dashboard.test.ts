import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, TestClock, type TestEnv } from '../helpers/deps.ts';
import { addUser, signupTenant, type TestClient } from '../helpers/http.ts';
import { generateComplaints, insertComplaintRows, insertCustomers } from '../helpers/steering-data.ts';
import { addDays, dayOfWeek, localDateOf } from '../../src/domain/calendar.ts';
import type { Complaint } from '../../src/db/types.ts';

/**
 * Every figure of the dashboard checked against a computation in plain TypeScript from the complaint rows
 * themselves (read back after the inserts and updates), never from the rollups or the same SQL.
 */
const NOW = new Date('2026-06-17T10:00:00+02:00'); // a Wednesday
const TODAY = '2026-06-17';
const WEEK_END = '2026-06-21';

let env: TestEnv;
let manager: TestClient;
let agent: TestClient;
let admin: TestClient;
let tenantId: string;
let processIds: string[];
let userIds: string[];

const monday = (d: string) => addDays(d, -((dayOfWeek(d) + 6) % 7));
const local = (d: Date | null) => (d ? localDateOf(d) : null);
const minDate = (a: string | null, b: string | null) => (a && b ? (a < b ? a : b) : (a ?? b));

interface Fact {
  c: Complaint;
  receivedOn: string;
  ackOn: string | null;
  answerOn: string | null;
  open: boolean;
}

function factOf(c: Complaint): Fact {
  return {
    c,
    receivedOn: local(c.received_at)!,
    ackOn: minDate(local(c.acknowledged_at), local(c.answered_at)) ?? local(c.closed_at),
    answerOn: local(c.answered_at) ?? local(c.closed_at),
    open: ['nouvelle', 'en_cours', 'en_attente'].includes(c.status),
  };
}

interface Filters {
  channel?: string;
  cause?: string;
  product?: string;
  process?: string;
  agent?: string;
}

function matches(f: Fact, q: Filters): boolean {
  return (
    (!q.channel || f.c.channel === q.channel) &&
    (!q.cause || f.c.cause === q.cause) &&
    (!q.product || f.c.product === q.product) &&
    (!q.process || f.c.process_id === q.process) &&
    (!q.agent || f.c.assignee_id === q.agent)
  );
}

function nearestRank(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
}

function expected(all: Complaint[], q: Filters & { from: string; to: string }) {
  const from = monday(q.from);
  const to = addDays(monday(q.to), 6);
  const facts = all.map(factOf).filter((f) => matches(f, q));
  const inPeriod = facts.filter((f) => f.receivedOn >= from && f.receivedOn <= to);
  const recl = inPeriod.filter((f) => f.c.kind === 'reclamation');
  const volumes: { week: string; reclamations: number; demandes: number }[] = [];
  for (let w = from; w <= to; w = addDays(w, 7)) {
    const wk = inPeriod.filter((f) => monday(f.receivedOn) === w);
    volumes.push({ week: w, reclamations: wk.filter((f) => f.c.kind === 'reclamation').length, demandes: wk.filter((f) => f.c.kind === 'demande').length });
  }
  const deadline = (done: (f: Fact) => string | null, due: (f: Fact) => string) => {
    const met = recl.filter((f) => done(f) !== null && done(f)! <= due(f));
    const lateDone = recl.filter((f) => done(f) !== null && done(f)! > due(f));
    const overdue = recl.filter((f) => done(f) === null && due(f) < TODAY);
    const atRisk = recl.filter((f) => done(f) === null && due(f) >= TODAY && due(f) <= WEEK_END);
    const pending = recl.filter((f) => done(f) === null && due(f) > WEEK_END);
    const whole = met.length + lateDone.length + overdue.length;
    return {
      numbers: {
        met: met.length,
        late: lateDone.length + overdue.length,
        lateStillOpen: overdue.length,
        atRiskThisWeek: atRisk.length,
        pending: pending.length,
        complianceRate: whole === 0 ? null : Math.round((met.length / whole) * 1000) / 10,
      },
      lists: { met, late: [...lateDone, ...overdue], overdue, atRisk, pending },
    };
  };
  const ack = deadline((f) => f.ackOn, (f) => f.c.ack_due_on);
  const answer = deadline((f) => f.answerOn, (f) => f.c.answer_due_on);
  const days = recl.filter((f) => f.answerOn !== null).map((f) => (Date.parse(f.answerOn!) - Date.parse(f.receivedOn)) / 86_400_000);
  const backlog = new Map<string, Record<string, number>>();
  for (const f of facts.filter((x) => x.open)) {
    const key = f.c.process_id ?? '';
    const slot = backlog.get(key) ?? { nouvelle: 0, en_cours: 0, en_attente: 0 };
    slot[f.c.status] = (slot[f.c.status] ?? 0) + 1;
    backlog.set(key, slot);
  }
  const perCustomer = new Map<string, number>();
  for (const f of recl) perCustomer.set(f.c.customer_id, (perCustomer.get(f.c.customer_id) ?? 0) + 1);
  const repeaters = [...perCustomer].filter(([, n]) => n >= 2);
  const outcomes = { accepte: 0, partiel: 0, refuse: 0 };
  for (const f of recl) if (f.c.outcome) outcomes[f.c.outcome]++;
  const demandes = inPeriod.length - recl.length;
  return {
    period: { from, to },
    volumes,
    acknowledgement: ack,
    answer,
    handling: {
      answered: days.length,
      averageDays: days.length ? Math.round((days.reduce((s, d) => s + d, 0) / days.length) * 10) / 10 : null,
      p90Days: nearestRank(days, 0.9),
    },
    backlog,
    backlogTotal: facts.filter((x) => x.open).length,
    backlogIds: facts.filter((x) => x.open).map((x) => x.c.id),
    repeat: { customers: repeaters.length, complaints: repeaters.reduce((s, [, n]) => s + n, 0), perCustomer, topCounts: repeaters.map(([, n]) => n).sort((a, b) => b - a).slice(0, 10), ids: recl.filter((f) => (perCustomer.get(f.c.customer_id) ?? 0) >= 2).map((f) => f.c.id) },
    outcomes,
    share: { reclamations: recl.length, demandes, reclamationRate: recl.length + demandes === 0 ? null : Math.round((recl.length / (recl.length + demandes)) * 1000) / 10 },
    receivedIds: recl.map((f) => f.c.id),
  };
}

async function allComplaints(): Promise<Complaint[]> {
  return env.deps.db.selectFrom('complaints').selectAll().where('tenant_id', '=', tenantId).execute();
}

function queryString(q: Record<string, string | undefined>): string {
  const parts = Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${encodeURIComponent(v!)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

async function checkDashboard(q: Filters & { from?: string; to?: string }) {
  const res = await manager.get(`/api/dashboard${queryString({ ...q })}`);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  const from = q.from ?? addDays(monday(TODAY), -7 * 25);
  const exp = expected(await allComplaints(), { ...q, from, to: q.to ?? TODAY });
  const label = JSON.stringify(q);
  expect(body.period, label).toMatchObject({ ...exp.period, today: TODAY, weekEnd: WEEK_END });
  expect(body.volumes.map((v: { week: string; reclamations: number; demandes: number }) => ({ week: v.week, reclamations: v.reclamations, demandes: v.demandes })), label).toEqual(exp.volumes);
  expect(body.deadlines.acknowledgement, label).toEqual(exp.acknowledgement.numbers);
  expect(body.deadlines.answer, label).toEqual(exp.answer.numbers);
  expect(body.handling, label).toEqual(exp.handling);
  expect(body.backlog.total, label).toBe(exp.backlogTotal);
  const backlog = new Map<string, Record<string, number>>(body.backlog.byProcess.map((p: { processId: string | null; byStatus: Record<string, number> }) => [p.processId ?? '', p.byStatus]));
  expect(backlog, label).toEqual(exp.backlog);
  expect(body.outcomes.items.map((o: { outcome: string; count: number }) => [o.outcome, o.count]), label).toEqual(Object.entries(exp.outcomes));
  expect(body.repeatComplainants.customers, label).toBe(exp.repeat.customers);
  expect(body.repeatComplainants.complaints, label).toBe(exp.repeat.complaints);
  // The top ten (names collate in the database: compared by counts, each the customer's own).
  const top = body.repeatComplainants.top as { customerId: string; count: number }[];
  expect(top.map((t) => t.count), label).toEqual(exp.repeat.topCounts);
  for (const t of top) expect(t.count, label).toBe(exp.repeat.perCustomer.get(t.customerId));
  expect(body.share, label).toEqual(exp.share);
  return { body, exp };
}

async function listIds(metric: string, q: Record<string, string | undefined>): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = [];
  let total = 0;
  for (let page = 1; page < 50; page++) {
    const res = await manager.get(`/api/dashboard/lists/${metric}${queryString({ ...q, page: String(page), pageSize: '40' })}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    total = body.total;
    ids.push(...body.items.map((i: { id: string }) => i.id));
    if (body.items.length < 40) break;
  }
  return { ids, total };
}

beforeAll(async () => {
  env = await createTestEnv({ clock: new TestClock(NOW), workers: false });
  const t = await signupTenant(env.app, 'Cabinet Pilotage');
  admin = t.client;
  tenantId = t.tenant.id;
  const m = await addUser(env.app, admin, 'manager');
  const a = await addUser(env.app, admin, 'agent');
  manager = m.client;
  agent = a.client;
  userIds = [t.admin.id, m.user.id, a.user.id];
  processIds = (await admin.get('/api/processes')).json().items.slice(0, 5).map((p: { id: string }) => p.id);
  const customers = await insertCustomers(env.deps, tenantId, 60);
  await insertComplaintRows(env.deps, generateComplaints({ tenantId, customers, processIds, userIds, now: NOW, n: 700, weeks: 40 }));
});
afterAll(async () => {
  await env?.close();
});

describe('dashboard', () => {
  it('is for managers and admins only', async () => {
    expect((await agent.get('/api/dashboard')).statusCode).toBe(403);
    expect((await agent.get('/api/dashboard/lists/ack_late')).statusCode).toBe(403);
    expect((await admin.get('/api/dashboard')).statusCode).toBe(200);
    expect((await manager.get('/api/dashboard?from=2026-05-01&to=2026-04-01')).statusCode).toBe(400);
  });

  it('matches figures computed from the complaint rows, with no filter, one filter (rollups) and several (facts)', async () => {
    const { body } = await checkDashboard({});
    expect(body.source).toBe('rollup');
    expect(body.share.reclamations).toBeGreaterThan(300);
    expect(body.deadlines.acknowledgement.late).toBeGreaterThan(0);
    expect(body.deadlines.answer.atRiskThisWeek + body.deadlines.acknowledgement.atRiskThisWeek).toBeGreaterThan(0);
    expect(body.repeatComplainants.customers).toBeGreaterThan(0);
    await checkDashboard({ cause: 'indemnisation' });
    // Short periods: fewer than ten customers with three complaints or more in them.
    await checkDashboard({ from: '2026-06-08', to: '2026-06-17' });
    await checkDashboard({ from: '2026-05-25', to: '2026-06-07' });
    await checkDashboard({ product: 'auto', from: '2025-11-10', to: '2026-06-17' });
    await checkDashboard({ channel: 'sms' });
    await checkDashboard({ process: processIds[1]! });
    await checkDashboard({ agent: userIds[2]! });
    const several = await checkDashboard({ channel: 'email', cause: 'delai', from: '2025-12-03', to: '2026-05-20' });
    expect(several.body.source).toBe('facts');
    await checkDashboard({ product: 'habitation', agent: userIds[1]!, process: processIds[0]! });
  });

  it('follows multi-row updates, requalifications through the API and deletions', async () => {
    // A bulk acknowledgement of everything pending received in one week (one statement, many rows).
    const rows = await allComplaints();
    const target = rows.filter((c) => c.acknowledged_at === null && localDateOf(c.received_at) >= '2026-05-25' && localDateOf(c.received_at) <= '2026-05-31');
    expect(target.length).toBeGreaterThan(1);
    await env.deps.db.updateTable('complaints').set({ acknowledged_at: new Date('2026-06-01T09:00:00+02:00') }).where('id', 'in', target.map((c) => c.id)).execute();
    // Updates that change nothing the dashboard shows.
    await env.deps.db.updateTable('complaints').set({ updated_at: NOW }).where('tenant_id', '=', tenantId).execute();
    // A requalification (cause, hence process) and a status change through the API.
    const open = rows.find((c) => c.kind === 'reclamation' && c.status === 'nouvelle' && c.cause !== 'tarification')!;
    expect((await manager.patch(`/api/complaints/${open.id}`, { cause: 'tarification', product: 'sante' })).statusCode).toBe(200);
    const other = rows.find((c) => c.kind === 'reclamation' && c.status === 'en_cours' && c.id !== open.id)!;
    expect((await manager.post(`/api/complaints/${other.id}/status`, { status: 'resolue', outcome: 'refuse' })).statusCode).toBe(200);
    // Deletions (statement trigger on DELETE).
    const gone = rows.filter((c) => c.kind === 'demande').slice(0, 3);
    await env.deps.db.deleteFrom('complaints').where('id', 'in', gone.map((c) => c.id)).execute();

    await checkDashboard({});
    await checkDashboard({ from: '2026-05-25', to: '2026-06-07' });
    await checkDashboard({ cause: 'tarification' });
    await checkDashboard({ product: 'sante', cause: 'tarification' });
  });

  it('lists the complaints behind each number, page by page', async () => {
    const q = { cause: 'indemnisation' };
    const exp = expected(await allComplaints(), { ...q, from: addDays(monday(TODAY), -7 * 25), to: TODAY });
    const ids = (list: { c: Complaint }[]) => list.map((f) => f.c.id).sort();
    const cases: [string, string[]][] = [
      ['received', [...exp.receivedIds].sort()],
      ['ack_met', ids(exp.acknowledgement.lists.met)],
      ['ack_late', ids(exp.acknowledgement.lists.late)],
      ['ack_overdue', ids(exp.acknowledgement.lists.overdue)],
      ['answer_late', ids(exp.answer.lists.late)],
      ['answer_at_risk', ids(exp.answer.lists.atRisk)],
      ['answer_pending', ids(exp.answer.lists.pending)],
      ['repeat', [...exp.repeat.ids].sort()],
    ];
    for (const [metric, want] of cases) {
      const got = await listIds(metric, q);
      expect(got.total, metric).toBe(want.length);
      expect(got.ids.sort(), metric).toEqual(want);
    }
    const backlog = await listIds('backlog', q);
    expect(backlog.ids.sort()).toEqual([...exp.backlogIds].sort());
    const one = (await manager.get('/api/dashboard/lists/ack_late?pageSize=1')).json();
    expect(one.items[0]).toMatchObject({ reference: expect.stringMatching(/^GEN-2026-/), customerName: expect.any(String), ackDueOn: expect.any(String), answerDueOn: expect.any(String) });
    expect((await manager.get('/api/dashboard/lists/nimporte')).statusCode).toBe(400);
  });
});
