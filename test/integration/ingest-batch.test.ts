import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signup } from '../../src/services/accounts.ts';
import { acceptInbound } from '../../src/intake/journal.ts';
import { ingestBatch, ingestJournal } from '../../src/intake/ingest.ts';
import { qualifyBatch, qualifyMessage } from '../../src/classify/apply.ts';
import { listPendingJournal } from '../../src/db/repositories/inbound.ts';
import { getTenant } from '../../src/db/repositories/tenants.ts';
import { buildWebformPayload } from '../../connectors/webform/payload.ts';

/**
 * The batch path (many journal rows in one transaction, decisions made in memory) must give exactly what
 * the rows give ingested one by one: same complaints and references, same threading, same customers,
 * same related attachments, same merge suggestions, same qualification.
 */
const mode = `${process.env.DATABASE_URL ? 'postgres' : 'pglite'}`;
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv({ workers: false });
});
afterAll(async () => {
  await env?.close();
});

const DEGAT = 'Le dégât des eaux du 3 mars dans ma cuisine n’est toujours pas indemnisé, l’expert est passé il y a un mois.';
const DEGAT_SMS = 'bonjour toujours pas d’indemnisation pour le degat des eaux de ma cuisine, l’expert est passé depuis un mois';
const FRANCHISE = 'La franchise appliquée sur mon sinistre auto est bien plus élevée que prévu au contrat.';
const RESILIATION = 'Je souhaite résilier mon assurance habitation à l’échéance et recevoir mon relevé.';
const VETO = 'Les frais vétérinaires de mon chien ont été refusés sans explication par la mutuelle animale.';

type Item = { channel: 'email' | 'webform'; externalId: string; payload: Uint8Array; contentType: string };

function email(id: string, from: string, subject: string, text: string, extra: string[] = []): Item {
  const mime = [`From: ${from}`, 'To: reclamations@cabinet.example', `Subject: ${subject}`, `Message-ID: <${id}>`, ...extra, 'Date: Mon, 30 Nov 2026 10:00:00 +0100', 'MIME-Version: 1.0', 'Content-Type: text/plain; charset=UTF-8', '', text, ''].join('\r\n');
  return { channel: 'email', externalId: id, payload: new TextEncoder().encode(mime), contentType: 'message/rfc822' };
}

function form(tenantId: string, key: string, fields: { name?: string; email?: string; phone?: string; description: string }): Item {
  const { payload, contentType } = buildWebformPayload({ tenantId, kind: 'complaint', fields, files: [], submittedAt: new Date('2026-11-30T09:00:00Z') });
  return { channel: 'webform', externalId: key, payload, contentType };
}

/** Before the batch: one complaint the batch's messages can refer to by its reference. */
const before = (tenantId: string) => [form(tenantId, 'before-1', { name: 'Zoé Lenoir', email: 'zoe@example.fr', description: VETO })];

function corpus(tenantId: string, earlierReference: string): Item[] {
  return [
    email('m1@example.fr', 'Alice Martin <alice@example.fr>', 'Sinistre auto', FRANCHISE),
    // A reply to a message of the same batch, by its headers, from the same customer: trusted.
    email('m2@example.fr', 'Alice Martin <alice@example.fr>', 'Re: Sinistre auto', 'Voici le constat amiable.', ['In-Reply-To: <m1@example.fr>', 'References: <m1@example.fr>']),
    // The same Message-ID journaled again under another key (a second mailbox): an exact duplicate.
    { ...email('m1@example.fr', 'Alice Martin <alice@example.fr>', 'Sinistre auto', FRANCHISE), externalId: 'copy-of-m1' },
    // The same customer twice in the batch, the same matter on two channels: related.
    form(tenantId, 'f-bob-1', { name: 'Bob Durand', email: 'bob@example.fr', description: DEGAT }),
    email('m3@example.fr', 'Bob Durand <bob@example.fr>', 'Dégât des eaux', DEGAT_SMS),
    // Same customer, another matter: a second complaint.
    form(tenantId, 'f-bob-2', { name: 'Bob Durand', email: 'bob@example.fr', description: RESILIATION }),
    // Someone else replying to Alice's thread: joins, flagged, merge suggestion.
    email('m4@example.fr', 'Carole Petit <carole@example.fr>', 'Re: Sinistre auto', 'Je suis la conjointe, où en est le dossier ?', ['In-Reply-To: <m2@example.fr>']),
    // Two customers of the batch, then one message holding both identities: identities_conflict.
    form(tenantId, 'f-dave', { name: 'David Roux', email: 'dave@example.fr', description: FRANCHISE }),
    form(tenantId, 'f-erin', { name: 'Erin Roux', phone: '06 11 22 33 44', description: RESILIATION }),
    form(tenantId, 'f-both', { name: 'David Roux', email: 'dave@example.fr', phone: '+33611223344', description: VETO }),
    // A follow-up quoting the reference of a complaint from before the batch, by its customer, by email.
    email('m5@example.fr', 'Zoé Lenoir <zoe@example.fr>', `Re: [${earlierReference}] ma réclamation`, 'Je relance, sans réponse sous huit jours je saisis le médiateur.'),
    // The same reference quoted by a stranger through the form: flagged for a check.
    form(tenantId, 'f-stranger', { name: 'Inconnu', email: 'inconnu@example.org', description: `Au sujet de ${earlierReference}, donnez-moi le détail.` }),
    // A reply to a message that does not exist and a new customer: a new complaint.
    email('m6@example.fr', 'Fanny Morel <fanny@example.fr>', 'Re: rien', FRANCHISE, ['In-Reply-To: <unknown@example.fr>']),
  ];
}

