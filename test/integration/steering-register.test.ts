import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, TestClock, type TestEnv } from '../helpers/deps.ts';
import { addUser, signupTenant, type TestClient } from '../helpers/http.ts';
import { generateComplaints, insertComplaintRows, insertCustomers, type GeneratedCustomer } from '../helpers/steering-data.ts';
import { localDateOf } from '../../src/domain/calendar.ts';
import type { Complaint } from '../../src/db/types.ts';

const NOW = new Date('2026-06-17T10:00:00+02:00');
const FROM = '2026-01-01';
const TO = '2026-06-17';

let env: TestEnv;
let manager: TestClient;
let agent: TestClient;
let tenantId: string;
let customers: GeneratedCustomer[];
let actionTitle: string;
let linked: string[];

/** The register rows the API must give, computed from the complaint rows: reclamations received in the period. */
async function expectedRows(): Promise<Complaint[]> {
  const rows = await env.deps.db.selectFrom('complaints').selectAll().where('tenant_id', '=', tenantId).execute();
  return rows
    .filter((c) => c.kind === 'reclamation' && localDateOf(c.received_at) >= FROM && localDateOf(c.received_at) <= TO)
    .sort((a, b) => a.received_at.getTime() - b.received_at.getTime() || (a.id < b.id ? -1 : 1));
}

const fr = (iso: string | null) => (iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '');

/** Share of pixels darker than near-white in a binary PGM (P5) image, as written by `pdftoppm -gray`. */
function inkRatio(pgm: Buffer): number {
  const header = pgm.subarray(0, 64).toString('latin1');
  const m = /^P5\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+(\d+)\s/.exec(header);
  if (!m) throw new Error('not a PGM');
  const [w, h] = [Number(m[1]), Number(m[2])];
  const pixels = pgm.subarray(m[0].length, m[0].length + w * h);
  let ink = 0;
  for (const p of pixels) if (p < 200) ink++;
  return ink / (w * h);
}

beforeAll(async () => {
  env = await createTestEnv({ clock: new TestClock(NOW), workers: false });
  const t = await signupTenant(env.app, 'Cabinet Régistre & Fils');
  tenantId = t.tenant.id;
  manager = (await addUser(env.app, t.client, 'manager')).client;
  agent = (await addUser(env.app, t.client, 'agent')).client;
  const processIds = (await t.client.get('/api/processes')).json().items.map((p: { id: string }) => p.id);
  customers = await insertCustomers(env.deps, tenantId, 40);
  await insertComplaintRows(env.deps, generateComplaints({ tenantId, customers, processIds, userIds: [t.admin.id], now: NOW, n: 260, weeks: 36, seed: 7 }));
  // Corrective measures: an action linked to three complaints of the period.
  linked = (await expectedRows()).slice(3, 6).map((c) => c.id);
  actionTitle = 'Rappel de la procédure d’expertise aux gestionnaires « sinistres »';
  const action = await env.deps.db
    .insertInto('steering_actions')
    .values({ tenant_id: tenantId, title: actionTitle, type: 'corrective', root_cause: 'Délais d’expertise', status: 'terminee', completed_on: '2026-05-04' })
    .returning('id')
    .executeTakeFirstOrThrow();
  await env.deps.db.insertInto('steering_action_complaints').values(linked.map((id) => ({ tenant_id: tenantId, action_id: action.id, complaint_id: id }))).execute();
});
afterAll(async () => {
  await env?.close();
});

