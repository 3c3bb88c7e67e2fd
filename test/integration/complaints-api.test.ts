import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, sampleComplaint, signupTenant, TestClient } from '../helpers/http.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe(`complaint API (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('creates a complaint by hand with its deadlines, reference and first message', async () => {
    const { client } = await signupTenant(env.app);
    const res = await client.post('/api/complaints', sampleComplaint());
    expect(res.statusCode, res.body).toBe(201);
    const c = res.json();
    expect(c.reference).toMatch(/^REC-2026-000001$/);
    // Sent Monday 2 March 2026: 10 jours ouvrables (Mon–Sat, no holiday) → Friday 13 March; +2 months → 2 May.
    expect(c.sentOn).toBe('2026-03-02');
    expect(c.sentOnSource).toBe('sent');
    expect(c.deadlines.ackDueOn).toBe('2026-03-13');
    expect(c.deadlines.answerDueOn).toBe('2026-05-02');
    expect(c.status).toBe('nouvelle');
    expect(c.processId).not.toBeNull();

    const detail = (await client.get(`/api/complaints/${c.id}`)).json();
    expect(detail.customer.displayName).toBe('Jeanne Dupont');
    expect(detail.customer.identities).toEqual(
      expect.arrayContaining([
        { kind: 'email', value: 'jeanne.dupont@example.fr' },
        { kind: 'phone', value: '+33612345678' },
        { kind: 'contract', value: 'SAN20240042' },
      ]),
    );
    expect(detail.messages).toHaveLength(1);
    expect(detail.messages[0].direction).toBe('inbound');
    expect(detail.events.map((e: { type: string }) => e.type)).toContain('complaint.created');
    expect(detail.process.name).toContain('Indemnisation');
  });

  it('answers French validation errors per field', async () => {
    const { client } = await signupTenant(env.app);
    const res = await client.post('/api/complaints', {
      channel: 'fax',
      complainant: { name: 'J' },
      description: 'x',
      sentOn: '2026-02-30',
    });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe('validation');
    expect(Object.keys(body.fields)).toEqual(expect.arrayContaining(['channel', 'complainant.name', 'description', 'sentOn']));
    expect(body.fields.sentOn).toContain('AAAA-MM-JJ');
    expect(body.fields['complainant.name']).toContain('nom');

    const bad = await client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Paul', email: 'pas-une-adresse' } }));
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fields['complainant.email']).toBe('Adresse email invalide.');

    const future = await client.post('/api/complaints', sampleComplaint({ sentOn: '2026-03-20' }));
    expect(future.statusCode).toBe(400);
    expect(future.json().fields.sentOn).toMatch(/postérieure/);
  });

  it('links the same person written three ways to one customer', async () => {
    const { client } = await signupTenant(env.app);
    const ids = new Set<string>();
    for (const phone of ['06 12 34 56 78', '+33 6 12 34 56 78', '0033612345678']) {
      const res = await client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Marc Petit', phone }, contractNumber: null }));
      expect(res.statusCode, res.body).toBe(201);
      ids.add(res.json().customerId);
    }
    expect(ids.size).toBe(1);
  });

  it('lists with filters, full-text search in French, sort and cursor pagination', async () => {
    const { client } = await signupTenant(env.app);
    const made: string[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await client.post(
        '/api/complaints',
        sampleComplaint({
          receivedAt: `2026-03-${String(10 + i).padStart(2, '0')}T10:00:00+01:00`,
          sentOn: `2026-03-${String(9 + i).padStart(2, '0')}`,
          product: i % 2 === 0 ? 'auto' : 'habitation',
          description: i === 3 ? 'Le dégât des eaux dans ma cuisine n’est toujours pas indemnisé.' : `Réclamation numéro ${i} sur mon contrat.`,
          complainant: { name: `Client ${i}`, email: `client${i}@example.fr` },
          contractNumber: null,
        }),
      );
      made.push(res.json().reference);
    }
    const all = (await client.get('/api/complaints?limit=3')).json();
    expect(all.total).toBe(7);
    expect(all.items.map((x: { reference: string }) => x.reference)).toEqual([made[6], made[5], made[4]]);
    const seen = [...all.items];
    let cursor = all.nextCursor;
    while (cursor) {
      const page = (await client.get(`/api/complaints?limit=3&cursor=${cursor}`)).json();
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen.map((x) => x.reference)).toEqual([...made].reverse());

    const autos = (await client.get('/api/complaints?product=auto')).json();
    expect(autos.total).toBe(4);
    // French stemming: "dégâts" and "indemnisation" find "dégât … indemnisé".
    const found = (await client.get(`/api/complaints?q=${encodeURIComponent('dégâts indemnisation')}`)).json();
    expect(found.items.map((x: { reference: string }) => x.reference)).toEqual([made[3]]);
    const byRef = (await client.get(`/api/complaints?q=${made[2]}`)).json();
    expect(byRef.items[0].reference).toBe(made[2]);
    const asc = (await client.get('/api/complaints?sort=receivedAt&limit=2')).json();
    expect(asc.items[0].reference).toBe(made[0]);
    const bad = await client.get('/api/complaints?status=inconnu');
    expect(bad.statusCode).toBe(400);
  });

  it('changes status along the rules, with outcome and reopen reason, writing events', async () => {
    const { client } = await signupTenant(env.app);
    const { client: agent } = await addUser(env.app, client, 'agent');
    const c = (await agent.post('/api/complaints', sampleComplaint())).json();
    const url = `/api/complaints/${c.id}/status`;
    expect((await agent.post(url, { status: 'en_cours' })).statusCode).toBe(200);
    const noOutcome = await agent.post(url, { status: 'resolue' });
    expect(noOutcome.statusCode).toBe(422);
    expect(noOutcome.json().error).toBe('outcome_required');
    const resolved = await agent.post(url, { status: 'resolue', outcome: 'partiel' });
    expect(resolved.statusCode).toBe(200);
    expect(resolved.json().answeredAt).not.toBeNull();
    expect((await agent.post(url, { status: 'cloturee' })).json().closedAt).not.toBeNull();
    // An agent may not reopen a closed complaint; a manager may, with a reason.
    const agentReopen = await agent.post(url, { status: 'en_cours', reason: 'Le client conteste' });
    expect(agentReopen.statusCode).toBe(422);
    const noReason = await client.post(url, { status: 'en_cours' });
    expect(noReason.statusCode).toBe(422);
    const reopened = await client.post(url, { status: 'en_cours', reason: 'Le client conteste la réponse' });
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json().closedAt).toBeNull();
    const jump = await client.post(url, { status: 'nouvelle' });
    expect(jump.statusCode).toBe(422);
    const events = (await client.get(`/api/complaints/${c.id}`)).json().events.filter((e: { type: string }) => e.type === 'complaint.status_changed');
    expect(events.map((e: { data: { after: string } }) => e.data.after)).toEqual(['en_cours', 'resolue', 'cloturee', 'en_cours']);
    expect(events[3].data.reason).toBe('Le client conteste la réponse');
  });

  it('updates fields (before → after), recomputes deadlines, assigns, notes, attachments', async () => {
    const { client, admin } = await signupTenant(env.app);
    const c = (await client.post('/api/complaints', sampleComplaint())).json();
    const patched = await client.patch(`/api/complaints/${c.id}`, { sentOn: '2026-02-27', priority: 'haute', cause: 'delai' });
    expect(patched.statusCode, patched.body).toBe(200);
    // Sent Friday 27 Feb: 10 jours ouvrables → Wednesday 11 March; +2 months → 27 April.
    expect(patched.json().deadlines.ackDueOn).toBe('2026-03-11');
    expect(patched.json().deadlines.answerDueOn).toBe('2026-04-27');
    expect(patched.json().processId).not.toBe(c.processId);

    expect((await client.post(`/api/complaints/${c.id}/assign`, { assigneeId: admin.id })).json().assigneeId).toBe(admin.id);
    const note = await client.post(`/api/complaints/${c.id}/notes`, { text: 'Appelé la cliente, elle envoie le devis.' });
    expect(note.statusCode).toBe(201);
    const empty = await client.post(`/api/complaints/${c.id}/notes`, { text: '   ' });
    expect(empty.statusCode).toBe(400);

    const boundary = 'XyZ123';
    const payload =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="devis é.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 devis\r\n` +
      `--${boundary}--\r\n`;
    const up = await client.raw({
      method: 'POST',
      url: `/api/complaints/${c.id}/attachments`,
      payload,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    expect(up.statusCode, up.body).toBe(201);
    const att = up.json().items[0];
    expect(att.sizeBytes).toBe('%PDF-1.4 devis'.length);
    expect(att.sha256).toMatch(/^[0-9a-f]{64}$/);
    const down = await client.get(`/api/complaints/${c.id}/attachments/${att.id}`);
    expect(down.statusCode).toBe(200);
    expect(down.body).toBe('%PDF-1.4 devis');
    expect(down.headers['content-disposition']).toContain("filename*=UTF-8''devis%20%C3%A9.pdf");
    expect((await client.delete(`/api/complaints/${c.id}/attachments/${att.id}`)).statusCode).toBe(204);
    expect((await client.get(`/api/complaints/${c.id}/attachments/${att.id}`)).statusCode).toBe(404);

    const detail = (await client.get(`/api/complaints/${c.id}`)).json();
    const types = detail.events.map((e: { type: string }) => e.type);
    expect(types).toEqual(expect.arrayContaining(['complaint.requalified', 'complaint.assigned', 'note.added', 'attachment.added', 'attachment.removed']));
    const upd = detail.events.find((e: { type: string }) => e.type === 'complaint.requalified');
    expect(upd.data.before.priority).toBe('normale');
    expect(upd.data.after.priority).toBe('haute');
    expect(detail.attachments[0].removedAt).not.toBeNull();
    expect(detail.timeline.length).toBeGreaterThanOrEqual(detail.messages.length + detail.events.length);
  });

  it('refuses anonymous calls and state changes without the CSRF token', async () => {
    const anon = new TestClient(env.app);
    expect((await anon.get('/api/complaints')).statusCode).toBe(401);
    const { client } = await signupTenant(env.app);
    const noCsrf = await client.raw({ method: 'POST', url: '/api/complaints', payload: sampleComplaint(), csrf: false });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error).toBe('csrf');
  });
});
