import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { PASSWORD, addUser, sampleComplaint, signupTenant, type TestClient } from '../helpers/http.ts';
import { chromiumAvailable, describeViolations, launchChromium, screenshot, seriousA11yViolations, watchPage, type PageProblems } from '../helpers/browser.ts';
import { buildConsole, consoleIsStale } from '../../web/scripts/ensure-console.ts';
import { addDays, localDateOf } from '../../src/domain/calendar.ts';
import { computeSignals } from '../../src/steering/signals.ts';
import { weekStart } from '../../src/steering/stats.ts';

/**
 * Issue #10's console acceptance in headless Chromium: a manager opens the dashboard, drills into the late
 * complaints, starts a corrective action from them, and exports the register (CSV and PDF). The steering
 * pages pass axe-core (no serious or critical violation), no page logs a console error, screenshots under
 * test-results/.
 */

const runBrowser = chromiumAvailable();

/** A Paris calendar date, as the register's filters read them (a UTC date is the day before after 23:00). */
function isoDaysAgo(days: number): string {
  return localDateOf(new Date(Date.now() - days * 86_400_000));
}

describe.skipIf(!runBrowser)('issue #10 acceptance: a manager steers from the console', () => {
  let env: TestEnv;
  let base: string;
  let browser: Browser;
  let admin: TestClient;
  let managerEmail: string;
  let agentEmail: string;
  const late: { id: string; reference: string }[] = [];
  let recent: { id: string; reference: string };
  const watched: PageProblems[] = [];

  beforeAll(async () => {
    if (consoleIsStale()) await buildConsole();
    env = await createTestEnv();
    await env.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(env.app.server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    const signup = await signupTenant(env.app, 'Cabinet Pilotage');
    admin = signup.client;
    managerEmail = (await addUser(env.app, admin, 'manager')).email;
    agentEmail = (await addUser(env.app, admin, 'agent')).email;
    // Two complaints received three months ago and never answered: both deadlines are past. One of today.
    const create = async (overrides: Record<string, unknown>) => {
      const res = await admin.post('/api/complaints', sampleComplaint(overrides));
      expect(res.statusCode, res.body).toBe(201);
      return res.json() as { id: string; reference: string };
    };
    const old = isoDaysAgo(90);
    late.push(
      await create({ sentOn: old, receivedAt: `${old}T10:00:00+02:00`, complainant: { name: 'Lucien Morel', email: 'lucien.morel@example.fr' }, nature: 'Dégât des eaux sans indemnisation', contractNumber: 'HAB-2023-0077', cause: 'indemnisation', product: 'habitation' }),
      await create({ sentOn: old, receivedAt: `${old}T11:00:00+02:00`, complainant: { name: 'Inès Carré', email: 'ines.carre@example.fr' }, nature: 'Remboursement optique refusé', contractNumber: 'SAN-2025-0311', cause: 'indemnisation', product: 'sante' }),
    );
    const today = isoDaysAgo(0);
    recent = await create({ sentOn: today, receivedAt: new Date().toISOString(), complainant: { name: 'Sophie Garnier', email: 'sophie.garnier@example.fr' }, nature: 'Bonus auto mal calculé', contractNumber: 'AUT-2024-0100', cause: 'tarification', product: 'auto' });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await env?.app.server.closeAllConnections?.();
    await env?.close();
  }, 120_000);

  afterEach(() => {
    const seen = watched.flatMap((w) => w.errors.splice(0));
    expect(seen, seen.join('\n')).toEqual([]);
  });

  async function login(email: string): Promise<{ page: Page; context: BrowserContext }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'fr-FR', acceptDownloads: true });
    const page = await context.newPage();
    const watch = watchPage(page);
    watch.expectFailedRequest('/api/auth/me');
    watched.push(watch);
    await page.goto(`${base}/console/`);
    await page.getByLabel('Adresse email').fill(email);
    await page.getByLabel('Mot de passe').fill(PASSWORD);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await page.getByRole('heading', { name: 'Réclamations', level: 1 }).waitFor();
    return { page, context };
  }

  async function expectAccessible(page: Page, what: string) {
    const violations = await seriousA11yViolations(page);
    expect(violations, `${what}:\n${describeViolations(violations)}`).toEqual([]);
  }

  it('an agent has no steering pages in the navigation', async () => {
    const { page, context } = await login(agentEmail);
    const nav = page.getByRole('navigation', { name: 'Navigation principale' });
    expect(await nav.getByRole('link').allTextContents()).toEqual(['Réclamations']);
    await page.goto(`${base}/console/pilotage`);
    await page.getByRole('heading', { name: 'Votre rôle ne permet pas cette action.', level: 1 }).waitFor();
    await context.close();
  });

  it('a manager opens the dashboard, drills into the late answers and starts a corrective action from them', async () => {
    const { page, context } = await login(managerEmail);
    await page.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: 'Tableau de bord' }).click();
    await page.getByRole('heading', { name: 'Tableau de bord', level: 1 }).waitFor();
    const deadlines = page.locator('section[aria-labelledby="deadlines-title"] table');
    await deadlines.waitFor();
    // Rows: figure; columns: acknowledgement, answer. Two answers are late (and still to do), one is pending.
    const cell = (row: string, col: 1 | 2) => deadlines.locator('tbody tr', { has: page.getByRole('rowheader', { name: row, exact: true }) }).locator('td').nth(col - 1);
    await expect.poll(() => cell('Hors délai', 2).textContent()).toBe('2');
    expect(await cell('En retard, toujours à faire', 2).textContent()).toBe('2');
    expect(await cell('Hors délai', 1).textContent()).toBe('2');
    expect(await cell('À faire, échéance plus lointaine', 2).textContent()).toBe('1');
    expect(await cell('Dans le délai', 2).textContent()).toBe('0');
    await expectAccessible(page, 'dashboard');
    await screenshot(page, 'steering-dashboard');

    // Drill down: the list behind "answer late".
    await cell('Hors délai', 2).getByRole('button').click();
    const list = page.locator('section.drill');
    await list.getByRole('heading', { name: 'Liste : Réponse hors délai' }).waitFor();
    expect(page.url()).toContain('liste=answer_late');
    const rows = list.locator('tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const text = await list.locator('tbody').textContent();
    for (const c of late) expect(text).toContain(c.reference);
    expect(text).not.toContain(recent.reference);
    await expectAccessible(page, 'dashboard with its list');
    await screenshot(page, 'steering-dashboard-late');

    // Both chosen: a corrective action linked to them.
    for (const c of late) await list.getByLabel(`Sélectionner ${c.reference}`).check();
    await list.getByRole('button', { name: 'Créer une action avec 2 réclamations sélectionnées' }).click();
    await page.getByRole('heading', { name: 'Créer une action', level: 2 }).waitFor();
    expect(await page.getByText('2 réclamations liées').count()).toBe(1);
    await page.getByLabel('Intitulé').fill('Relancer les experts sinistres sous 48 h');
    await page.locator('form[aria-labelledby="action-new-title"] select[name="cause"]').selectOption('indemnisation');
    await page.getByLabel('Cause racine identifiée').fill('Les rapports d’expertise arrivent sans relance.');
    await page.getByRole('button', { name: 'Créer une action' }).click();
    const panel = page.locator('section.action-panel');
    await panel.getByRole('heading', { name: 'Relancer les experts sinistres sous 48 h' }).waitFor();
    for (const c of late) await panel.getByRole('link', { name: c.reference }).waitFor();
    const actions = (await admin.get('/api/actions')).json() as { items: { title: string; complaintCount: number | null; status: string }[] };
    expect(actions.items).toEqual([expect.objectContaining({ title: 'Relancer les experts sinistres sous 48 h', complaintCount: 2, status: 'ouverte' })]);
    // Moved forward from the same panel.
    await panel.getByLabel('Statut').selectOption('en_cours');
    await panel.getByRole('button', { name: 'Enregistrer' }).click();
    await expect.poll(async () => ((await admin.get('/api/actions')).json() as { items: { status: string }[] }).items[0]?.status).toBe('en_cours');
    await expectAccessible(page, 'actions');
    await screenshot(page, 'steering-actions');
    await context.close();
  });

  it('a manager exports the register: CSV for Excel and PDF, from the register page', async () => {
    const { page, context } = await login(managerEmail);
    await page.getByRole('link', { name: 'Registre' }).click();
    await page.getByRole('heading', { name: 'Registre des réclamations', level: 1 }).waitFor();
    await page.getByLabel('Du').fill(isoDaysAgo(120));
    await page.getByLabel('Au').fill(isoDaysAgo(0));
    await page.getByRole('button', { name: 'Afficher' }).click();
    const rows = page.locator('table.register-table tbody tr');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.locator('table.register-table tbody').textContent()).toContain('Relancer les experts sinistres sous 48 h');
    await expectAccessible(page, 'register');
    await screenshot(page, 'steering-register');

    // The browser downloads the CSV the button points at…
    const csvLink = page.getByRole('link', { name: 'Télécharger le registre (CSV, Excel)' });
    const href = (await csvLink.getAttribute('href'))!;
    expect(href).toContain(`from=${isoDaysAgo(120)}`);
    const [download] = await Promise.all([page.waitForEvent('download'), csvLink.click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const bytes = Buffer.concat(await (async () => {
      const chunks: Buffer[] = [];
      for await (const c of (await download.createReadStream())!) chunks.push(c as Buffer);
      return chunks;
    })());
    // …UTF-8 with a BOM, semicolons, one line per complaint with its accents intact.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toContain(';');
    const line = lines.find((l) => l.includes(late[1]!.reference))!;
    expect(line).toContain('Inès Carré');
    expect(line.split(';').length).toBe(lines[0]!.split(';').length);
    // Same address, same session: the content type says CSV for Excel.
    const csv = await page.request.get(`${base}${href}`);
    expect(csv.headers()['content-type']).toMatch(/^text\/csv; ?charset=utf-8/i);
    expect(csv.headers()['content-disposition']).toMatch(/attachment/);

    const pdfHref = (await page.getByRole('link', { name: 'Télécharger le registre (PDF)' }).getAttribute('href'))!;
    const pdf = await page.request.get(`${base}${pdfHref}`);
    expect(pdf.status()).toBe(200);
    expect(pdf.headers()['content-type']).toContain('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');

    // Each export is in the audit trail, which the manager reads in the console.
    await page.getByRole('link', { name: 'Audit' }).click();
    await page.getByRole('heading', { name: 'Piste d’audit', level: 1 }).waitFor();
    await page.getByLabel('Type d’événement').fill('register.');
    await page.getByRole('button', { name: 'Afficher' }).click();
    await expect.poll(() => page.locator('table.audit-table tbody tr').count()).toBeGreaterThanOrEqual(2);
    await expectAccessible(page, 'audit');
    await screenshot(page, 'steering-audit');

    await page.getByRole('link', { name: 'Signaux' }).click();
    await page.getByRole('heading', { name: 'Causes récurrentes', level: 1 }).waitFor();
    await page.getByText('Aucun signal sur les dernières semaines.').waitFor();
    await expectAccessible(page, 'signals-empty');
    await context.close();
  });

  it('a manager opens an action from last week’s signal, and the signal shows it', async () => {
    // Another firm: seven look-alike complaints last week (Tuesday to Friday), none before.
    const firm = await signupTenant(env.app, 'Cabinet Incident');
    const manager = await addUser(env.app, firm.client, 'manager');
    const lastMonday = addDays(weekStart(isoDaysAgo(0)), -7);
    const texts = ['Ma cotisation auto a été prélevée deux fois ce mois-ci.', 'Double prélèvement de ma cotisation d’assurance auto.', 'Cotisation auto prélevée en double, merci de rembourser.'];
    for (let i = 0; i < 7; i++) {
      const day = addDays(lastMonday, 1 + (i % 4));
      const res = await firm.client.post('/api/complaints', sampleComplaint({ sentOn: day, receivedAt: `${day}T10:00:00+01:00`, complainant: { name: `Client ${i}`, email: `incident${i}@example.fr` }, nature: 'Cotisation prélevée deux fois', description: texts[i % 3], cause: 'gestion_contrat', product: 'auto' }));
      expect(res.statusCode, res.body).toBe(201);
    }
    await computeSignals(env.deps, firm.tenant.id);

    const { page, context } = await login(manager.email);
    await page.getByRole('link', { name: 'Signaux' }).click();
    const signal = page.locator('article.signal', { hasText: 'Gestion du contrat' });
    await signal.waitFor();
    await page.locator('article.signal', { hasText: 'textes proches' }).waitFor();
    await expectAccessible(page, 'signals');
    await screenshot(page, 'steering-signals');
    await signal.getByRole('link', { name: 'Créer une action à partir de ce signal' }).click();
    await page.getByRole('heading', { name: 'Créer une action', level: 2 }).waitFor();
    await expect.poll(() => page.getByLabel('Intitulé').inputValue()).toMatch(/Gestion du contrat/);
    await page.getByLabel('Intitulé').fill('Rembourser les doubles prélèvements');
    await page.getByLabel('Cause racine identifiée').fill('Fichier de prélèvement transmis deux fois à la banque.');
    await page.getByRole('button', { name: 'Créer une action' }).click();
    await page.getByRole('heading', { name: 'Rembourser les doubles prélèvements' }).waitFor();

    // Back on the signals: the action is named on its signal, the button offers another one.
    await page.getByRole('link', { name: 'Signaux' }).click();
    await signal.getByRole('link', { name: 'Rembourser les doubles prélèvements' }).waitFor();
    expect(await signal.textContent()).toContain('(Ouverte)');
    expect(await signal.getByRole('link', { name: 'Créer une autre action' }).count()).toBe(1);
    expect(await page.locator('article.signal', { hasText: 'textes proches' }).getByRole('link', { name: 'Créer une action à partir de ce signal' }).count()).toBe(1);
    await signal.getByRole('link', { name: 'Rembourser les doubles prélèvements' }).click();
    await page.getByRole('heading', { name: 'Rembourser les doubles prélèvements' }).waitFor();
    expect(page.url()).toContain('/console/actions?action=');
    await context.close();
  });
});
