import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, TestClock, type TestEnv } from '../helpers/deps.ts';
import { addUser, sampleComplaint, signupTenant, type TestClient } from '../helpers/http.ts';
import { generateComplaints, insertComplaintRows, insertCustomers } from '../helpers/steering-data.ts';
import { addDays, dayOfWeek, localDateOf } from '../../src/domain/calendar.ts';
import type { Complaint } from '../../src/db/types.ts';
import * as migration0017 from '../../migrations/0017_merged_out_of_facts.ts';

/**
 * A complaint opened twice and merged into the other (migration 0017): the duplicate leaves every figure of
 * the dashboard and every list behind them. Each figure is checked against a computation in plain TypeScript
 * from the complaint rows read back (a merged one skipped), never from the facts or the rollups.
 */
const NOW = new Date('2026-06-17T10:00:00+02:00'); // a Wednesday
const TODAY = '2026-06-17';
const WEEK_END = '2026-06-21';

const METRICS = [
  'received', 'demandes', 'ack_met', 'ack_late', 'ack_overdue', 'ack_at_risk', 'ack_pending',
  'answer_met', 'answer_late', 'answer_overdue', 'answer_at_risk', 'answer_pending', 'answered', 'backlog', 'repeat',
] as const;
type Metric = (typeof METRICS)[number];

let env: TestEnv;
let admin: TestClient;
let manager: TestClient;
let tenantId: string;
let kept: { id: string; reference: string };
let duplicate: { id: string; reference: string };

const monday = (d: string) => addDays(d, -((dayOfWeek(d) + 6) % 7));
const local = (d: Date | null) => (d ? localDateOf(d) : null);

interface Query {
  from?: string;
  to?: string;
  channel?: string;
  cause?: string;
  product?: string;
}

/** The dashboard of the period and filters, as the complaints (not merged ones, unless `withMerged`) say it should be. */
function expected(rows: Complaint[], q: Query, withMerged = false) {
  const from = monday(q.from ?? addDays(monday(TODAY), -7 * 25));
  const to = addDays(monday(q.to ?? TODAY), 6);
  const facts = rows
    .filter((c) => withMerged || c.merged_into_id === null)
    .filter((c) => (!q.channel || c.channel === q.channel) && (!q.cause || c.cause === q.cause) && (!q.product || c.product === q.product))
    .map((c) => {
      const acked = [local(c.acknowledged_at), local(c.answered_at)].filter((d): d is string => d !== null).sort()[0];
      return { c, on: local(c.received_at)!, ackOn: acked ?? local(c.closed_at), answerOn: local(c.answered_at) ?? local(c.closed_at) };
    });
  type F = (typeof facts)[number];
  const inPeriod = facts.filter((f) => f.on >= from && f.on <= to);
  const recl = inPeriod.filter((f) => f.c.kind === 'reclamation');
  const perCustomer = new Map<string, number>();
  for (const f of recl) perCustomer.set(f.c.customer_id, (perCustomer.get(f.c.customer_id) ?? 0) + 1);
  const waiting = (done: F['ackOn'], due: string, when: 'overdue' | 'at_risk' | 'pending') =>
    done === null && (when === 'overdue' ? due < TODAY : when === 'at_risk' ? due >= TODAY && due <= WEEK_END : due > WEEK_END);
  const which: Record<Metric, (f: F) => boolean> = {
    received: (f) => recl.includes(f),
    demandes: (f) => inPeriod.includes(f) && f.c.kind === 'demande',
    ack_met: (f) => recl.includes(f) && f.ackOn !== null && f.ackOn <= f.c.ack_due_on,
    ack_late: (f) => recl.includes(f) && (f.ackOn !== null ? f.ackOn > f.c.ack_due_on : f.c.ack_due_on < TODAY),
    ack_overdue: (f) => recl.includes(f) && waiting(f.ackOn, f.c.ack_due_on, 'overdue'),
    ack_at_risk: (f) => recl.includes(f) && waiting(f.ackOn, f.c.ack_due_on, 'at_risk'),
    ack_pending: (f) => recl.includes(f) && waiting(f.ackOn, f.c.ack_due_on, 'pending'),
    answer_met: (f) => recl.includes(f) && f.answerOn !== null && f.answerOn <= f.c.answer_due_on,
    answer_late: (f) => recl.includes(f) && (f.answerOn !== null ? f.answerOn > f.c.answer_due_on : f.c.answer_due_on < TODAY),
    answer_overdue: (f) => recl.includes(f) && waiting(f.answerOn, f.c.answer_due_on, 'overdue'),
    answer_at_risk: (f) => recl.includes(f) && waiting(f.answerOn, f.c.answer_due_on, 'at_risk'),
    answer_pending: (f) => recl.includes(f) && waiting(f.answerOn, f.c.answer_due_on, 'pending'),
    answered: (f) => recl.includes(f) && f.answerOn !== null,
    // The backlog is today's, whatever the period.
    backlog: (f) => ['nouvelle', 'en_cours', 'en_attente'].includes(f.c.status),
    repeat: (f) => recl.includes(f) && perCustomer.get(f.c.customer_id)! >= 2,
  };
  const lists = Object.fromEntries(METRICS.map((m) => [m, facts.filter(which[m]).map((f) => f.c.id).sort()])) as Record<Metric, string[]>;
  const n = (m: Metric) => lists[m].length;
  const pct = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);
  const deadline = (w: 'ack' | 'answer') => ({
    met: n(`${w}_met`),
    late: n(`${w}_late`),
    lateStillOpen: n(`${w}_overdue`),
    atRiskThisWeek: n(`${w}_at_risk`),
    pending: n(`${w}_pending`),
    complianceRate: pct(n(`${w}_met`), n(`${w}_met`) + n(`${w}_late`)),
  });
  const days = recl.filter((f) => f.answerOn !== null).map((f) => (Date.parse(f.answerOn!) - Date.parse(f.on)) / 86_400_000).sort((a, b) => a - b);
  const backlog: Record<string, Record<string, number>> = {};
  for (const f of facts.filter(which.backlog)) {
    const slot = (backlog[f.c.process_id ?? ''] ??= { nouvelle: 0, en_cours: 0, en_attente: 0 });
    slot[f.c.status] = (slot[f.c.status] ?? 0) + 1;
  }
  const counts = [...perCustomer.values()].filter((k) => k >= 2);
  const volumes = [];
  for (let w = from; w <= to; w = addDays(w, 7)) {
    const week = inPeriod.filter((f) => monday(f.on) === w);
    volumes.push({ week: w, reclamations: week.filter((f) => f.c.kind === 'reclamation').length, demandes: week.filter((f) => f.c.kind === 'demande').length });
  }
  return {
    /** What the dashboard's body contains (toMatchObject). */
    dashboard: {
      period: { from, to, today: TODAY, weekEnd: WEEK_END },
      volumes,
      deadlines: { acknowledgement: deadline('ack'), answer: deadline('answer') },
      handling: {
        answered: days.length,
        averageDays: days.length ? Math.round((days.reduce((s, d) => s + d, 0) / days.length) * 10) / 10 : null,
        p90Days: days.length ? days[Math.max(1, Math.ceil(0.9 * days.length)) - 1]! : null,
      },
      backlog: { total: n('backlog') },
      outcomes: { items: (['accepte', 'partiel', 'refuse'] as const).map((o) => ({ outcome: o, count: recl.filter((f) => f.c.outcome === o).length })) },
      repeatComplainants: { customers: counts.length, complaints: counts.reduce((s, k) => s + k, 0) },
      share: { reclamations: n('received'), demandes: n('demandes'), reclamationRate: pct(n('received'), n('received') + n('demandes')) },
    },
    backlogByProcess: backlog,
    perCustomer,
    topCounts: counts.sort((a, b) => b - a).slice(0, 10),
    lists,
  };
}