async function newTenant(label: string) {
  const { tenant } = await signup(env.deps, { companyName: `Cabinet Lot ${label}`, managerName: 'Lot', email: `lot-${label}-${Date.now()}@example.fr`, plan: 'enterprise', password: 'password-assez-long' });
  return tenant;
}

let t = Date.parse('2026-11-30T10:00:00Z');
async function accept(tenantId: string, items: Item[]): Promise<void> {
  for (const item of items) await acceptInbound(env.deps, { tenantId, ...item, receivedAt: new Date((t += 1000)) });
}

/** Everything observable of a tenant's intake, with ids replaced by stable labels. */
async function snapshot(tenantId: string) {
  const db = env.deps.db;
  const journal = await db.selectFrom('inbound_journal').selectAll().where('tenant_id', '=', tenantId).orderBy('received_at').execute();
  const complaints = await db.selectFrom('complaints').selectAll().where('tenant_id', '=', tenantId).orderBy('reference').execute();
  const messages = await db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).execute();
  const suggestions = await db.selectFrom('merge_suggestions').selectAll().where('tenant_id', '=', tenantId).execute();
  const events = await db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).orderBy('id').execute();
  const identities = await db.selectFrom('customer_identities').selectAll().where('tenant_id', '=', tenantId).orderBy('kind').orderBy('value').execute();
  const reference = new Map(complaints.map((c) => [c.id, c.reference]));
  // A customer is named by the first journal row whose message it sent.
  const customer = new Map<string, string>();
  for (const j of journal) {
    const m = messages.find((x) => x.id === j.message_id);
    if (m?.customer_id && !customer.has(m.customer_id)) customer.set(m.customer_id, j.external_id);
  }
  const name = (id: string | null) => (id ? (customer.get(id) ?? 'other') : null);
  return {
    journal: journal.map((j) => {
      const m = messages.find((x) => x.id === j.message_id);
      return { key: j.external_id, status: j.status, complaint: j.complaint_id ? reference.get(j.complaint_id) : null, via: (m?.meta as { via?: string } | undefined)?.via ?? null, review: m?.review_reason ?? null, customer: name(m?.customer_id ?? null) };
    }),
    complaints: complaints.map((c) => ({ reference: c.reference, customer: name(c.customer_id), channel: c.channel, kind: c.kind, cause: c.cause, product: c.product, priority: c.priority, sentOn: c.sent_on, triage: c.triage_reason })),
    suggestions: suggestions.map((s) => `${s.reason} ${name(s.customer_id)}~${name(s.other_customer_id)}`).sort(),
    identities: identities.map((i) => `${i.kind}:${i.value}=${name(i.customer_id)}`),
    // Ingestion events in their order; qualification events come after the batch, so compared as a set.
    events: complaints.map((c) => {
      const mine = events.filter((e) => e.complaint_id === c.id).map((e) => e.type);
      const later = (t: string) => t === 'complaint.qualified' || t === 'complaint.triage' || t === 'complaint.escalated' || t === 'complaint.assigned';
      return { reference: c.reference, ingest: mine.filter((t) => !later(t)), qualification: mine.filter(later).sort() };
    }),
    customers: (await db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow()).n,
  };
}

