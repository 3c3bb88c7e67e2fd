import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, sampleComplaint, signupTenant, type TestClient } from '../helpers/http.ts';
import { submitForm } from '../helpers/inbound.ts';
import { acceptInbound } from '../../src/intake/journal.ts';
import { runDeadlineWatch } from '../../src/routing/deadlines.ts';

/**
 * Every route that takes an id is called by tenant A's admin with tenant B's ids: each must answer 404
 * and change nothing. The routes come from the app's own catalog, so a new route is covered by default:
 * a parameter with no fixture below, or a body that fails validation, fails this test until it is added.
 */
let env: TestEnv;
let a: { client: TestClient };
let b: {
  client: TestClient;
  userId: string;
  complaintId: string;
  attachmentId: string;
  reference: string;
  customerId: string;
  otherCustomerId: string;
  messageId: string;
  journalId: string;
  suggestionId: string;
  mergeId: string;
  processId: string;
  notificationId: string;
  channelId: string;
  stepKey: string;
  actionId: string;
};

const BOUNDARY = 'isolationBoundary';
const MULTIPART = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="x.txt"\r\nContent-Type: text/plain\r\n\r\nbonjour\r\n--${BOUNDARY}--\r\n`;

/** Valid bodies per route, so that the call reaches the ownership check instead of stopping at validation. */
/** Required query strings, so that the call reaches the ownership check. */
const QUERIES: Record<string, string> = {
  'GET /api/complaints/:complaintId/replies/preview': '?templateKey=acknowledgement',
};

function twilioChannel(number: string) {
  return { kind: 'twilio', name: 'SMS', config: { number, accountSid: `AC${'0'.repeat(32)}` }, secrets: { authToken: 'token-b' } };
}

function bodyFor(method: string, url: string): { payload?: unknown; headers?: Record<string, string> } {
  const key = `${method} ${url}`;
  const bodies: Record<string, unknown> = {
    'PATCH /api/complaints/:complaintId': { priority: 'haute' },
    'POST /api/complaints/:complaintId/status': { status: 'en_cours' },
    'POST /api/complaints/:complaintId/assign': { assigneeId: null },
    'POST /api/complaints/:complaintId/notes': { text: 'Note venue d’un autre cabinet' },
    'PATCH /api/users/:userId': { role: 'manager' },
    'POST /api/customers/:customerId/merge': { otherCustomerId: b.otherCustomerId },
    'PATCH /api/processes/:processId': { team: 'Équipe pirate' },
    'PUT /api/channels/:channelId': twilioChannel('+33612000002'),
    'POST /api/complaints/:complaintId/replies': { text: 'Réponse venue d’un autre cabinet' },
    'POST /api/complaints/:complaintId/acknowledge': {},
    'PUT /api/complaints/:complaintId/checklist/:stepKey': { done: true },
    'POST /api/complaints/:complaintId/merge': { otherComplaintId: b.complaintId },
    'PATCH /api/actions/:actionId': { status: 'abandonnee', addComplaintIds: [b.complaintId] },
  };
  if (key === 'POST /api/complaints/:complaintId/attachments') {
    return { payload: MULTIPART, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } };
  }
  if (key in bodies) return { payload: bodies[key] };
  return method === 'GET' || method === 'DELETE' ? {} : { payload: {} };
}

beforeAll(async () => {
  env = await createTestEnv();
  a = await signupTenant(env.app, 'Cabinet Alpha');
  const tb = await signupTenant(env.app, 'Cabinet Bêta');
  const agentB = await addUser(env.app, tb.client, 'agent');
  const complaint = (await tb.client.post('/api/complaints', sampleComplaint())).json();
  const up = await tb.client.raw({
    method: 'POST',
    url: `/api/complaints/${complaint.id}/attachments`,
    payload: MULTIPART,
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
  });
  // Everything else a route can point at: a follow-up message, a quarantined payload, a pending merge
  // suggestion and a merge that could be undone.
  const followUp = await submitForm(env.deps, tb.tenant.id, { name: 'Jeanne Dupont', email: 'jeanne.dupont@example.fr', description: `Complément pour ${complaint.reference}` });
  const broken = await acceptInbound(env.deps, { tenantId: tb.tenant.id, channel: 'webform', externalId: 'broken', payload: new Uint8Array([1, 2, 3]), contentType: 'application/octet-stream' });
  const conflict = async (n: number) => {
    const x = await submitForm(env.deps, tb.tenant.id, { name: `Client ${n}`, email: `c${n}@example.fr`, description: `Sujet ${n} : franchise auto contestée.` });
    const y = await submitForm(env.deps, tb.tenant.id, { name: `Client ${n}`, phone: `06 5${n} 00 00 0${n}`, description: `Autre sujet ${n} : frais vétérinaires.` });
    await submitForm(env.deps, tb.tenant.id, { name: `Client ${n}`, email: `c${n}@example.fr`, phone: `06 5${n} 00 00 0${n}`, description: `Troisième sujet ${n} : voyage annulé.` });
    return { x: x.outcome.customerId!, y: y.outcome.customerId! };
  };
  const pair1 = await conflict(1);
  await conflict(2);
  const suggestions = (await tb.client.get('/api/merge-suggestions')).json().items as { id: string; customerId: string }[];
  const toMerge = suggestions.find((s) => s.customerId !== pair1.x && s.customerId !== pair1.y) ?? suggestions[1]!;
  const merged = (await tb.client.post(`/api/merge-suggestions/${toMerge.id}/accept`)).json();
  b = {
    client: tb.client,
    userId: agentB.user.id,
    complaintId: complaint.id,
    attachmentId: up.json().items[0].id,
    reference: complaint.reference,
    customerId: complaint.customerId,
    otherCustomerId: pair1.y,
    messageId: followUp.outcome.messageId!,
    journalId: broken.journalId,
    suggestionId: suggestions.find((s) => s.id !== toMerge.id)!.id,
    mergeId: merged.mergeId,
    processId: (await tb.client.get('/api/processes')).json().items[0].id,
    notificationId: '',
    channelId: (await tb.client.post('/api/channels', twilioChannel('+33612000001'))).json().id,
    stepKey: (await tb.client.get(`/api/complaints/${complaint.id}`)).json().process.steps[0].key,
    actionId: (await tb.client.post('/api/actions', { title: 'Action de B', rootCause: 'Cause de B', complaintIds: [complaint.id] })).json().id,
  };
  // B's complaint (sent in March) is overdue: the deadline watch gives B's admin a notification.
  await runDeadlineWatch(env.deps);
  b.notificationId = (await tb.client.get('/api/notifications')).json().items[0].id;
  expect(followUp.outcome.complaintId).toBe(complaint.id);
});
afterAll(async () => {
  await env?.close();
});

describe('tenant isolation', () => {
  it('answers 404 to every route given another tenant’s ids, and changes nothing', async () => {
    const params: Record<string, string> = {
      complaintId: b.complaintId,
      attachmentId: b.attachmentId,
      userId: b.userId,
      customerId: b.customerId,
      messageId: b.messageId,
      journalId: b.journalId,
      suggestionId: b.suggestionId,
      mergeId: b.mergeId,
      processId: b.processId,
      notificationId: b.notificationId,
      channelId: b.channelId,
      actionId: b.actionId,
      stepKey: b.stepKey,
    };
    const before = (await b.client.get(`/api/complaints/${b.complaintId}`)).json();
    // Parameters that are not ids (a dashboard metric): those routes are checked for leaks in their own test below.
    const notIds = new Set(['metric']);
    const withIds = env.app.routeCatalog.filter(
      (r) => r.url.startsWith('/api/') && [...r.url.matchAll(/:([A-Za-z]+)/g)].some((m) => !notIds.has(m[1]!)),
    );
    expect(withIds.length).toBeGreaterThanOrEqual(8);
    const checked: string[] = [];
    for (const route of withIds) {
      const url = route.url.replace(/:([A-Za-z]+)/g, (_, name: string) => {
        const value = params[name];
        if (!value) throw new Error(`No cross-tenant fixture for parameter :${name} (route ${route.method} ${route.url}): add one`);
        return value;
      });
      const { payload, headers } = bodyFor(route.method, route.url);
      const query = QUERIES[`${route.method} ${route.url}`] ?? '';
      const res = await a.client.raw({ method: route.method as 'GET', url: url + query, ...(payload !== undefined ? { payload: payload as object } : {}), ...(headers ? { headers } : {}) });
      expect(res.statusCode, `${route.method} ${route.url} → ${res.statusCode} ${res.body}`).toBe(404);
      checked.push(`${route.method} ${route.url}`);
    }
    expect(checked).toEqual(expect.arrayContaining(['GET /api/complaints/:complaintId', 'PATCH /api/users/:userId']));

    const after = (await b.client.get(`/api/complaints/${b.complaintId}`)).json();
    expect(after.complaint).toEqual({ ...before.complaint });
    expect(after.messages).toHaveLength(before.messages.length);
    expect(after.attachments).toEqual(before.attachments);
    const foreign = after.events.filter((e: { type: string }) => !before.events.some((x: { id: number }) => x.id === (e as unknown as { id: number }).id));
    expect(foreign).toEqual([]);
    const users = (await b.client.get('/api/users')).json().items;
    expect(users.find((u: { id: string }) => u.id === b.userId).role).toBe('agent');
    expect(after.complaint.checklist).toEqual({});
    expect(after.complaint.mergedIntoId).toBeNull();
    const channel = (await b.client.get(`/api/channels/${b.channelId}`)).json();
    expect(channel).toMatchObject({ address: '+33612000001', secretsSet: ['authToken'] });
    expect((await b.client.get('/api/merge-suggestions')).json().items.map((x: { id: string }) => x.id)).toContain(b.suggestionId);
    expect((await b.client.get('/api/inbound/quarantine')).json().items.map((x: { id: string }) => x.id)).toContain(b.journalId);
    expect((await b.client.get(`/api/actions/${b.actionId}`)).json()).toMatchObject({ status: 'ouverte', complaintCount: 1 });
  });

  it('never shows another tenant’s complaints in the steering views, registers, exports or audit trail', async () => {
    const own = (await a.client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Client Alpha Pilotage' } }))).json();
    const dashboard = (await a.client.get('/api/dashboard?from=2026-01-01')).json();
    const dashboardB = (await b.client.get('/api/dashboard?from=2026-01-01')).json();
    expect(dashboardB.share.reclamations).toBeGreaterThan(0);
    for (const metric of ['received', 'ack_late', 'answer_late', 'backlog', 'repeat']) {
      const items = (await a.client.get(`/api/dashboard/lists/${metric}?from=2026-01-01`)).json().items as { id: string }[];
      expect(items.some((i) => i.id === b.complaintId), metric).toBe(false);
    }
    expect(dashboard.share.reclamations).toBe((await a.client.get('/api/register?from=2026-01-01')).json().total);
    const register = (await a.client.get('/api/register?from=2026-01-01&pageSize=500')).json().items.map((e: { id: string }) => e.id);
    expect(register).toContain(own.id);
    expect(register).not.toContain(b.complaintId);
    expect((await a.client.get('/api/register.csv?from=2026-01-01')).body).not.toContain('Dupont');
    const audit = (await a.client.get('/api/audit?limit=200')).json().items as { complaintId: string | null }[];
    expect(audit.some((e) => e.complaintId === b.complaintId)).toBe(false);
    expect((await a.client.get(`/api/audit?complaint=${b.complaintId}`)).json().items).toEqual([]);
    expect((await a.client.get('/api/actions')).json().items.map((x: { id: string }) => x.id)).not.toContain(b.actionId);
    expect((await a.client.post('/api/actions', { title: 'Pirate', rootCause: 'x', complaintIds: [b.complaintId] })).statusCode).toBe(404);
    expect((await a.client.post('/api/actions', { title: 'Pirate', rootCause: 'x', ownerId: b.userId })).statusCode).toBe(400);
  });

  it('never lists another tenant’s complaints, users or processes', async () => {
    await a.client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Client Alpha', email: 'alpha@example.fr' } }));
    const list = (await a.client.get('/api/complaints')).json();
    expect(list.items.length).toBeGreaterThan(0);
    expect(list.items.every((c: { id: string }) => c.id !== b.complaintId)).toBe(true);
    // References are per tenant: A's own first complaint has the same reference as B's, never B's record.
    const sameRef = (await a.client.get(`/api/complaints?q=${b.reference}`)).json().items;
    expect(sameRef.every((c: { id: string }) => c.id !== b.complaintId)).toBe(true);
    expect((await a.client.get('/api/complaints?q=Dupont')).json().total).toBe(0);
    expect((await a.client.get(`/api/complaints?assignee=${b.userId}`)).json().total).toBe(0);
    expect((await a.client.get(`/api/complaints?customerId=${b.customerId}`)).json().total).toBe(0);
    expect((await a.client.get('/api/customers?q=Jeanne%20Dupont')).json().items).toEqual([]);
    expect((await a.client.get('/api/customers?q=jeanne.dupont@example.fr')).json().items).toEqual([]);
    const users = (await a.client.get('/api/users')).json().items;
    expect(users.some((u: { id: string }) => u.id === b.userId)).toBe(false);
    expect((await a.client.get('/api/merge-suggestions')).json().items).toEqual([]);
    expect((await a.client.get('/api/inbound/quarantine')).json().items).toEqual([]);
    expect((await a.client.get('/api/inbound?channel=webform&externalId=broken')).statusCode).toBe(404);
    const processesA = (await a.client.get('/api/processes')).json().items.map((p: { id: string }) => p.id);
    const processesB = (await b.client.get('/api/processes')).json().items.map((p: { id: string }) => p.id);
    expect(processesA.filter((id: string) => processesB.includes(id))).toEqual([]);
  });

  it('refuses to assign a complaint to another tenant’s user', async () => {
    const mine = (await a.client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Client Alpha 2' } }))).json();
    const res = await a.client.post(`/api/complaints/${mine.id}/assign`, { assigneeId: b.userId });
    expect(res.statusCode).toBe(400);
    const created = await a.client.post('/api/complaints', sampleComplaint({ assigneeId: b.userId }));
    expect(created.statusCode).toBe(400);
    expect((await a.client.get(`/api/complaints/${randomUUID()}`)).statusCode).toBe(404);
  });
});
