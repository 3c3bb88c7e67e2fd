import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, signupTenant, type TestClient } from '../helpers/http.ts';
import { insertJournal } from '../../src/db/repositories/inbound.ts';
import { acceptInbound } from '../../src/intake/journal.ts';
import { buildWebformPayload, WEBFORM_CONTENT_TYPE } from '../../connectors/webform/payload.ts';
import { checkUpload } from '../../src/http/routes/public/form.ts';
import { CONTENT_SECURITY_POLICY } from '../../src/http/routes/public/html.ts';

const mode = `${process.env.DATABASE_URL ? 'postgres' : 'pglite'} + ${process.env.REDIS_URL ? 'bullmq' : 'in-process queue'}`;
/** Small, so that the "too large" case stays fast: the form's limit is min(MAX_UPLOAD_BYTES, 5 MiB). */
const MAX_UPLOAD = 256 * 1024;

let env: TestEnv;
/** For the tests that create no complaint (signups are rate-limited: 10 an hour per address). */
let shared: Tenant;
beforeAll(async () => {
  env = await createTestEnv({ config: { maxUploadBytes: MAX_UPLOAD } });
  shared = await newTenant();
});
afterAll(async () => {
  await env?.close();
});

// --- multipart by hand ------------------------------------------------------------------------------

type Part = { name: string; value: string } | { name: string; filename: string; content: Buffer; contentType?: string };

function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----guichet${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if ('value' in p) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`, 'utf8'));
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.filename}"\r\n` +
            `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n\r\n`,
          'utf8',
        ),
        p.content,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** A zip with stored (uncompressed) entries: enough for file-type to recognise OOXML / ODF. */