describe(`batch ingestion (${mode})`, () => {
  it('gives the outcome of one-by-one ingestion: threading, dedup, customers, related, merge suggestions, references, qualification', async () => {
    const serial = await newTenant('un-par-un');
    const batched = await newTenant('par-lot');

    // The same earlier complaint in both tenants.
    for (const tenant of [serial, batched]) {
      await accept(tenant.id, before(tenant.id));
      for (const row of await listPendingJournal(env.deps.db, tenant.id, 10)) {
        const r = await ingestJournal(env.deps, row.id);
        await qualifyMessage(env.deps, tenant.id, r.messageId!);
      }
    }
    const earlier = (await env.deps.db.selectFrom('complaints').select('reference').where('tenant_id', '=', serial.id).executeTakeFirstOrThrow()).reference;

    // One by one.
    await accept(serial.id, corpus(serial.id, earlier));
    for (const row of await listPendingJournal(env.deps.db, serial.id, 100)) {
      const r = await ingestJournal(env.deps, row.id);
      if (r.status === 'processed') await qualifyMessage(env.deps, serial.id, r.messageId!);
    }

    // All at once: one transaction for the whole corpus, then one qualification transaction.
    await accept(batched.id, corpus(batched.id, earlier));
    const rows = await listPendingJournal(env.deps.db, batched.id, 100);
    expect(rows).toHaveLength(13);
    const outcome = await ingestBatch(env.deps, batched.id, rows);
    expect(outcome.results.size).toBe(13);
    await qualifyBatch(env.deps, (await getTenant(env.deps.db, batched.id))!, outcome.created);
    // Replaying the batch does nothing.
    expect((await ingestBatch(env.deps, batched.id, rows)).results.size).toBe(0);

    // And with the qualification in the ingestion's own transaction (what the ingest job does).
    const fused = await newTenant('par-lot-qualifie');
    await accept(fused.id, before(fused.id));
    for (const row of await listPendingJournal(env.deps.db, fused.id, 10)) expect((await ingestBatch(env.deps, fused.id, [row], { qualify: true })).qualified).toBe(true);
    await accept(fused.id, corpus(fused.id, earlier));
    const fusedOutcome = await ingestBatch(env.deps, fused.id, await listPendingJournal(env.deps.db, fused.id, 100), { qualify: true });
    expect(fusedOutcome.qualified).toBe(true);

    const a = await snapshot(serial.id);
    const b = await snapshot(batched.id);
    expect(b).toEqual(a);
    expect(await snapshot(fused.id)).toEqual(a);

    // And the outcome is the expected one.
    const by = (key: string) => b.journal.find((j) => j.key === key)!;
    const year = earlier.slice(4, 8);
    expect(b.complaints.map((c) => c.reference)).toEqual(Array.from({ length: b.complaints.length }, (_, i) => `REC-${year}-${String(i + 1).padStart(6, '0')}`));
    expect(b.complaints).toHaveLength(8);
    expect(by('m2@example.fr')).toMatchObject({ status: 'processed', via: 'headers', complaint: by('m1@example.fr').complaint, review: null });
    expect(by('copy-of-m1')).toMatchObject({ status: 'duplicate', complaint: by('m1@example.fr').complaint });
    expect(by('m3@example.fr')).toMatchObject({ via: 'related', complaint: by('f-bob-1').complaint, customer: 'f-bob-1' });
    expect(by('f-bob-2')).toMatchObject({ via: 'new', customer: 'f-bob-1' });
    expect(by('f-bob-2').complaint).not.toBe(by('f-bob-1').complaint);
    expect(by('m4@example.fr')).toMatchObject({ via: 'headers', complaint: by('m1@example.fr').complaint, customer: 'm4@example.fr' });
    expect(by('m4@example.fr').review).toMatch(/vérifiez son identité/);
    expect(by('f-both')).toMatchObject({ customer: 'f-dave' });
    expect(by('m5@example.fr')).toMatchObject({ via: 'reference', complaint: earlier, review: null });
    expect(by('f-stranger')).toMatchObject({ via: 'reference', complaint: earlier });
    expect(by('f-stranger').review).toMatch(/vérifiez son identité/);
    expect(by('m6@example.fr')).toMatchObject({ via: 'new' });
    expect(b.suggestions).toEqual([
      'identities_conflict f-dave~f-erin',
      'sender_differs_from_complaint_customer before-1~f-stranger',
      'sender_differs_from_complaint_customer m1@example.fr~m4@example.fr',
    ]);
    // The médiateur threat raised the earlier complaint's priority.
    expect(b.complaints.find((c) => c.reference === earlier)!.priority).not.toBe('normale');
    expect(b.complaints.every((c) => c.cause !== null || c.triage !== null)).toBe(true);
  });
});
