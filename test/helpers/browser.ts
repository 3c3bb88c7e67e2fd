import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';

/**
 * Headless Chromium for the console's end-to-end tests: Debian's /usr/bin/chromium driven by
 * playwright-core (no browser download). Missing Chromium skips the tests, or fails them under
 * REQUIRE_SERVICES=1 (CI installs it).
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots of the browser tests (git-ignored). */
export const SCREENSHOTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

/** true when the browser tests can run; throws when they must (REQUIRE_SERVICES=1) but cannot. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.REQUIRE_SERVICES === '1') {
    throw new Error(`REQUIRE_SERVICES=1 but Chromium is missing at ${CHROMIUM} (apt-get install -y chromium)`);
  }
  return false;
}

export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  // playwright-core gives every launch a fresh temporary profile (its own --user-data-dir).
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS, timeout: 60_000 });
}

/** Saves a full-page PNG under test-results/ (git-ignored) and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS_DIR, { recursive: true });
  const file = path.join(SCREENSHOTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

export interface PageProblems {
  /** Console errors and uncaught exceptions seen so far, as text. */
  readonly errors: string[];
  /**
   * Takes the browser's own "Failed to load resource: … status of 404" line for a request the test expects
   * to fail (a complaint of another tenant, the session probe before login): matched on the resource URL.
   */
  expectFailedRequest(urlPart: string): void;
}

/**
 * Records every console error (console.error, CSP refusals, failed loads) and uncaught exception of a page,
 * so that a test can fail on them: `expect(problems.errors).toEqual([])`.
 */
export function watchPage(page: Page): PageProblems {
  const errors: string[] = [];
  const expected: string[] = [];
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() !== 'error') return;
    const url = msg.location().url;
    if (/^Failed to load resource/.test(msg.text()) && expected.some((part) => url.includes(part))) return;
    errors.push(`console error on ${page.url()}: ${msg.text()}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught on ${page.url()}: ${err.message}`));
  return {
    errors,
    expectFailedRequest(urlPart) {
      expected.push(urlPart);
    },
  };
}

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

let axeSource: string | null = null;

/**
 * Runs axe-core in the page (WCAG 2.x A and AA rules and best practices) and returns the serious and
 * critical violations, each with the elements concerned. The script is evaluated through the DevTools
 * protocol, so the page's Content-Security-Policy stays as strict as in production.
 */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const violations = (await page.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) })))`)) as AxeViolation[];
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** One line per violation and element, for a readable failure message. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations.map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`).join('\n');
}
