import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { sampleComplaint, signupTenant, type TestClient } from '../helpers/http.ts';
import { submitForm } from '../helpers/inbound.ts';
import { acceptInbound, inboundOutcome } from '../../src/intake/journal.ts';

const mode = `${process.env.DATABASE_URL ? 'postgres' : 'pglite'} + ${process.env.REDIS_URL ? 'bullmq' : 'in-process queue'}`;
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

async function tenant(): Promise<{ client: TestClient; tenantId: string }> {
  const t = await signupTenant(env.app);
  return { client: t.client, tenantId: t.tenant.id };
}

const DEGAT = 'Le dégât des eaux du 3 mars dans ma cuisine n’est toujours pas indemnisé, l’expert est passé il y a un mois.';

describe(`intake rules (${mode})`, () => {
  it('makes one complaint of an exact duplicate (double submit, provider retry)', async () => {
    const { client, tenantId } = await tenant();
    const first = await submitForm(env.deps, tenantId, { name: 'Alice Martin', email: 'alice@example.fr', description: DEGAT });
    expect(first.outcome.status).toBe('processed');
    expect(first.outcome.reference).toMatch(/^REC-\d{4}-000001$/);
    const again = await submitForm(env.deps, tenantId, { name: 'Alice Martin', email: 'alice@example.fr', description: DEGAT }, { key: first.key });
    expect(again.accepted.duplicate).toBe(true);
    expect(again.outcome.complaintId).toBe(first.outcome.complaintId);
    expect((await client.get('/api/complaints')).json().total).toBe(1);
    const detail = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json();
    expect(detail.messages).toHaveLength(1);
    expect(detail.complaint.channel).toBe('webform');
  });

  it('threads a follow-up by the reference token in the text, and by the tracking page', async () => {
    const { client, tenantId } = await tenant();
    const first = await submitForm(env.deps, tenantId, { name: 'Bruno Leroy', email: 'bruno@example.fr', description: DEGAT });
    const ref = first.outcome.reference!;
    const byToken = await submitForm(env.deps, tenantId, { name: 'Bruno Leroy', email: 'bruno@example.fr', description: `Suite à ma réclamation [${ref}], voici la facture du plombier.` });
    expect(byToken.outcome.complaintId).toBe(first.outcome.complaintId);
    const { tracking_token: tracking } = await env.deps.db
      .selectFrom('complaints')
      .select('tracking_token')
      .where('id', '=', first.outcome.complaintId!)
      .executeTakeFirstOrThrow();
    const byPage = await submitForm(env.deps, tenantId, { description: 'J’ajoute la photo du plafond.' }, { trackingToken: tracking });
    expect(byPage.outcome.complaintId).toBe(first.outcome.complaintId);
    const after = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json();
    expect(after.messages).toHaveLength(3);
    expect(after.events.filter((e: { type: string }) => e.type === 'message.received').map((e: { data: { via: string } }) => e.data.via)).toEqual(['reference', 'tracking']);
    expect((await client.get('/api/complaints')).json().total).toBe(1);
  });

  it('threads an email reply by its headers (the customer’s Message-ID, or our guichet.<reference> id), or by the subject token', async () => {
    const { client, tenantId } = await tenant();
    const mail = (headers: string[], body: string) =>
      new TextEncoder().encode([...headers, 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', body, ''].join('\r\n'));
    const send = async (id: string, headers: string[], body: string) => {
      await acceptInbound(env.deps, { tenantId, channel: 'email', externalId: id, payload: mail([`Message-ID: <${id}>`, ...headers], body), contentType: 'message/rfc822' });
      await env.deps.queue.drain();
      return inboundOutcome(env.deps, tenantId, 'email', id);
    };
    const from = 'From: Léa Fontaine <lea.fontaine@example.fr>';
    const first = await send('m1@example.fr', [from, 'Subject: Sinistre auto', 'Date: Mon, 02 Mar 2026 09:00:00 +0100'], 'Mon véhicule est immobilisé depuis deux semaines, aucun expert.');
    expect(first.status).toBe('processed');
    const reply = await send('m2@example.fr', [from, 'Subject: Re: Sinistre auto', 'In-Reply-To: <m1@example.fr>', 'References: <m1@example.fr>'], 'Une photo de plus.');
    expect(reply.complaintId).toBe(first.complaintId);
    const ours = await send('m3@example.fr', [from, 'Subject: Re: votre accusé', `In-Reply-To: <guichet.${first.reference}.ack.k3f9x@cabinet.example>`], 'Merci, mais toujours rien.');
    expect(ours.complaintId).toBe(first.complaintId);
    const subjectOnly = await send('m4@example.fr', [from, `Subject: Re: [${first.reference}] Sinistre auto`], 'Mon client mail a perdu les en-têtes.');
    expect(subjectOnly.complaintId).toBe(first.complaintId);
    const vias = (await client.get(`/api/complaints/${first.complaintId}`)).json().events
      .filter((e: { type: string }) => e.type === 'message.received')
      .map((e: { data: { via: string } }) => e.data.via);
    expect(vias).toEqual(['headers', 'headers', 'reference']);
  });

  it('links the same person written 06 12 34 56 78, +33 6 12 34 56 78 and 0033612345678', async () => {
    const { client, tenantId } = await tenant();
    const texts = ['Mon pare-brise est fissuré, le bris de glace est refusé.', 'Je veux résilier mon contrat habitation à l’échéance.', 'Mon remboursement dentaire n’est jamais arrivé.'];
    const phones = ['06 12 34 56 78', '+33 6 12 34 56 78', '0033612345678'];
    const customers = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await submitForm(env.deps, tenantId, { name: 'Chloé Bernard', phone: phones[i]!, description: texts[i]! });
      customers.add(r.outcome.customerId!);
    }
    expect(customers.size).toBe(1);
    // Three different matters: three complaints for one customer.
    expect((await client.get(`/api/complaints?customerId=${[...customers][0]}`)).json().total).toBe(3);
  });

  it('turns identities pointing to different customers into a merge suggestion, never a silent merge', async () => {
    const { client, tenantId } = await tenant();
    const a = await submitForm(env.deps, tenantId, { name: 'David Petit', email: 'david@example.fr', description: 'Ma franchise auto est trop élevée.' });
    const b = await submitForm(env.deps, tenantId, { name: 'D. Petit', phone: '07 81 22 33 44', description: 'Mon chien n’est pas remboursé chez le vétérinaire.' });
    expect(a.outcome.customerId).not.toBe(b.outcome.customerId);
    const both = await submitForm(env.deps, tenantId, { name: 'David Petit', email: 'david@example.fr', phone: '+33781223344', description: 'Question sur mon assurance voyage annulation.' });
    expect(both.outcome.customerId).toBe(a.outcome.customerId); // the email decides
    const suggestions = (await client.get('/api/merge-suggestions')).json().items;
    expect(suggestions).toHaveLength(1);
    expect(new Set([suggestions[0].customerId, suggestions[0].otherCustomerId])).toEqual(new Set([a.outcome.customerId, b.outcome.customerId]));
    // Still two customers until an agent decides; accepting merges, undo puts everything back.
    const accepted = await client.post(`/api/merge-suggestions/${suggestions[0].id}/accept`);
    expect(accepted.statusCode, accepted.body).toBe(200);
    const kept = accepted.json().keptCustomerId;
    expect((await client.get(`/api/complaints?customerId=${kept}`)).json().total).toBe(3);
    expect((await client.post(`/api/customer-merges/${accepted.json().mergeId}/undo`)).statusCode).toBe(204);
    expect((await client.get(`/api/complaints?customerId=${b.outcome.customerId}`)).json().total).toBe(1);
    const file = (await client.get(`/api/customers/${b.outcome.customerId}`)).json();
    expect(file.identities).toContainEqual({ kind: 'phone', value: '+33781223344' });
    // The customer file keeps the merge history, undone included.
    const keptFile = (await client.get(`/api/customers/${kept}`)).json();
    expect(keptFile.merges).toEqual([expect.objectContaining({ id: accepted.json().mergeId, keptCustomerId: kept, by: expect.any(String), undoneAt: expect.any(String) })]);
  });

  it('attaches the same matter raised on another channel to the open complaint, with reason and score, and can split it back', async () => {
    const { client, tenantId } = await tenant();
    const made = await client.post('/api/complaints', sampleComplaint({ channel: 'email', complainant: { name: 'Emma Roux', email: 'emma@example.fr' }, contractNumber: null, description: DEGAT, sentOn: null, receivedAt: undefined }));
    expect(made.statusCode, made.body).toBe(201);
    const original = made.json();
    const sms = 'bonjour toujours pas d’indemnisation pour le degat des eaux de ma cuisine, l’expert est passé depuis un mois';
    const r = await submitForm(env.deps, tenantId, { name: 'Emma Roux', email: 'emma@example.fr', description: sms });
    expect(r.outcome.complaintId).toBe(original.id);
    const detail = (await client.get(`/api/complaints/${original.id}`)).json();
    const ev = detail.events.find((e: { type: string }) => e.type === 'message.attached_as_related');
    expect(ev.data.reason).toBe('textes proches');
    expect(ev.data.score).toBeGreaterThanOrEqual(0.5);
    expect(detail.timeline.some((t: { kind: string; event?: { type: string } }) => t.event?.type === 'message.attached_as_related')).toBe(true);
    const split = await client.post(`/api/complaints/${original.id}/messages/${r.outcome.messageId}/split`);
    expect(split.statusCode, split.body).toBe(201);
    expect(split.json().reference).not.toBe(original.reference);
    expect((await inboundOutcome(env.deps, tenantId, 'webform', r.key)).complaintId).toBe(split.json().id);
    const refused = await client.post(`/api/complaints/${original.id}/messages/${detail.messages[0].id}/split`);
    expect(refused.statusCode).toBe(422);
  });

  it('does not attach a different customer, a different matter, or a closed complaint', async () => {
    const { client, tenantId } = await tenant();
    const base = await submitForm(env.deps, tenantId, { name: 'Fanny Morel', email: 'fanny@example.fr', description: DEGAT });
    const otherCustomer = await submitForm(env.deps, tenantId, { name: 'Gilles Morel', email: 'gilles@example.fr', description: DEGAT });
    expect(otherCustomer.outcome.complaintId).not.toBe(base.outcome.complaintId);
    const otherMatter = await submitForm(env.deps, tenantId, { name: 'Fanny Morel', email: 'fanny@example.fr', description: 'Je souhaite résilier mon assurance auto et recevoir mon relevé d’information.' });
    expect(otherMatter.outcome.complaintId).not.toBe(base.outcome.complaintId);
    // Closed: the same text later opens a new complaint.
    const url = `/api/complaints/${base.outcome.complaintId}/status`;
    await client.post(url, { status: 'resolue', outcome: 'accepte' });
    await client.post(url, { status: 'cloturee' });
    const afterClose = await submitForm(env.deps, tenantId, { name: 'Fanny Morel', email: 'fanny@example.fr', description: DEGAT });
    expect(afterClose.outcome.complaintId).not.toBe(base.outcome.complaintId);
    expect((await client.get('/api/complaints')).json().total).toBe(4);
  });

  it('takes the duplicate window and threshold from the tenant settings', async () => {
    const { client, tenantId } = await tenant();
    const bad = await client.patch('/api/settings', { intake: { duplicateThreshold: 2 } });
    expect(bad.statusCode).toBe(400);
    const set = await client.patch('/api/settings', { intake: { duplicateWindowDays: 0 } });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().intake).toEqual({ duplicateWindowDays: 0, duplicateThreshold: 0.5, conversationWindowDays: 30 });
    const a = await submitForm(env.deps, tenantId, { name: 'Sarah Klein', email: 'sarah@example.fr', description: DEGAT });
    const b = await submitForm(env.deps, tenantId, { name: 'Sarah Klein', email: 'sarah@example.fr', description: DEGAT.replace('cuisine', 'salle de bains') });
    expect(b.outcome.complaintId).not.toBe(a.outcome.complaintId);
    expect((await client.get('/api/settings')).json().zone).toBe('metropole');
  });

  it('runs the clock from the earliest sending date of the complaint’s messages', async () => {
    const { client, tenantId } = await tenant();
    const first = await submitForm(env.deps, tenantId, { name: 'Hugo Lambert', email: 'hugo@example.fr', description: DEGAT }, { submittedAt: new Date('2026-03-09T10:00:00+01:00') });
    const c1 = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json().complaint;
    expect(c1.sentOn).toBe('2026-03-09');
    // A letter about the same complaint, sent earlier (postmark 2 March), recorded with the reference.
    await submitForm(env.deps, tenantId, { name: 'Hugo Lambert', email: 'hugo@example.fr', description: `Courrier du 2 mars concernant ${first.outcome.reference}` }, { submittedAt: new Date('2026-03-02T09:00:00+01:00') });
    const c2 = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json();
    // Sent Monday 2 March: 10 jours ouvrables → Friday 13 March; answer 2 May.
    expect(c2.complaint.sentOn).toBe('2026-03-02');
    expect(c2.complaint.deadlines.ackDueOn).toBe('2026-03-13');
    expect(c2.complaint.deadlines.answerDueOn).toBe('2026-05-02');
    expect(c2.events.some((e: { type: string }) => e.type === 'complaint.clock_moved')).toBe(true);
  });

  it('quarantines an unreadable payload with its reason, keeps going, and replays it', async () => {
    const { client, tenantId } = await tenant();
    const bad = await acceptInbound(env.deps, { tenantId, channel: 'webform', externalId: 'broken-1', payload: new TextEncoder().encode('{"v":1,"oops"'), contentType: 'application/vnd.guichet.webform+json' });
    const good = await submitForm(env.deps, tenantId, { name: 'Inès Girard', email: 'ines@example.fr', description: DEGAT });
    expect(good.outcome.status).toBe('processed');
    const outcome = await inboundOutcome(env.deps, tenantId, 'webform', 'broken-1');
    expect(outcome.status).toBe('quarantined');
    expect(outcome.reason).toMatch(/illisible/);
    const list = (await client.get('/api/inbound/quarantine')).json();
    expect(list.items.map((i: { id: string }) => i.id)).toEqual([bad.journalId]);
    const api = (await client.get('/api/inbound?channel=webform&externalId=broken-1')).json();
    expect(api).toMatchObject({ status: 'quarantined', complaintId: null, reference: null });
    // "After a fix": here the payload itself is repaired in place, then replayed.
    const { buildWebformPayload } = await import('../../connectors/webform/payload.ts');
    const fixed = buildWebformPayload({ tenantId, kind: 'complaint', fields: { name: 'Jules Faure', email: 'jules@example.fr', description: 'Mon contrat prévoyance ne couvre pas mon arrêt.' }, files: [], submittedAt: new Date() });
    await env.deps.db.updateTable('inbound_journal').set({ payload: fixed.payload }).where('id', '=', bad.journalId).execute();
    const replay = await client.post(`/api/inbound/${bad.journalId}/replay`);
    expect(replay.statusCode, replay.body).toBe(202);
    await env.deps.queue.drain();
    const replayed = (await client.get('/api/inbound?channel=webform&externalId=broken-1')).json();
    expect(replayed.status).toBe('processed');
    expect(replayed.reference).toMatch(/^REC-/);
    expect((await client.get('/api/inbound/quarantine')).json().items).toEqual([]);
  });

  it('flags a message that quotes a reference from another sender, and raises a merge suggestion', async () => {
    const { client, tenantId } = await tenant();
    const first = await submitForm(env.deps, tenantId, { name: 'Karim Benali', email: 'karim@example.fr', description: DEGAT });
    const stranger = await submitForm(env.deps, tenantId, { name: 'Quelqu’un', email: 'inconnu@example.org', description: `Au sujet de ${first.outcome.reference}, donnez-moi le détail du dossier.` });
    expect(stranger.outcome.complaintId).toBe(first.outcome.complaintId);
    const msg = await env.deps.db.selectFrom('messages').select(['review_reason', 'customer_id']).where('id', '=', stranger.outcome.messageId!).executeTakeFirstOrThrow();
    expect(msg.review_reason).toMatch(/vérifiez son identité/);
    expect(msg.customer_id).not.toBe(first.outcome.customerId);
    const suggestions = (await client.get('/api/merge-suggestions')).json().items;
    expect(suggestions.map((s: { reason: string }) => s.reason)).toEqual(['sender_differs_from_complaint_customer']);
    // Even the customer's own address, typed in the public form, proves nothing: held for a check too.
    const typed = await submitForm(env.deps, tenantId, { name: 'Karim Benali', email: 'karim@example.fr', description: `Pour ${first.outcome.reference} : voici mon RIB.` });
    expect(typed.outcome.complaintId).toBe(first.outcome.complaintId);
    const detail = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json();
    const held = detail.messages.find((x: { id: string }) => x.id === typed.outcome.messageId);
    expect(held.reviewReason).toMatch(/non vérifiés/);
    const url = `/api/complaints/${first.outcome.complaintId}/messages/${typed.outcome.messageId}/confirm-sender`;
    expect((await client.post(url)).statusCode).toBe(204);
    expect((await client.post(url)).statusCode).toBe(422);
    const after = (await client.get(`/api/complaints/${first.outcome.complaintId}`)).json();
    expect(after.messages.find((x: { id: string }) => x.id === typed.outcome.messageId).reviewReason).toBeNull();
    expect(after.events.some((e: { type: string }) => e.type === 'message.sender_confirmed')).toBe(true);
  });
});
