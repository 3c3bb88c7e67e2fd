import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * What the README promises a new user: `npm start` on an empty data folder creates the demo tenant,
 * prints the URL and the demo login, answers /health, and keeps what was created after a restart.
 */
const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-start-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'start'], {
    env: { ...process.env, DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready in time:\n${out}`)), 90_000);
    child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${out}`)));
    const poll = setInterval(() => {
      const m = /Guichet est prêt : (http:\/\/[^\s]+)/.exec(out);
      // The demo login is printed right after the ready line.
      if (m && (/Mot de passe : /.test(out) || /existe déjà/.test(out))) {
        clearInterval(poll);
        clearTimeout(timer);
        setTimeout(() => resolve({ child, url: m[1]!, output: () => out }), 200);
      }
    }, 100);
  });
}

async function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

class Browser {
  cookies = new Map<string, string>();
  constructor(readonly base: string) {}
  async fetch(p: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(this.base + p, { ...init, headers });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    return res;
  }
  async send(method: string, p: string, body: unknown): Promise<Response> {
    const { csrfToken } = (await (await this.fetch('/api/auth/csrf')).json()) as { csrfToken: string };
    return this.fetch(p, { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken } });
  }
}

describe('npm start on a fresh data folder', () => {
  it('prints the URL and demo login, serves the demo, and keeps data across a restart', async () => {
    const first = await start();
    const out = first.output();
    const email = /Identifiant : (\S+)/.exec(out)?.[1];
    const password = /Mot de passe : (\S+)/.exec(out)?.[1];
    expect(email).toBe('demo@duval-assurances.example');
    expect(password).toMatch(/^demo-/);

    expect(out).toContain(`Console des agents : ${first.url}/console/`);
    const consolePage = await fetch(`${first.url}/console/`);
    expect(consolePage.status).toBe(200);
    expect(await consolePage.text()).toMatch(/<div id="root">/);
    const health = await fetch(`${first.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', database: 'pglite' });

    const browser = new Browser(first.url);
    expect((await browser.send('POST', '/api/auth/login', { email, password })).status).toBe(200);
    const demo = (await (await browser.fetch('/api/complaints?limit=5')).json()) as { total: number };
    expect(demo.total).toBeGreaterThanOrEqual(200);
    const overdue = (await (await browser.fetch('/api/complaints?overdue=true')).json()) as { total: number };
    expect(overdue.total).toBeGreaterThan(0);
    // The demo login is in a team: « Mon équipe » is not empty on the first visit.
    const team = (await (await browser.fetch('/api/complaints?myTeams=true')).json()) as { total: number };
    expect(team.total).toBeGreaterThan(0);
    // The latest arrivals are a mix of channels, as in a real inbox.
    const latest = (await (await browser.fetch('/api/complaints?limit=30')).json()) as { items: { channel: string }[] };
    expect(new Set(latest.items.map((c) => c.channel)).size).toBeGreaterThanOrEqual(4);
    // The steering pages have something to show: last week's incident found as a recurring cause, the action
    // opened on it, and an older preventive action whose effect is measured.
    const signals = (await (await browser.fetch('/api/signals')).json()) as { items: { id: string; dimension: string | null; value: string | null }[] };
    const incident = signals.items.find((x) => x.dimension === 'cause' && x.value === 'gestion_contrat');
    expect(incident).toBeDefined();
    type ActionItem = { id: string; status: string; signalId: string | null };
    const actions = (await (await browser.fetch('/api/actions')).json()) as { items: ActionItem[] };
    expect(actions.items.find((a) => a.status === 'en_cours')?.signalId).toBe(incident!.id);
    const done = actions.items.find((a) => a.status === 'terminee')!;
    const effect = ((await (await browser.fetch(`/api/actions/${done.id}`)).json()) as { effectiveness: { change: number } }).effectiveness;
    expect(effect.change).toBeLessThan(0);
    // A demo email came in by itself; a demo letter was entered by an agent.
    type Detail = { messages: { direction: string; authorUserId: string | null }[]; events: { type: string; actorKind: string }[] };
    const firstOf = async (channel: string) => {
      const list = (await (await browser.fetch(`/api/complaints?channel=${channel}&limit=1`)).json()) as { items: { id: string }[] };
      return (await (await browser.fetch(`/api/complaints/${list.items[0]!.id}`)).json()) as Detail;
    };
    const mailed = await firstOf('email');
    expect(mailed.messages.find((m) => m.direction === 'inbound')!.authorUserId).toBeNull();
    expect(mailed.events.find((e) => e.type === 'complaint.created')!.actorKind).toBe('system');
    const letter = await firstOf('letter');
    expect(letter.messages.find((m) => m.direction === 'inbound')!.authorUserId).toEqual(expect.any(String));
    expect(letter.events.find((e) => e.type === 'complaint.created')!.actorKind).toBe('user');
    const created = await browser.send('POST', '/api/complaints', {
      channel: 'phone',
      complainant: { name: 'Appel Test', phone: '07 81 22 33 44' },
      description: 'Réclamation reçue par téléphone pendant le test de redémarrage.',
    });
    expect(created.status).toBe(201);
    const { id, reference } = (await created.json()) as { id: string; reference: string };
    expect(await stop(first.child)).toBe(0);

    const second = await start();
    expect(second.output()).toContain('Identifiant : demo@duval-assurances.example');
    const again = new Browser(second.url);
    expect((await again.send('POST', '/api/auth/login', { email, password })).status).toBe(200);
    const detail = await again.fetch(`/api/complaints/${id}`);
    expect(detail.status).toBe(200);
    expect(((await detail.json()) as { complaint: { reference: string } }).complaint.reference).toBe(reference);
    expect(await stop(second.child)).toBe(0);
  }, 180_000);
});