function queryString(q: Record<string, string | undefined>): string {
  const params = new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)).toString();
  return params ? `?${params}` : '';
}

async function listIds(metric: Metric, q: Query): Promise<string[]> {
  const ids: string[] = [];
  for (let page = 1; ; page++) {
    const res = await manager.get(`/api/dashboard/lists/${metric}${queryString({ ...q, page: String(page), pageSize: '200' })}`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    ids.push(...body.items.map((i: { id: string }) => i.id));
    if (ids.length >= body.total) return ids.sort();
  }
}

/** The dashboard and every list behind it, each compared with `expected`. */
async function checkDashboard(q: Query, withMerged = false) {
  const res = await manager.get(`/api/dashboard${queryString({ ...q })}`);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  const rows = await env.deps.db.selectFrom('complaints').selectAll().where('tenant_id', '=', tenantId).execute();
  const exp = expected(rows, q, withMerged);
  const label = JSON.stringify(q);
  expect(body, label).toMatchObject(exp.dashboard);
  expect(Object.fromEntries(body.backlog.byProcess.map((p: { processId: string | null; byStatus: Record<string, number> }) => [p.processId ?? '', p.byStatus])), label).toEqual(exp.backlogByProcess);
  // The top ten (names collate in the database: compared by counts, each the customer's own).
  const top = body.repeatComplainants.top as { customerId: string; count: number }[];
  expect(top.map((t) => t.count), label).toEqual(exp.topCounts);
  for (const t of top) expect(t.count, label).toBe(exp.perCustomer.get(t.customerId));
  const lists = {} as Record<Metric, string[]>;
  for (const m of METRICS) {
    lists[m] = await listIds(m, q);
    expect(lists[m], `${label} ${m}`).toEqual(exp.lists[m]);
  }
  return { body, lists };
}

/** No filter (rollups, steering_repeat), one filter (per-dimension rollups), two filters (facts). */
const QUERIES: Query[] = [{}, { cause: 'indemnisation' }, { channel: 'phone' }, { cause: 'indemnisation', product: 'sante' }, { from: '2026-05-25', to: TODAY }];

async function checkAll() {
  const out = [];
  for (const q of QUERIES) out.push(await checkDashboard(q));
  return out;
}

beforeAll(async () => {
  env = await createTestEnv({ clock: new TestClock(NOW), workers: false });
  const t = await signupTenant(env.app, 'Cabinet Doublons');
  admin = t.client;
  tenantId = t.tenant.id;
  const m = await addUser(env.app, admin, 'manager');
  manager = m.client;
  const processIds = (await admin.get('/api/processes')).json().items.map((p: { id: string }) => p.id);
  const customers = await insertCustomers(env.deps, tenantId, 25);
  await insertComplaintRows(env.deps, generateComplaints({ tenantId, customers, processIds, userIds: [t.admin.id, m.user.id], now: NOW, n: 160, weeks: 20, seed: 7 }));
  // One matter, opened twice: by phone first (its acknowledgement now late), then by email (not due yet).
  const open = async (overrides: Record<string, unknown>) => {
    const res = await admin.post('/api/complaints', sampleComplaint({ complainant: { name: 'Maëlle Doublon', email: 'maelle.doublon@example.fr' }, ...overrides }));
    expect(res.statusCode, res.body).toBe(201);
    return res.json() as { id: string; reference: string };
  };
  duplicate = await open({ channel: 'phone', sentOn: '2026-05-28', receivedAt: '2026-05-29T11:00:00+02:00' });
  kept = await open({ channel: 'email', sentOn: '2026-06-08', receivedAt: '2026-06-09T09:00:00+02:00' });
});
afterAll(async () => {
  await env?.close();
});

describe('a merged complaint in the steering figures', () => {
  let before: Awaited<ReturnType<typeof checkAll>>;

  it('counts both complaints of the matter before the merge', async () => {
    before = await checkAll();
    const [all] = before;
    for (const id of [kept.id, duplicate.id]) {
      expect(all!.lists.received).toContain(id);
      expect(all!.lists.backlog).toContain(id);
      expect(all!.lists.repeat).toContain(id);
    }
    expect(all!.lists.ack_overdue).toContain(duplicate.id);
    expect(all!.lists.ack_overdue).not.toContain(kept.id);
  });

  it('leaves the duplicate out of every figure and list once merged', async () => {
    const res = await admin.post(`/api/complaints/${kept.id}/merge`, { otherComplaintId: duplicate.id });
    expect(res.statusCode, res.body).toBe(204);
    const after = await checkAll();
    const [all, cause] = after;
    expect(all!.body.share.reclamations).toBe(before[0]!.body.share.reclamations - 1);
    expect(cause!.body.share.reclamations).toBe(before[1]!.body.share.reclamations - 1);
    expect(all!.body.backlog.total).toBe(before[0]!.body.backlog.total - 1);
    // The customer no longer complained twice.
    expect(all!.body.repeatComplainants.customers).toBe(before[0]!.body.repeatComplainants.customers - 1);
    for (const r of after) for (const m of METRICS) expect(r.lists[m], m).not.toContain(duplicate.id);
    // The kept one took the earlier sending date: its acknowledgement is late now, in the duplicate's place.
    expect(all!.lists.received).toContain(kept.id);
    expect(all!.lists.ack_overdue).toContain(kept.id);
    expect(all!.body.deadlines.acknowledgement.lateStillOpen).toBe(before[0]!.body.deadlines.acknowledgement.lateStillOpen);
    expect(await env.deps.db.selectFrom('complaint_facts').select('complaint_id').where('complaint_id', '=', duplicate.id).execute()).toEqual([]);
  });

  it('migration 0017 takes the facts of complaints merged before it out of the rollups', async () => {
    // As before 0017 (its down): the merged complaint keeps a fact, and every figure counts it.
    await migration0017.down(env.deps.db);
    const counted = await checkDashboard({}, true);
    expect(counted.lists.received).toContain(duplicate.id);
    expect(counted.body.share.reclamations).toBe(before[0]!.body.share.reclamations);
    await migration0017.up(env.deps.db);
    const [all] = await checkAll();
    expect(all!.lists.received).not.toContain(duplicate.id);
    expect(all!.body.share.reclamations).toBe(before[0]!.body.share.reclamations - 1);
  });

  it('an unmerge brings the complaint back into the figures', async () => {
    await env.deps.db.updateTable('complaints').set({ merged_into_id: null }).where('id', '=', duplicate.id).execute();
    const [all] = await checkAll();
    expect(all!.lists.received).toContain(duplicate.id);
    expect(all!.lists.backlog).not.toContain(duplicate.id);
  });
});