function zipStored(entries: { name: string; data: string }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name);
    const data = Buffer.from(e.data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const EXE = Buffer.concat([Buffer.from('MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00', 'latin1'), Buffer.alloc(44), Buffer.from([0x40, 0, 0, 0]), Buffer.from('PE\x00\x00', 'latin1'), Buffer.alloc(64)]);
const DOCX = zipStored([
  {
    name: '[Content_Types].xml',
    data:
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
  },
  { name: 'word/document.xml', data: '<w:document/>' },
]);
const ODT = zipStored([
  { name: 'mimetype', data: 'application/vnd.oasis.opendocument.text' },
  { name: 'content.xml', data: '<office:document-content/>' },
]);
const ZIP = zipStored([{ name: 'a.txt', data: 'bonjour' }]);

let ipSeq = 0;
/** Each test posts from its own address: the per-IP rate limit must not leak between tests. */
const nextIp = () => `10.1.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

async function post(url: string, parts: Part[], ip: string): Promise<LightMyRequestResponse> {
  const { payload, contentType } = multipart(parts);
  return env.app.inject({ method: 'POST', url, payload, headers: { 'content-type': contentType }, remoteAddress: ip });
}

const get = (url: string) => env.app.inject({ method: 'GET', url });

function keyOf(page: string): string {
  const m = /name="cle" value="([A-Za-z0-9_-]{22})"/.exec(page);
  if (!m) throw new Error('no idempotency key in the page');
  return m[1]!;
}

interface Tenant {
  slug: string;
  id: string;
  admin: TestClient;
  agent: TestClient;
}

async function newTenant(): Promise<Tenant> {
  const t = await signupTenant(env.app);
  const { client: agent } = await addUser(env.app, t.client, 'agent');
  return { slug: t.tenant.slug, id: t.tenant.id, admin: t.client, agent };
}

async function journalCount(tenantId: string): Promise<number> {
  const row = await env.deps.db
    .selectFrom('inbound_journal')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

function complaintParts(key: string, overrides: Record<string, string> = {}, files: Part[] = []): Part[] {
  const fields: Record<string, string> = {
    cle: key,
    nom: 'Jeanne Dupont',
    site_web: '',
    email: 'jeanne.dupont@example.fr',
    telephone: '06 12 34 56 78',
    type: 'client',
    contrat: 'SAN-2024-0042',
    nature: 'Remboursement dentaire refusé',
    description: 'Ma mutuelle refuse de rembourser ma couronne dentaire alors que le devis avait été accepté en janvier.',
    ...overrides,
  };
  return [...Object.entries(fields).map(([name, value]) => ({ name, value })), ...files];
}

/** Renders the form, posts a valid complaint, waits for ingestion; returns the key and the receipt URL. */
async function submit(t: Tenant, overrides: Record<string, string> = {}, files: Part[] = []) {
  const form = await get(`/f/${t.slug}`);
  const key = keyOf(form.body);
  const res = await post(`/f/${t.slug}`, complaintParts(key, overrides, files), nextIp());
  expect(res.statusCode, res.body).toBe(303);
  await env.deps.queue.drain();
  return { key, res, receiptUrl: `/f/${t.slug}/recu/${key}` };
}

async function trackingTokenOf(t: Tenant, key: string): Promise<string> {
  const outcome = (await t.agent.get(`/api/inbound?channel=webform&externalId=${key}`)).json() as { complaintId: string };
  const row = await env.deps.db
    .selectFrom('complaints')
    .select('tracking_token')
    .where('id', '=', outcome.complaintId)
    .executeTakeFirstOrThrow();
  return row.tracking_token;
}

describe(`public web form (${mode})`, () => {
  it('renders an accessible form with a fresh idempotency key, under a strict CSP', async () => {
    const t = shared;
    const res = await get(`/f/${t.slug}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers['cache-control']).toBe('private, no-cache');
    const page = res.body;
    expect(page).toMatch(/^<!doctype html>\n<html lang="fr">/);
    expect(page).toContain('<meta name="viewport"');
    expect(page).toContain('<main id="contenu"');
    expect(page).toContain('href="#contenu"');
    // Nothing loaded from elsewhere: no script, no stylesheet or remote resource (the empty inline icon keeps
    // browsers from asking for /favicon.ico).
    expect(page).not.toMatch(/<script|<link (?!rel="icon" href="data:,">)|src="http/);
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toContain('<input type="file" id="pieces" name="pieces" multiple');
    // Every visible control has its label.
    for (const id of ['nom', 'email', 'telephone', 'type', 'contrat', 'nature', 'description', 'pieces', 'site_web']) {
      expect(page, id).toContain(`<label for="${id}">`);
      expect(page, id).toMatch(new RegExp(`id="${id}"`));
    }
    expect(page).toMatch(/Nom et prénom <span class="req">\(obligatoire\)<\/span>/);
    expect(page).toContain('<label for="site_web">Ne pas remplir</label><input type="text" id="site_web" name="site_web" tabindex="-1" autocomplete="off"');
    for (const label of ['Client', 'Ancien client', 'Futur client', 'Bénéficiaire', 'Représentant', 'Ayant droit']) expect(page).toContain(label);
    expect(page).toContain('Responsable du traitement');
    expect(page).toContain('Vos droits');
    const key = keyOf(page);
    expect(Buffer.from(key, 'base64url')).toHaveLength(16);
    expect(keyOf((await get(`/f/${t.slug}`)).body)).not.toBe(key);
  });

  it('answers a French 404 page for an unknown tenant or receipt', async () => {
    for (const url of ['/f/cabinet-qui-n-existe-pas', '/f/Bad%20Slug!', '/f/cabinet-qui-n-existe-pas/recu/AAAAAAAAAAAAAAAAAAAAAA', '/f/x/y/z/w']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.body).toContain('Page introuvable');
    }
    const res = await get(`/f/${shared.slug}/recu/${'A'.repeat(22)}`);
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page introuvable');
  });

  it('journals a valid complaint, redirects to its receipt, and the complaint is created', async () => {
    const t = await newTenant();
    const before = await journalCount(t.id);
    const { key, res, receiptUrl } = await submit(t, { nom: 'Jeanne <script>alert(1)</script> Dupont' }, [
      { name: 'pieces', filename: 'devis dentaire.pdf', content: PDF, contentType: 'application/pdf' },
      { name: 'pieces', filename: 'photo.png', content: PNG, contentType: 'image/png' },
    ]);
    expect(res.headers.location).toBe(receiptUrl);
    expect(await journalCount(t.id)).toBe(before + 1);

    const outcome = (await t.agent.get(`/api/inbound?channel=webform&externalId=${key}`)).json();
    expect(outcome.status).toBe('processed');
    expect(outcome.reference).toMatch(/^REC-\d{4}-000001$/);

    const detail = (await t.agent.get(`/api/complaints/${outcome.complaintId}`)).json();
    expect(detail.complaint.channel).toBe('webform');
    expect(detail.attachments.map((a: { filename: string; contentType: string }) => [a.filename, a.contentType]).sort()).toEqual([
      ['devis dentaire.pdf', 'application/pdf'],
      ['photo.png', 'image/png'],
    ]);

    const receipt = await get(receiptUrl);
    expect(receipt.statusCode).toBe(200);
    expect(receipt.headers['cache-control']).toBe('no-store');
    expect(receipt.headers['x-robots-tag']).toBe('noindex');
    expect(receipt.headers['referrer-policy']).toBe('no-referrer');
    const page = receipt.body;
    expect(page).toContain('Votre réclamation a bien été enregistrée');
    expect(page).toContain(outcome.reference);
    expect(page).toMatch(/Reçue le \d{1,2}(er)? \S+ \d{4} à \d{2} h \d{2} \(heure de Paris\)/);
    expect(page).toMatch(/Nous vous répondrons au plus tard le <strong>\d{1,2}(er)? \S+ \d{4}<\/strong>/);
    expect(page).toContain(`href="${receiptUrl}/pdf"`);
    const token = await trackingTokenOf(t, key);
    expect(page).toContain(`href="/suivi/${token}"`);
    // The dated copy, escaped.
    expect(page).toContain('Jeanne &lt;script&gt;alert(1)&lt;/script&gt; Dupont');
    expect(page).not.toContain('<script>');
    expect(page).toContain('Remboursement dentaire refusé');
    expect(page).toContain('devis dentaire.pdf (');
    expect(page).toContain('SAN-2024-0042');

    const pdf = await get(`${receiptUrl}/pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.headers['content-disposition']).toContain(`reclamation-${outcome.reference}.pdf`);
  });

  it('accepts office documents and UTF-8 text, detected on their content', async () => {
    const t = await newTenant();
    const { key } = await submit(t, {}, [
      { name: 'pieces', filename: 'courrier.docx', content: DOCX },
      { name: 'pieces', filename: 'lettre.odt', content: ODT },
      { name: 'pieces', filename: 'relevé.txt', content: Buffer.from('\uFEFFBonjour,\r\nvoici mon relevé : 120 €.\n', 'utf8'), contentType: 'text/plain' },
    ]);
    const outcome = (await t.agent.get(`/api/inbound?channel=webform&externalId=${key}`)).json();
    const detail = (await t.agent.get(`/api/complaints/${outcome.complaintId}`)).json();
    expect(detail.attachments.map((a: { filename: string; contentType: string }) => [a.filename, a.contentType]).sort()).toEqual([
      ['courrier.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['lettre.odt', 'application/vnd.oasis.opendocument.text'],
      ['relevé.txt', 'text/plain'],
    ]);
  });

  it('checks every file type on its content', async () => {
    expect(await checkUpload('facture.pdf', EXE)).toEqual({ ok: false, message: '« facture.pdf » n\'est pas un document accepté (type détecté : EXE).' });
    expect(await checkUpload('archive.docx', ZIP)).toEqual({ ok: false, message: '« archive.docx » n\'est pas un document accepté (type détecté : ZIP).' });
    expect(await checkUpload('vide.pdf', Buffer.alloc(0))).toEqual({ ok: false, message: '« vide.pdf » est vide.' });
    expect((await checkUpload('notes.csv', Buffer.from('a;b\n1;2\n'))).ok).toBe(false);
    expect((await checkUpload('ansi.txt', Buffer.from('caf\xe9', 'latin1'))).ok).toBe(false);
    expect((await checkUpload('binaire.txt', Buffer.from([0x00, 0x01, 0x02, 0x03]))).ok).toBe(false);
    expect(await checkUpload('C:\\Users\\moi\\scan.pdf', PDF)).toMatchObject({ ok: true, file: { filename: 'scan.pdf', contentType: 'application/pdf' } });
    expect(await checkUpload('photo.pdf', PNG)).toMatchObject({ ok: true, file: { filename: 'photo.pdf', contentType: 'image/png' } });
  });

  it('re-renders the form in French with an error summary, keeps the values, journals nothing', async () => {
    const t = shared;
    const key = keyOf((await get(`/f/${t.slug}`)).body);
    const before = await journalCount(t.id);
    const res = await post(
      `/f/${t.slug}`,
      complaintParts(key, { nom: '', email: '', telephone: '', description: '   ', nature: 'Résiliation « non prise » en compte', contrat: 'AB' }),
      nextIp(),
    );
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    const page = res.body;
    expect(page).toContain('<title>Erreur : Déposer une réclamation');
    expect(page).toContain('<div class="error-summary" role="alert"');
    expect(page).toContain('Le formulaire contient 4 erreurs');
    expect(page).toContain('<a href="#nom">Indiquez votre nom et votre prénom.</a>');
    expect(page).toContain('<a href="#email">Indiquez une adresse e-mail ou un numéro de téléphone');
    expect(page).toContain('<a href="#contrat">Le numéro de contrat ou de dossier doit compter de 4 à 40 lettres ou chiffres.</a>');
    expect(page).toContain('<a href="#description">Décrivez votre réclamation.</a>');
    expect(page).toMatch(/<input type="text" id="nom" name="nom" value="" aria-describedby="nom-erreur" aria-invalid="true"/);
    expect(page).toContain('id="nom-erreur"');
    expect(page).toContain('value="Résiliation « non prise » en compte"');
    expect(page).toContain('<option value="client" selected>');
    expect(keyOf(page)).toBe(key);
    expect(await journalCount(t.id)).toBe(before);

    const bad = await post(`/f/${t.slug}`, complaintParts(key, { email: 'jeanne@', telephone: '12' }), nextIp());
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('L’adresse e-mail n’est pas valide');
    expect(bad.body).toContain('Le numéro de téléphone n’est pas valide');
    expect(bad.body).toContain('value="jeanne@"');

    const noKey = await post(`/f/${t.slug}`, complaintParts('pas-une-cle'), nextIp());
    expect(noKey.statusCode).toBe(400);
    expect(noKey.body).toContain('Ce formulaire a expiré');
    expect(keyOf(noKey.body)).not.toBe('pas-une-cle');
    expect(await journalCount(t.id)).toBe(before);
  });

  it('refuses an oversized file or a disguised one with a clear message, and stores nothing', async () => {
    const t = shared;
    const key = keyOf((await get(`/f/${t.slug}`)).body);
    const before = await journalCount(t.id);

    const big = Buffer.concat([PDF, Buffer.alloc(MAX_UPLOAD + 1, 0x20)]);
    const tooLarge = await post(
      `/f/${t.slug}`,
      complaintParts(key, {}, [
        { name: 'pieces', filename: 'ok.pdf', content: PDF },
        { name: 'pieces', filename: 'scan-énorme.pdf', content: big },
      ]),
      nextIp(),
    );
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(tooLarge.body).toContain('« scan-énorme.pdf » dépasse la taille maximale de 256 Ko par fichier.');
    expect(tooLarge.body).toContain('sélectionnez-les à nouveau');
    expect(tooLarge.body).toContain('value="Jeanne Dupont"');

    const disguised = await post(
      `/f/${t.slug}`,
      complaintParts(key, {}, [
        { name: 'pieces', filename: 'devis.pdf', content: PDF },
        { name: 'pieces', filename: 'facture.pdf', content: EXE, contentType: 'application/pdf' },
      ]),
      nextIp(),
    );
    expect(disguised.statusCode).toBe(400);
    expect(disguised.body).toContain('« facture.pdf » n&#39;est pas un document accepté (type détecté : EXE).');

    const six = await post(
      `/f/${t.slug}`,
      complaintParts(
        key,
        {},
        Array.from({ length: 6 }, (_, i) => ({ name: 'pieces', filename: `piece-${i}.pdf`, content: PDF })),
      ),
      nextIp(),
    );
    expect(six.statusCode).toBe(400);
    expect(six.body).toContain('Vous pouvez joindre 5 fichiers au plus');

    const seven = await post(
      `/f/${t.slug}`,
      complaintParts(key, {}, Array.from({ length: 7 }, (_, i) => ({ name: 'pieces', filename: `piece-${i}.pdf`, content: PDF }))),
      nextIp(),
    );
    expect(seven.statusCode).toBe(400);
    expect(seven.body).toContain('Vous pouvez joindre 5 fichiers au plus');

    await env.deps.queue.drain();
    expect(await journalCount(t.id)).toBe(before);
    const attachments = await env.deps.db.selectFrom('attachments').select('id').where('tenant_id', '=', t.id).execute();
    expect(attachments).toHaveLength(0);
  });

  it('makes one complaint of a double submit and leads back to the same receipt', async () => {
    const t = await newTenant();
    const key = keyOf((await get(`/f/${t.slug}`)).body);
    const ip = nextIp();
    const [a, b] = await Promise.all([post(`/f/${t.slug}`, complaintParts(key), ip), post(`/f/${t.slug}`, complaintParts(key), ip)]);
    const again = await post(`/f/${t.slug}`, complaintParts(key, { description: 'Texte modifié après un retour arrière.' }), ip);
    for (const r of [a, b, again]) {
      expect(r.statusCode).toBe(303);
      expect(r.headers.location).toMatch(new RegExp(`^/f/${t.slug}/recu/${key}(\\?deja=1)?$`));
    }
    expect(again.headers.location).toBe(`/f/${t.slug}/recu/${key}?deja=1`);
    await env.deps.queue.drain();
    expect(await journalCount(t.id)).toBe(1);
    expect((await t.agent.get('/api/complaints')).json().total).toBe(1);
    const receipt = await get(again.headers.location as string);
    expect(receipt.body).toContain('Ce formulaire avait déjà été envoyé');
    expect(receipt.body).not.toContain('Texte modifié');
  });

  it('pretends success to a robot filling the honeypot, and journals nothing', async () => {
    const t = shared;
    const key = keyOf((await get(`/f/${t.slug}`)).body);
    const before = await journalCount(t.id);
    const res = await post(`/f/${t.slug}`, complaintParts(key, { site_web: 'https://spam.example' }), nextIp());
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/f/${t.slug}/merci`);
    const thanks = await get(res.headers.location as string);
    expect(thanks.statusCode).toBe(200);
    expect(thanks.body).toContain('Merci');
    await env.deps.queue.drain();
    expect(await journalCount(t.id)).toBe(before);
  });

  it('limits posts per address and answers a French 429 page', async () => {
    const t = shared;
    const ip = nextIp();
    for (let i = 0; i < 10; i++) expect((await post(`/f/${t.slug}`, [{ name: 'nom', value: '' }], ip)).statusCode).toBe(400);
    const limited = await post(`/f/${t.slug}`, [{ name: 'nom', value: '' }], ip);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(limited.body).toContain('Trop d’envois en peu de temps');
    expect((await post(`/f/${t.slug}`, [{ name: 'nom', value: '' }], nextIp())).statusCode).toBe(400);
  });

  it('shows a pending receipt that refreshes itself, and a polite page for a quarantined one', async () => {
    const t = shared;
    const pendingKey = 'P'.repeat(22);
    const { payload, contentType } = buildWebformPayload({
      tenantId: t.id,
      kind: 'complaint',
      fields: { name: 'Paul', email: 'paul@example.fr', description: 'En attente.' },
      files: [],
      submittedAt: new Date(),
    });
    // Journaled but not queued: stays pending.
    await insertJournal(env.deps.db, { tenantId: t.id, channel: 'webform', externalId: pendingKey, payload, contentType, receivedAt: new Date() });
    const pending = await get(`/f/${t.slug}/recu/${pendingKey}`);
    expect(pending.statusCode).toBe(200);
    expect(pending.body).toContain('Votre réclamation est en cours d’enregistrement');
    expect(pending.body).toContain('<meta http-equiv="refresh" content="2">');
    const pendingPdf = await get(`/f/${t.slug}/recu/${pendingKey}/pdf`);
    expect(pendingPdf.statusCode).toBe(303);

    // A payload the mapper refuses (another tenant's id inside): quarantined, reason kept for agents only.
    const quarantinedKey = 'Q'.repeat(22);
    const other = buildWebformPayload({
      tenantId: '00000000-0000-4000-8000-000000000000',
      kind: 'complaint',
      fields: { name: 'Quentin', email: 'quentin@example.fr', description: 'Texte.' },
      files: [],
      submittedAt: new Date(),
    });
    await acceptInbound(env.deps, { tenantId: t.id, channel: 'webform', externalId: quarantinedKey, payload: other.payload, contentType: WEBFORM_CONTENT_TYPE });
    await env.deps.queue.drain();
    expect((await t.agent.get(`/api/inbound?channel=webform&externalId=${quarantinedKey}`)).json().status).toBe('quarantined');
    const held = await get(`/f/${t.slug}/recu/${quarantinedKey}`);
    expect(held.statusCode).toBe(200);
    expect(held.body).toContain('Votre message a bien été reçu');
    expect(held.body).toContain('examiné par un conseiller');
    expect(held.body).not.toContain('ne correspond pas');
    expect(held.body).not.toContain('/suivi/');
    const heldPdf = await get(`/f/${t.slug}/recu/${quarantinedKey}/pdf`);
    expect(heldPdf.headers['content-type']).toBe('application/pdf');
  });

  it('reveals no existing file when a submission joins one', async () => {
    const t = await newTenant();
    const first = await submit(t);
    const reference = (await t.agent.get(`/api/inbound?channel=webform&externalId=${first.key}`)).json().reference as string;
    const second = await submit(t, { description: `Suite à ma réclamation ${reference}, je joins le devis signé.` });
    const outcome = (await t.agent.get(`/api/inbound?channel=webform&externalId=${second.key}`)).json();
    expect(outcome.reference).toBe(reference);
    const receipt = await get(second.receiptUrl);
    expect(receipt.body).toContain('joint à un dossier déjà ouvert');
    expect(receipt.body).not.toContain('/suivi/');
    expect(receipt.body).not.toContain('Nous vous répondrons au plus tard');
  });
});

