import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { PASSWORD, addUser, sampleComplaint, signupTenant, type TestClient } from '../helpers/http.ts';
import { submitForm } from '../helpers/inbound.ts';
import { acceptInbound, inboundOutcome } from '../../src/intake/journal.ts';
import { chromiumAvailable, describeViolations, launchChromium, screenshot, seriousA11yViolations, watchPage, type PageProblems } from '../helpers/browser.ts';
import { buildConsole, consoleIsStale } from '../../web/scripts/ensure-console.ts';

/**
 * The console, built (vite build → web/dist) and served by the api, driven in headless Chromium the way
 * an agent and an administrator use it. Screenshots land in test/e2e/screenshots/ (git-ignored).
 */

let env: TestEnv;
let base: string;

beforeAll(async () => {
  // Built once per run when web/dist is missing or older than web/src (fresh clone, changed sources).
  if (consoleIsStale()) await buildConsole();
  env = await createTestEnv();
  await env.app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  const t0 = Date.now();
  await env?.app.server.closeAllConnections?.();
  await env?.close();
  console.log('closed in', Date.now() - t0);
}, 120_000);

describe('the api serves the console', () => {
  it('redirects / to /console/, serves index.html for every page, hashed assets for good, and keeps the other routes', async () => {
    const root = await fetch(`${base}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/console/');

    const index = await fetch(`${base}/console/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await index.text();
    expect(html).toContain('<div id="root">');
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();

    // A deep link is the same page (single-page fallback), a missing asset is a 404.
    const deep = await fetch(`${base}/console/reclamations/00000000-0000-4000-8000-000000000000`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const js = await fetch(`${base}${asset}`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toContain('javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/console/assets/missing-123.js`)).status).toBe(404);

    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/api/docs/json`)).status).toBe(200);
    expect((await fetch(`${base}/api/complaints`)).status).toBe(401);
  });
});

const runBrowser = chromiumAvailable();

describe.skipIf(!runBrowser)('the console in Chromium', () => {
  let browser: Browser;
  let admin: TestClient;
  let adminEmail: string;
  let agentEmail: string;
  let agentName: string;
  let agentId: string;
  let tenantId: string;
  const refs: Record<string, { id: string; reference: string }> = {};

  beforeAll(async () => {
    browser = await launchChromium();
    const signup = await signupTenant(env.app, 'Cabinet Console');
    admin = signup.client;
    adminEmail = signup.email;
    tenantId = signup.tenant.id;
    const agent = await addUser(env.app, admin, 'agent');
    agentEmail = agent.email;
    agentId = agent.user.id;
    agentName = ((await admin.get('/api/users')).json() as { items: { email: string; name: string }[] }).items.find((u) => u.email === agentEmail)!.name;

    const create = async (key: string, overrides: Record<string, unknown>) => {
      const res = await admin.post('/api/complaints', sampleComplaint(overrides));
      expect(res.statusCode, res.body).toBe(201);
      refs[key] = res.json() as { id: string; reference: string };
    };
    // Sent long ago and never acknowledged: both deadlines are past.
    await create('late', {
      sentOn: '2025-01-06',
      receivedAt: '2025-01-08T10:00:00+01:00',
      complainant: { name: 'Lucien Morel', email: 'lucien.morel@example.fr' },
      subject: 'Sinistre dégât des eaux sans réponse',
      description: 'Mon dégât des eaux déclaré en janvier attend toujours une indemnisation, malgré trois relances.',
      product: 'habitation',
      cause: 'indemnisation',
      contractNumber: 'HAB-2023-0077',
    });
    const today = new Date().toISOString().slice(0, 10);
    await create('auto', {
      sentOn: today,
      receivedAt: new Date().toISOString(),
      complainant: { name: 'Sophie Garnier', email: 'sophie.garnier@example.fr' },
      subject: 'Bonus auto mal calculé',
      description: 'Le coefficient bonus-malus de mon contrat auto est faux depuis le renouvellement : zygomorphe.',
      product: 'auto',
      cause: 'tarification',
      contractNumber: 'AUT-2024-0100',
    });
    const form = await submitForm(env.deps, tenantId, {
      name: 'Paul Lefèvre',
      email: 'paul.lefevre@example.fr',
      description: 'Ma mutuelle santé refuse le remboursement de mes lunettes alors que le devis était accepté.',
    });
    expect(form.outcome.complaintId).toBeTruthy();
    refs.form = { id: form.outcome.complaintId!, reference: form.outcome.reference! };
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  // Any console error or uncaught exception in a page fails the test it happened in.
  const watched: PageProblems[] = [];
  afterEach(() => {
    const seen = watched.flatMap((w) => w.errors.splice(0));
    expect(seen, seen.join('\n')).toEqual([]);
  });

  async function login(context: BrowserContext, email: string, expectFailed: string[] = []): Promise<Page> {
    const page = await context.newPage();
    const watch = watchPage(page);
    watched.push(watch);
    // Who is signed in, asked before login: the 401 is the expected answer.
    watch.expectFailedRequest('/api/auth/me');
    for (const url of expectFailed) watch.expectFailedRequest(url);
    await page.goto(`${base}/`);
    await page.getByRole('heading', { name: 'Connexion à la console' }).waitFor();
    await page.getByLabel('Adresse email').fill(email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Réclamations', level: 1 }).waitFor();
    return page;
  }

  it('an agent logs in, reads the inbox with counts and an overdue badge, filters and searches', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const page = await login(context, agentEmail);
    expect(page.url()).toMatch(/\/console\/?$/);

    const rows = page.locator('table.complaints tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    // View counts come from the API totals.
    await expect.poll(() => page.getByRole('button', { name: /^À traiter/ }).textContent()).toMatch(/3$/);
    await expect.poll(() => page.getByRole('button', { name: /En retard/ }).first().textContent()).toMatch(/1$/);
    const lateRow = rows.filter({ hasText: refs.late!.reference });
    await expect.poll(() => lateRow.locator('.badge-late').count()).toBe(2);
    expect(await lateRow.locator('.badge-late').first().textContent()).toContain('En retard');
    await screenshot(page, 'inbox-1280');

    // Filter by product: only the car complaint.
    await page.getByLabel('Produit').selectOption('auto');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(refs.auto!.reference);
    expect(page.url()).toContain('product=auto');
    await page.getByRole('button', { name: 'Effacer les filtres' }).click();
    await expect.poll(() => rows.count()).toBe(3);

    // "/" focuses the search; full-text search on a rare word.
    await page.locator('body').press('/');
    expect(await page.evaluate('document.activeElement.name')).toBe('q');
    await page.keyboard.type('zygomorphe');
    await page.keyboard.press('Enter');
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Sophie Garnier');
    await page.getByRole('button', { name: 'Effacer les filtres' }).click();

    // The overdue view.
    await page.getByRole('button', { name: /En retard/ }).first().click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(refs.late!.reference);

    // « Mon équipe »: without a team, its empty state; once the administrator puts the agent in Sinistres,
    // the claims process's complaints, with the view's count.
    const teamView = page.getByRole('button', { name: /^Mon équipe/ });
    await teamView.click();
    await page.getByText('Vous n’appartenez à aucune équipe — un administrateur peut vous en attribuer dans Paramètres › Utilisateurs.').waitFor();
    await expect.poll(() => teamView.textContent()).toMatch(/0$/);
    expect((await admin.patch(`/api/users/${agentId}`, { teams: ['Sinistres'] })).statusCode).toBe(200);
    const sinistres = (await admin.get('/api/complaints?team=Sinistres&status=nouvelle,en_cours,en_attente')).json() as { total: number };
    expect(sinistres.total).toBeGreaterThanOrEqual(1);
    // A link without the trailing slash keeps its view through the redirect.
    await page.goto(`${base}/console?vue=team`);
    await expect.poll(() => rows.count()).toBe(sinistres.total);
    await expect.poll(() => teamView.textContent()).toMatch(new RegExp(`${sinistres.total}$`));
    expect(await rows.filter({ hasText: refs.late!.reference }).count()).toBe(1);
    expect(await rows.filter({ hasText: refs.auto!.reference }).count()).toBe(0);
    expect(await page.locator('.view-help').textContent()).toContain('Votre équipe : Sinistres.');
    await screenshot(page, 'inbox-team');
    await context.close();
  });

  it('an agent opens a complaint with the keyboard, writes a note, changes the status, takes it, requalifies it; a colleague sees it live', async () => {
    // The administrator has the file open: the agent is told, and the administrator's page follows the changes.
    const adminContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const adminPage = await login(adminContext, adminEmail);
    await adminPage.goto(`${base}/console/reclamations/${refs.late!.id}`);
    await adminPage.getByRole('heading', { name: refs.late!.reference, level: 1 }).waitFor();

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    // The reply below is refused by the server (no mailbox connected): that 4xx is expected.
    const page = await login(context, agentEmail, [`/api/complaints/${refs.late!.id}/replies`]);
    await expect.poll(() => page.locator('table.complaints tbody tr').count()).toBe(3);
    await page.locator('body').press('5'); // the "En retard" view
    await expect.poll(() => page.locator('table.complaints tbody tr').count()).toBe(1);
    await page.keyboard.press('j');
    expect(await page.evaluate('document.activeElement.textContent')).toBe(refs.late!.reference);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: refs.late!.reference, level: 1 }).waitFor();
    expect(page.url()).toBe(`${base}/console/reclamations/${refs.late!.id}`);
    const head = page.locator('.complaint-head');
    expect(await head.textContent()).toContain('Lucien Morel');
    expect(await head.locator('.badge-late').count()).toBe(2);
    expect(await head.textContent()).toMatch(/En retard/);
    // Presence: the next heartbeat (every 20 s) at the latest.
    await page.getByText('Claire Martin consulte aussi ce dossier').waitFor({ timeout: 45_000 });

    // c: the internal note.
    await page.keyboard.press('c');
    expect(await page.evaluate('document.activeElement.name')).toBe('note');
    await page.keyboard.type('Appelé le client : expertise prévue jeudi.');
    await page.getByRole('button', { name: 'Ajouter la note' }).click();
    const note = page.locator('.msg-note', { hasText: 'expertise prévue jeudi' });
    await note.waitFor();
    expect(await note.textContent()).toContain('Note interne');
    // Live: the administrator's open page shows the note without reloading.
    await adminPage.locator('.msg-note', { hasText: 'expertise prévue jeudi' }).waitFor({ timeout: 15_000 });

    // Status.
    await page.getByLabel('Nouveau statut').selectOption('en_cours');
    await page.getByRole('button', { name: 'Changer le statut' }).click();
    await expect.poll(() => head.locator('.status').textContent()).toBe('En cours');

    // Assignment.
    await page.getByRole('button', { name: 'Me l’attribuer' }).click();
    await expect.poll(() => head.textContent()).toContain(agentName);

    // Requalify: product and priority.
    await page.getByLabel('Produit').selectOption('auto');
    await page.getByLabel('Priorité').selectOption('haute');
    await page.getByRole('button', { name: 'Requalifier' }).click();
    await expect.poll(() => head.textContent()).toContain('Auto');
    await expect.poll(() => head.locator('.priority').textContent()).toContain('Haute');

    // r: reply to the customer with the holding-reply template, filled by the server for this complaint.
    await page.keyboard.press('r');
    expect(await page.evaluate('document.activeElement.name')).toBe('reply');
    await page.getByLabel('Modèle').selectOption('answer');
    await page.getByRole('button', { name: 'Insérer le modèle' }).click();
    await expect.poll(() => page.getByLabel('Nature du message').inputValue()).toBe('answer');
    // The answer date is past and the customer heard nothing: the page advises a holding reply.
    await page.getByRole('button', { name: 'Préparer la réponse d’attente' }).click();
    // The answer template inserted above already names the reference: wait for the holding reply itself.
    await expect.poll(() => page.getByLabel('Nature du message').inputValue()).toBe('holding');
    await expect.poll(() => page.getByLabel('Message', { exact: true }).inputValue()).toContain('toujours à l’étude');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toContain(refs.late!.reference);
    await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
    // No mailbox is connected for this tenant: the console says why nothing was sent, and keeps the text.
    const refusal = page.locator('form[aria-labelledby="reply-title"] .error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('Impossible de joindre ce client par email');
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toContain(refs.late!.reference);

    // The PDF export is one click away.
    const pdfHref = await page.getByRole('link', { name: 'Exporter en PDF' }).getAttribute('href');
    expect(pdfHref).toBe(`/api/complaints/${refs.late!.id}/export.pdf`);
    const pdf = await admin.get(pdfHref!);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toContain('application/pdf');

    const detail = (await admin.get(`/api/complaints/${refs.late!.id}`)).json() as {
      complaint: { status: string; assigneeId: string; product: string; priority: string };
      messages: { direction: string; bodyText: string }[];
    };
    expect(detail.complaint).toMatchObject({ status: 'en_cours', assigneeId: agentId, product: 'auto', priority: 'haute' });
    expect(detail.messages.some((m) => m.direction === 'note' && m.bodyText.includes('expertise prévue jeudi'))).toBe(true);
    await expect.poll(() => page.locator('.event', { hasText: 'Statut modifié' }).count()).toBeGreaterThan(0);
    await screenshot(page, 'complaint-1280');
    await page.setViewportSize({ width: 768, height: 1024 });
    await screenshot(page, 'complaint-768');
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);

    // The customer's file, from the header link.
    await page.setViewportSize({ width: 1280, height: 900 });

    // A step of the process's checklist, ticked: saved on the server, still ticked after a reload, with who did it.
    const step = page.getByRole('checkbox', { name: 'Décider et motiver la position' });
    await step.check();
    await expect.poll(() => page.locator('.checklist').textContent()).toContain(`Faite par ${agentName}`);
    await page.reload();
    await page.getByRole('heading', { name: refs.late!.reference, level: 1 }).waitFor();
    expect(await page.getByRole('checkbox', { name: 'Décider et motiver la position' }).isChecked()).toBe(true);
    expect(await page.locator('.checklist').textContent()).toContain(`Faite par ${agentName}`);

    await page.getByRole('link', { name: 'Lucien Morel' }).click();
    await page.getByRole('heading', { name: 'Lucien Morel', level: 1 }).waitFor();
    expect(await page.locator('.identity-list').textContent()).toContain('lucien.morel@example.fr');
    expect(await page.locator('table.complaints').textContent()).toContain(refs.late!.reference);
    await screenshot(page, 'customer-1280');
    await page.setViewportSize({ width: 768, height: 1024 });
    await screenshot(page, 'customer-768');
    await context.close();
    await adminContext.close();
  });

  it('an agent reads an email without its quoted history, opens its formatted version in a sandboxed frame, and attaches a photo', async () => {
    const messageId = `console-e2e-${Date.now()}@example.fr`;
    const mime = [
      'From: Martine Roux <martine.roux@example.fr>',
      'To: reclamations@cabinet.example',
      'Subject: =?UTF-8?Q?R=C3=A9siliation_non_prise_en_compte?=',
      `Message-ID: <${messageId}>`,
      `Date: ${new Date().toUTCString()}`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      'Bonjour,',
      '',
      'J’ai demandé la résiliation de mon contrat habitation il y a deux mois et je suis toujours prélevée.',
      '',
      'Le 2 mars 2026 à 10:00, Cabinet <contact@cabinet.example> a écrit :',
      '> Nous avons bien reçu votre demande de résiliation.',
      '> Cordialement',
      '',
      '--b1',
      'Content-Type: text/html; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      '<p>Bonjour,</p><p>J’ai demandé la <b>résiliation</b> de mon contrat habitation il y a deux mois et je suis toujours prélevée.</p><img src="https://tracker.example/pixel.gif"><blockquote>Nous avons bien reçu votre demande de résiliation.</blockquote>',
      '--b1--',
      '',
    ].join('\r\n');
    await acceptInbound(env.deps, { tenantId, channel: 'email', externalId: messageId, payload: new TextEncoder().encode(mime), contentType: 'message/rfc822' });
    await env.deps.queue.drain();
    const outcome = await inboundOutcome(env.deps, tenantId, 'email', messageId);
    expect(outcome.complaintId, JSON.stringify(outcome)).toBeTruthy();

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const page = await login(context, agentEmail);
    await page.goto(`${base}/console/reclamations/${outcome.complaintId}`);
    await page.getByRole('heading', { name: outcome.reference!, level: 1 }).waitFor();
    const mail = page.locator('.msg-inbound').first();
    expect(await mail.locator('.msg-body').textContent()).toContain('toujours prélevée');
    expect(await mail.locator('.msg-body').textContent()).not.toContain('Nous avons bien reçu');
    await mail.getByRole('button', { name: 'Afficher l’historique cité' }).click();
    await expect.poll(() => mail.locator('.msg-body').textContent()).toContain('Nous avons bien reçu');

    await mail.getByRole('button', { name: 'Afficher la version mise en forme' }).click();
    const frame = mail.locator('iframe.email-frame');
    expect(await frame.getAttribute('sandbox')).toBe('');
    expect(await page.frameLocator('iframe.email-frame').locator('b').textContent()).toBe('résiliation');

    // A photo attached by the agent: listed with a preview served by the api.
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
    await page.getByLabel('Joindre des documents').setInputFiles({ name: 'constat.png', mimeType: 'image/png', buffer: png });
    await page.getByRole('button', { name: 'Joindre', exact: true }).click();
    const preview = page.locator('.attachments img[alt="constat.png"]');
    await preview.waitFor();
    await expect.poll(() => page.evaluate(`document.querySelector('.attachments img[alt="constat.png"]').naturalWidth`)).toBe(1);
    expect(await page.getByRole('link', { name: 'constat.png' }).getAttribute('href')).toMatch(/^\/api\/complaints\/.+\/attachments\/.+$/);
    await screenshot(page, 'complaint-email-1280');
    await context.close();
  });

  it('an administrator connects a Twilio number; the auth token is never shown back', async () => {
    const token = 'f0e1d2c3b4a5968778695a4b3c2d1e0f';
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const page = await login(context, adminEmail);
    await page.getByRole('link', { name: 'Paramètres' }).click();
    await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Canaux' }).click();
    await page.getByLabel('Type').selectOption('twilio');
    await page.getByLabel('Nom', { exact: true }).fill('SMS du cabinet');
    await page.getByLabel('Numéro de téléphone').fill('06 11 22 33 44');
    await page.getByLabel('Identifiant de compte (Account SID)').fill(`AC${'0123456789abcdef'.repeat(2)}`);
    await page.getByLabel('Jeton d’authentification (Auth Token)').fill(token);
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    const row = page.locator('tbody tr', { hasText: 'SMS du cabinet' });
    await row.waitFor();
    expect(await row.textContent()).toContain('+33611223344');
    expect(await row.textContent()).toMatch(/Jeton d’authentification \(Auth Token\) : défini/);
    expect(await page.content()).not.toContain(token);

    // Editing shows "défini", never the value.
    await row.getByRole('button', { name: 'Modifier' }).click();
    const field = page.getByLabel(/Jeton d’authentification/);
    expect(await field.inputValue()).toBe('');
    expect(await page.locator('label', { has: field }).textContent()).toContain('défini');
    expect(await page.content()).not.toContain(token);

    const channels = await admin.get('/api/channels');
    expect(channels.body).not.toContain(token);
    const twilio = (channels.json() as { items: { kind: string; secretsSet: string[] }[] }).items.find((c) => c.kind === 'twilio');
    expect(twilio?.secretsSet).toEqual(['authToken']);
    await screenshot(page, 'settings-channels-1280');
    await page.setViewportSize({ width: 768, height: 1024 });
    await screenshot(page, 'settings-channels-768');
    expect(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('an administrator gives teams from the users page; their « Mon équipe » view follows', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const page = await login(context, adminEmail);
    const teamView = page.getByRole('button', { name: /^Mon équipe/ });
    await teamView.click();
    await page.locator('.no-team').waitFor();
    await page.getByRole('link', { name: 'Attribuer des équipes' }).click();
    await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Modifier les équipes — Claire Martin' }).click();
    const editor = page.getByRole('form', { name: 'Équipes de Claire Martin' });
    // The processes' teams are offered.
    await editor.getByRole('checkbox', { name: 'Relation client' }).check();
    expect(await editor.getByRole('checkbox', { name: 'Sinistres' }).count()).toBe(1);
    await editor.getByLabel('Autre équipe').fill('sinistres');
    await editor.getByRole('button', { name: 'Ajouter' }).click();
    expect(await editor.getByRole('checkbox', { name: 'Sinistres' }).isChecked()).toBe(true);
    const violations = await seriousA11yViolations(page);
    expect(violations, describeViolations(violations)).toEqual([]);
    await screenshot(page, 'settings-users-teams-1280');
    await editor.getByRole('button', { name: 'Enregistrer les équipes' }).click();
    const row = page.locator('tbody tr', { hasText: adminEmail });
    await expect.poll(() => row.textContent()).toContain('Relation client, Sinistres');

    await page.getByRole('link', { name: 'Réclamations' }).click();
    await teamView.click();
    const mine = (await admin.get('/api/complaints?myTeams=true&status=nouvelle,en_cours,en_attente')).json() as { total: number };
    await expect.poll(() => teamView.textContent()).toMatch(new RegExp(`${mine.total}$`));
    await expect.poll(() => page.locator('table.complaints tbody tr').count()).toBe(mine.total);
    expect(await page.locator('.view-help').textContent()).toContain('Vos équipes : Relation client, Sinistres.');
    await context.close();
  });

  it('the inbox fits a tablet (768 px)', async () => {
    const context = await browser.newContext({ viewport: { width: 768, height: 1024 }, locale: 'fr-FR' });
    const page = await login(context, agentEmail);
    await expect.poll(() => page.locator('table.complaints tbody tr').count()).toBeGreaterThanOrEqual(3);
    await screenshot(page, 'inbox-768');
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);

    // French first; English one click away, kept for the next visit.
    await page.getByRole('button', { name: 'Switch the console to English' }).click();
    await page.getByRole('heading', { name: 'Complaints', level: 1 }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.locator('table.complaints thead').textContent()).toContain('Acknowledgement');
    await page.reload();
    await page.getByRole('heading', { name: 'Complaints', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Passer la console en français' }).click();
    await page.getByRole('heading', { name: 'Réclamations', level: 1 }).waitFor();
    await context.close();
  });

  it('shows times on the Paris clock and calendar dates as they are, whatever the browser’s time zone', async () => {
    // Received 2025-01-08 at 10:00 in Paris (09:00 UTC, 13:00 in Réunion, 05:00 in Martinique); sent on 6 January.
    for (const timezoneId of ['Indian/Reunion', 'America/Martinique', 'UTC']) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', timezoneId });
      const page = await login(context, agentEmail);
      await page.goto(`${base}/console/reclamations/${refs.late!.id}`);
      const facts = page.locator('.complaint-head .facts');
      await facts.waitFor();
      const text = (await facts.textContent())!;
      expect(text, timezoneId).toContain('Reçue le8 janv. 2025 à 10:00');
      expect(text, timezoneId).toContain('Envoyée le6 janv. 2025');
      await context.close();
    }
  });
});
