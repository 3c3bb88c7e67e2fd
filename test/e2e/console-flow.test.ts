import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { PASSWORD, addUser, signupTenant, type TestClient } from '../helpers/http.ts';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from '../helpers/smtp.ts';
import { chromiumAvailable, describeViolations, launchChromium, screenshot, seriousA11yViolations, watchPage, type PageProblems } from '../helpers/browser.ts';
import { buildConsole, consoleIsStale } from '../../web/scripts/ensure-console.ts';

/**
 * Issue #9's acceptance path, end to end in headless Chromium, in the order a real day goes:
 * an agent has the inbox open; a customer files a complaint on the firm's public form; it appears in the
 * open inbox without a reload (server-sent events); the agent opens it and answers by email (captured by a
 * local SMTP server); changes the status, which the customer's tracking page then shows; an agent of
 * another firm cannot open it. Every page is checked with axe-core (no serious or critical violation) and
 * the test fails on any console error or uncaught exception in any page. Screenshots under test-results/.
 */

const runBrowser = chromiumAvailable();

describe.skipIf(!runBrowser)('issue #9 acceptance: form → live inbox → email reply → status on the tracking page → tenant isolation', () => {
  let env: TestEnv;
  let base: string;
  let smtp: SmtpCapture;
  let browser: Browser;
  let admin: TestClient;
  let tenant: { id: string; slug: string };
  let agentEmail: string;
  const problems: PageProblems[] = [];

  beforeAll(async () => {
    if (consoleIsStale()) await buildConsole();
    [env, smtp] = await Promise.all([createTestEnv(), startSmtpCapture()]);
    await env.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();

    const signup = await signupTenant(env.app, 'Cabinet Flux Assurances');
    admin = signup.client;
    tenant = signup.tenant;
    agentEmail = (await addUser(env.app, admin, 'agent')).email;
    // The firm's mailbox: replies leave through the capturing SMTP server. The IMAP side points at a closed
    // local port (nothing to read in this test).
    const channel = await admin.post('/api/channels', {
      kind: 'email',
      name: 'Réclamations',
      config: {
        address: 'reclamations@cabinet-flux.example',
        imap: { host: '127.0.0.1', port: 9, tls: false, user: 'reclamations', pollSeconds: 3600 },
        smtp: { host: '127.0.0.1', port: smtp.port, secure: false, fromName: 'Cabinet Flux – Réclamations' },
      },
      secrets: { imapPassword: 'inutilise' },
    });
    expect(channel.statusCode, channel.body).toBe(201);
    // And a Twilio number, so that the customer can also be answered by SMS (nothing is sent by SMS here).
    const twilio = await admin.post('/api/channels', {
      kind: 'twilio',
      name: 'SMS du cabinet',
      config: { number: '01 86 95 00 00', accountSid: `AC${'0123456789abcdef'.repeat(2)}` },
      secrets: { authToken: 'f0e1d2c3b4a5968778695a4b3c2d1e0f' },
    });
    expect(twilio.statusCode, twilio.body).toBe(201);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await env?.app.server.closeAllConnections?.();
    await env?.close();
    await smtp?.close();
  }, 120_000);

  // Any console error or uncaught exception in any page fails the step it happened in.
  afterEach(() => {
    const seen = problems.flatMap((p) => p.errors.splice(0));
    expect(seen, seen.join('\n')).toEqual([]);
  });

  async function newPage(context: BrowserContext): Promise<{ page: Page; watch: PageProblems }> {
    const page = await context.newPage();
    const watch = watchPage(page);
    problems.push(watch);
    return { page, watch };
  }

  async function login(email: string): Promise<{ page: Page; watch: PageProblems; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const { page, watch } = await newPage(context);
    // Before login the console asks who is signed in: the 401 is the expected answer.
    watch.expectFailedRequest('/api/auth/me');
    await page.goto(`${base}/console/`);
    await page.getByLabel('Adresse email').fill(email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Réclamations', level: 1 }).waitFor();
    return { page, watch, context };
  }

  async function expectAccessible(page: Page, what: string) {
    const violations = await seriousA11yViolations(page);
    expect(violations, `${what}:\n${describeViolations(violations)}`).toEqual([]);
  }

  async function waitForMail(match: (m: CapturedMail) => boolean, timeoutMs = 20_000): Promise<CapturedMail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mail = smtp.mails.find(match);
      if (mail) return mail;
      if (Date.now() > deadline) throw new Error(`no such mail among ${smtp.mails.length}: ${smtp.mails.map((m) => m.parsed.subject).join(' | ')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  let complaintId = '';
  let reference = '';
  let agentPage: Page;
  let agentContext: BrowserContext;

  it('a complaint filed on the public form appears in the agent’s open inbox without a reload', async () => {
    ({ page: agentPage, context: agentContext } = await login(agentEmail));
    const rows = agentPage.locator('table.complaints tbody tr');
    await agentPage.getByText('Aucune réclamation').first().waitFor();
    expect(await rows.count()).toBe(0);
    await expectAccessible(agentPage, 'inbox (empty)');
    // A mark on this document: still there afterwards means the page was never reloaded.
    await agentPage.evaluate('window.__sameDocument = true');

    // The customer, in their own browser, on the firm's public form (server-rendered, no JavaScript needed).
    const customerContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', javaScriptEnabled: false });
    const { page: form } = await newPage(customerContext);
    await form.goto(`${base}/f/${tenant.slug}`);
    await form.getByRole('heading', { name: 'Déposer une réclamation', level: 1 }).waitFor();
    await form.getByLabel('Nom et prénom').fill('Paul Lefèvre');
    await form.getByLabel('Adresse e-mail').fill('paul.lefevre@example.fr');
    await form.getByLabel('Numéro de téléphone').fill('06 12 34 56 78');
    await form.getByLabel('Numéro de contrat ou de dossier').fill('SAN-2025-0311');
    await form.getByLabel('Description de votre réclamation').fill('Ma mutuelle santé refuse le remboursement de mes lunettes alors que le devis avait été accepté en mars.');
    await screenshot(form, 'flow-public-form');
    // axe needs JavaScript: the same page, checked in a browser that runs it.
    const checkContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const { page: check } = await newPage(checkContext);
    await check.goto(`${base}/f/${tenant.slug}`);
    await expectAccessible(check, 'public form');
    await checkContext.close();
    await form.getByRole('button', { name: 'Envoyer ma réclamation' }).click();
    await form.waitForURL(/\/recu\//);
    await screenshot(form, 'flow-public-receipt');
    await customerContext.close();

    // Journaled, ingested by the workers, announced on /api/stream: the row shows up in the open page.
    const row = rows.filter({ hasText: 'Paul Lefèvre' });
    await row.waitFor({ timeout: 30_000 });
    expect(await agentPage.evaluate('window.__sameDocument')).toBe(true);
    reference = (await row.locator('a.ref').textContent())!;
    expect(reference).toMatch(/^REC-/);
    await expect.poll(() => agentPage.locator('p.total').textContent()).toBe('1 réclamation');
    await screenshot(agentPage, 'flow-inbox-live');
    await expectAccessible(agentPage, 'inbox');
  });

  it('the agent opens it and replies by email: the mail leaves through SMTP with the reference in its subject', async () => {
    await agentPage.getByRole('link', { name: reference }).click();
    await agentPage.getByRole('heading', { name: reference, level: 1 }).waitFor();
    complaintId = agentPage.url().split('/').pop()!;
    expect(await agentPage.locator('.complaint-head').textContent()).toContain('Paul Lefèvre');
    await expectAccessible(agentPage, 'complaint page');

    // The default channel is the customer's own (the form gave an email address); SMS is offered too.
    const channel = agentPage.getByLabel('Canal');
    await expect.poll(() => channel.locator('option').first().textContent()).toBe('Email (dernier canal du client)');
    expect(await channel.locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value))).toEqual(['', 'email', 'sms']);
    const message = agentPage.getByLabel('Message', { exact: true });
    const counter = agentPage.locator('.sms-counter');

    // By SMS: no subject, a segment counter (GSM-7 160 / 153, UCS-2 70 / 67 as soon as one character is outside GSM).
    await channel.selectOption('sms');
    expect(await agentPage.getByLabel('Objet').count()).toBe(0);
    await message.fill('a'.repeat(160));
    await expect.poll(() => counter.textContent()).toContain('160 caractères · 1 SMS facturé (GSM-7)');
    await message.fill('a'.repeat(161));
    await expect.poll(() => counter.textContent()).toContain('161 caractères · 2 SMS facturés (GSM-7)');
    await message.fill(`Votre dossier est reçu. ${'a'.repeat(50)}`);
    await expect.poll(() => counter.textContent()).toContain('74 caractères · 2 SMS facturés (UCS-2)');
    expect(await counter.textContent()).toContain('Caractères hors alphabet GSM : ç');
    // The holding-reply template, filled by the server for this complaint and this channel.
    await agentPage.getByLabel('Modèle').selectOption('holding');
    await agentPage.getByRole('button', { name: 'Insérer le modèle' }).click();
    await expect.poll(() => message.inputValue()).toContain(reference);
    expect(await message.inputValue()).toMatch(/\/suivi\//);
    expect(await counter.textContent()).toMatch(/\d+ caractères · \d SMS facturés? \(GSM-7\)/);
    await screenshot(agentPage, 'flow-reply-sms-counter');

    // Back to the customer's own channel (email) for the real answer.
    await channel.selectOption('');
    await agentPage.getByLabel('Nature du message').selectOption('reply');
    const text = 'Bonjour Monsieur Lefèvre,\n\nNous avons transmis votre devis optique à la mutuelle et revenons vers vous sous huit jours.\n\nCordialement,\nLe service réclamations';
    await message.fill(text);
    expect(await counter.count()).toBe(0);
    await agentPage.getByRole('button', { name: 'Envoyer', exact: true }).click();
    await agentPage.getByText('Message mis en file d’envoi.').waitFor();

    const mail = await waitForMail((m) => (m.parsed.text ?? '').includes('devis optique'));
    expect(mail.envelope.to).toEqual(['paul.lefevre@example.fr']);
    expect(mail.parsed.subject).toContain(`[${reference}]`);
    expect(mail.parsed.from?.value[0]?.address).toBe('reclamations@cabinet-flux.example');
    expect(mail.parsed.text).toContain('revenons vers vous sous huit jours');
    // The timeline shows the message as sent.
    const outbound = agentPage.locator('.msg-outbound', { hasText: 'devis optique' });
    await outbound.waitFor({ timeout: 15_000 });
    await screenshot(agentPage, 'flow-complaint-replied');
  });

  it('the agent changes the status and the customer’s tracking page says so', async () => {
    const select = agentPage.getByLabel('Nouveau statut');
    // Only the moves the server allows are offered.
    const offered = await select.locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    const detail = (await admin.get(`/api/complaints/${complaintId}`)).json() as { complaint: { status: string }; allowedStatuses: string[] };
    expect(offered.sort()).toEqual(detail.allowedStatuses.filter((s) => s !== detail.complaint.status).sort());
    expect(offered).toContain('en_attente');
    await select.selectOption('en_attente');
    await agentPage.getByRole('button', { name: 'Changer le statut' }).click();
    await expect.poll(() => agentPage.locator('.complaint-head .status').textContent()).toBe('En attente');
    // The customer is told on the channel they used, in the tracking page's words.
    const update = await waitForMail((m) => (m.parsed.subject ?? '').includes(`[${reference}]`) && (m.parsed.text ?? '').includes("En attente d'informations complémentaires"));
    expect(update.envelope.to).toEqual(['paul.lefevre@example.fr']);

    const row = await env.deps.db.selectFrom('complaints').select('tracking_token').where('id', '=', complaintId).executeTakeFirstOrThrow();
    const customerContext = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR' });
    const { page: tracking } = await newPage(customerContext);
    await tracking.goto(`${base}/suivi/${row.tracking_token}`);
    expect(await tracking.locator('body').textContent()).toContain(reference);
    await tracking.getByText('En attente d\'informations complémentaires').first().waitFor();
    // The answer sent by email is on the page too: one answer everywhere.
    expect(await tracking.locator('body').textContent()).toContain('devis optique');
    await screenshot(tracking, 'flow-tracking');
    await expectAccessible(tracking, 'tracking page');
    await customerContext.close();
    await agentContext.close();
  });

  it('an agent of another firm cannot open it: not-found page in the console, 404 from the API', async () => {
    const other = await signupTenant(env.app, 'Cabinet Voisin');
    const stranger = await addUser(env.app, other.client, 'agent');
    expect((await stranger.client.get(`/api/complaints/${complaintId}`)).statusCode).toBe(404);

    const { page, watch, context } = await login(stranger.email);
    watch.expectFailedRequest(`/api/complaints/${complaintId}`);
    await page.goto(`${base}/console/reclamations/${complaintId}`);
    await page.getByRole('heading', { name: 'Réclamation introuvable', level: 1 }).waitFor();
    expect(await page.content()).not.toContain('Paul Lefèvre');
    expect(await page.content()).not.toContain(reference);
    await screenshot(page, 'flow-other-tenant-not-found');
    await expectAccessible(page, 'not-found page');
    await context.close();
  });
});