describe(`tracking page (${mode})`, () => {
  it('answers the same 404 page for a malformed or an unknown token', async () => {
    const a = await get('/suivi/abc');
    const b = await get(`/suivi/${randomBytes(24).toString('base64url')}`);
    expect(a.statusCode).toBe(404);
    expect(b.statusCode).toBe(404);
    expect(a.body).toBe(b.body);
    expect(a.body).toContain('Page introuvable');
  });

  it('shows the status, dates and customer messages; a follow-up joins the same complaint', async () => {
    const t = await newTenant();
    const { key } = await submit(t, {}, [{ name: 'pieces', filename: 'devis.pdf', content: PDF }]);
    const token = await trackingTokenOf(t, key);
    const outcome = (await t.agent.get(`/api/inbound?channel=webform&externalId=${key}`)).json();
    expect((await t.agent.post(`/api/complaints/${outcome.complaintId}/notes`, { text: 'NOTE INTERNE confidentielle' })).statusCode).toBe(201);

    const res = await get(`/suivi/${token}`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-robots-tag']).toBe('noindex');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(res.body).toContain(outcome.reference);
    expect(res.body).toContain('Enregistrée, en attente de prise en charge');
    expect(res.body).toMatch(/Nous vous répondrons au plus tard le \d{1,2}(er)? \S+ \d{4}\./);
    expect(res.body).toContain('Ma mutuelle refuse de rembourser');
    expect(res.body).toContain('devis.pdf (');
    expect(res.body).not.toContain('NOTE INTERNE');
    expect(res.body).toContain('Ajouter des informations ou des documents');

    const changed = await t.agent.post(`/api/complaints/${outcome.complaintId}/status`, { status: 'en_cours' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await get(`/suivi/${token}`)).body).toContain('En cours de traitement');

    const followKey = keyOf(res.body);
    const added = await post(
      `/suivi/${token}`,
      [
        { name: 'cle', value: followKey },
        { name: 'site_web', value: '' },
        { name: 'description', value: 'Voici la facture acquittée du dentiste.' },
        { name: 'pieces', filename: 'facture-dentiste.png', content: PNG },
      ],
      nextIp(),
    );
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`/suivi/${token}?ajout=${followKey}`);
    await env.deps.queue.drain();
    const after = await get(added.headers.location as string);
    expect(after.body).toContain('Votre message a bien été ajouté');
    expect(after.body).toContain('Voici la facture acquittée du dentiste.');
    expect(after.body).toContain('facture-dentiste.png (');
    expect(after.body).not.toContain('http-equiv="refresh"');

    const follow = (await t.agent.get(`/api/inbound?channel=webform&externalId=${followKey}`)).json();
    expect(follow.status).toBe('processed');
    expect(follow.complaintId).toBe(outcome.complaintId);
    expect((await t.agent.get('/api/complaints')).json().total).toBe(1);
    const detail = (await t.agent.get(`/api/complaints/${outcome.complaintId}`)).json();
    expect(detail.messages.filter((m: { direction: string }) => m.direction === 'inbound')).toHaveLength(2);

    // The same follow-up key again: nothing new.
    const twice = await post(`/suivi/${token}`, [{ name: 'cle', value: followKey }, { name: 'description', value: 'Encore.' }], nextIp());
    expect(twice.statusCode).toBe(303);
    await env.deps.queue.drain();
    expect(await journalCount(t.id)).toBe(2);
  });

  it('hides messages held for review', async () => {
    const t = await newTenant();
    const { key } = await submit(t);
    const token = await trackingTokenOf(t, key);
    const outcome = (await t.agent.get(`/api/inbound?channel=webform&externalId=${key}`)).json();
    await env.deps.db.updateTable('messages').set({ review_reason: 'à vérifier' }).where('id', '=', outcome.messageId).execute();
    const page = (await get(`/suivi/${token}`)).body;
    expect(page).not.toContain('Ma mutuelle refuse de rembourser');
    expect(page).toContain('Aucun message pour l’instant.');
  });

  it('refuses a follow-up with a bad file or no text, and journals nothing', async () => {
    const t = await newTenant();
    const { key } = await submit(t);
    const token = await trackingTokenOf(t, key);
    const followKey = keyOf((await get(`/suivi/${token}`)).body);
    const before = await journalCount(t.id);
    const res = await post(
      `/suivi/${token}`,
      [
        { name: 'cle', value: followKey },
        { name: 'description', value: 'Voici le document.' },
        { name: 'pieces', filename: 'attestation.pdf', content: EXE },
      ],
      nextIp(),
    );
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('« attestation.pdf » n&#39;est pas un document accepté (type détecté : EXE).');
    expect(res.body).toContain('>Voici le document.</textarea>');
    expect(keyOf(res.body)).toBe(followKey);

    const empty = await post(`/suivi/${token}`, [{ name: 'cle', value: followKey }, { name: 'description', value: ' ' }], nextIp());
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('<a href="#description">Écrivez votre message.</a>');

    const robot = await post(`/suivi/${token}`, [{ name: 'cle', value: followKey }, { name: 'site_web', value: 'x' }, { name: 'description', value: 'spam' }], nextIp());
    expect(robot.statusCode).toBe(303);
    expect(robot.headers.location).toBe(`/suivi/${token}?envoi=ok`);

    await env.deps.queue.drain();
    expect(await journalCount(t.id)).toBe(before);
  });
});