describe('complaints register', () => {
  it('is for managers', async () => {
    for (const url of ['/api/register', '/api/register.csv', '/api/register.pdf']) expect((await agent.get(url)).statusCode, url).toBe(403);
  });

  it('lists every complaint of the period (not the requests) with every register field, page by page', async () => {
    const want = await expectedRows();
    expect(want.length).toBeGreaterThan(100);
    const got: Record<string, unknown>[] = [];
    for (let page = 1; ; page++) {
      const res = await manager.get(`/api/register?from=${FROM}&to=${TO}&page=${page}&pageSize=70`);
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.total).toBe(want.length);
      got.push(...body.items);
      if (body.items.length < 70) break;
    }
    expect(got.map((e) => e.id)).toEqual(want.map((c) => c.id));
    const names = new Map(customers.map((c) => [c.id, c]));
    want.forEach((c, i) => {
      const e = got[i] as { correctiveMeasures: { title: string }[] } & Record<string, unknown>;
      expect(e).toMatchObject({
        reference: c.reference,
        complainant: { customerId: c.customer_id, name: names.get(c.customer_id)!.name, emails: [names.get(c.customer_id)!.email], phones: [] },
        sentOn: c.sent_on,
        receivedOn: localDateOf(c.received_at),
        receivedAt: c.received_at.toISOString(),
        channel: c.channel,
        nature: c.nature ?? c.subject,
        cause: c.cause,
        product: c.product,
        contractNumber: c.contract_number,
        status: c.status,
        acknowledgedOn: c.acknowledged_at ? localDateOf(c.acknowledged_at) : null,
        answeredOn: c.answered_at ? localDateOf(c.answered_at) : null,
        outcome: c.outcome,
        closedOn: c.closed_at ? localDateOf(c.closed_at) : null,
      });
      expect(e.correctiveMeasures.map((m: { title: string }) => m.title)).toEqual(linked.includes(c.id) ? [actionTitle] : []);
    });
  });

  it('exports a CSV that French Excel opens: BOM, semicolons, CRLF, accents, the same rows', async () => {
    const res = await manager.get(`/api/register.csv?from=${FROM}&to=${TO}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    expect(res.headers['content-disposition']).toContain(`registre-reclamations-${FROM}-${TO}.csv`);
    const bytes = res.rawPayload;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text.split('\r\n').length).toBeGreaterThan(100);
    expect(text.replace(/\r\n/g, '').includes('\n')).toBe(false);
    const records = parse(bytes, { bom: true, delimiter: ';', columns: true, relax_column_count: false }) as Record<string, string>[];
    const want = await expectedRows();
    expect(records).toHaveLength(want.length);
    expect(Object.keys(records[0]!)).toEqual([
      'Référence', 'Réclamant', 'Qualité du réclamant', 'Email', 'Téléphone', 'Date d’envoi', 'Date de réception', 'Canal',
      'Nature de la réclamation', 'Cause', 'Produit', 'Contrat ou opération concerné', 'Accusé de réception', 'Date de traitement (réponse)',
      'Réponse apportée', 'Statut', 'Date de clôture', 'Mesures correctives',
    ]);
    const names = new Map(customers.map((c) => [c.id, c.name]));
    want.forEach((c, i) => {
      const r = records[i]!;
      expect(r['Référence']).toBe(c.reference);
      expect(r['Réclamant']).toBe(names.get(c.customer_id));
      expect(r['Date de réception']).toBe(fr(localDateOf(c.received_at)));
      expect(r['Date de traitement (réponse)']).toBe(fr(c.answered_at ? localDateOf(c.answered_at) : null));
      expect(r['Contrat ou opération concerné']).toBe(c.contract_number ?? '');
      expect(r['Mesures correctives']).toBe(linked.includes(c.id) ? `${actionTitle} (terminée le 04/05/2026)` : '');
    });
    expect(records.some((r) => /[éèëïç]/.test(r['Réclamant']!))).toBe(true);
    expect(records.some((r) => r['Réponse apportée'] === 'Refusée' || r['Réponse apportée']!.startsWith('Refus'))).toBe(true);
  });

  it('exports a paged PDF with the firm’s header and the totals, that renders with ink on every page', async () => {
    const res = await manager.get(`/api/register.pdf?from=${FROM}&to=${TO}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-register-'));
    try {
      const file = path.join(dir, 'registre.pdf');
      writeFileSync(file, res.rawPayload);
      if (process.env.KEEP_REGISTER_PDF) writeFileSync(process.env.KEEP_REGISTER_PDF, res.rawPayload);
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      const want = await expectedRows();
      expect(text).toContain('Cabinet Régistre & Fils');
      expect(text).toContain('Registre des réclamations');
      expect(text).toContain(`Total : ${want.length} réclamations`);
      expect(text).toContain(want[0]!.reference);
      expect(text).toContain(want[want.length - 1]!.reference);
      const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]);
      expect(pages).toBeGreaterThan(2);
      expect(text).toContain(`page ${pages} sur ${pages}`);
      execFileSync('pdftoppm', ['-gray', '-r', '40', file, path.join(dir, 'p')]);
      const images = readdirSync(dir).filter((f) => f.endsWith('.pgm')).sort();
      expect(images).toHaveLength(pages);
      for (const img of images) {
        const ratio = inkRatio(readFileSync(path.join(dir, img)));
        expect(ratio, img).toBeGreaterThan(0.01);
        expect(ratio, img).toBeLessThan(0.6);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes every export to the audit history with its actor', async () => {
    const events = await env.deps.db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('type', '=', 'register.exported').orderBy('id').execute();
    expect(events.map((e) => (e.data as { format: string }).format)).toEqual(['csv', 'pdf']);
    expect(events.every((e) => e.actor_kind === 'user' && e.actor_user_id !== null)).toBe(true);
    expect(events[0]!.data).toMatchObject({ from: FROM, to: TO, rows: (await expectedRows()).length });
  });
});
