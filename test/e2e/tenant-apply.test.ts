import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { buildApp } from '../../src/http/app.ts';
import { TestClient } from '../helpers/http.ts';

/** Public contract: `npm run guichet -- tenant apply FILE.json` prints `{ tenantId, slug }` on its last line. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-apply-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function apply(file: string, extraEnv: Record<string, string> = {}) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'tenant', 'apply', file], {
    env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn', DEMO: 'off', GUICHET_ADMIN_PASSWORD: 'mot-de-passe-du-fichier', GUICHET_MAILBOX_PASSWORD: 'imap-pass', GUICHET_TWILIO_AUTH_TOKEN: 'twilio-token', ...extraEnv },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const last = res.stdout.trim().split('\n').pop() ?? '';
  return { code: res.status, out: res.stdout + res.stderr, json: last.startsWith('{') ? JSON.parse(last) : null };
}

describe('guichet tenant apply', () => {
  it('creates the tenant from the example file, then applies it again without duplicating anything', async () => {
    const first = apply('examples/tenant.json');
    expect(first.code, first.out).toBe(0);
    expect(first.json).toEqual({ tenantId: expect.any(String), slug: 'cabinet-martin' });
    expect(first.out).toMatch(/Invitation pour hugo\.roux@martin-courtage\.example : http/);

    const changed = JSON.parse(readFileSync('examples/tenant.json', 'utf8'));
    changed.users[1].role = 'manager';
    changed.processes[0].internalTargetDays = 8;
    const file = path.join(dir, 'changed.json');
    writeFileSync(file, JSON.stringify(changed));
    const second = apply(file);
    expect(second.code, second.out).toBe(0);
    expect(second.json.tenantId).toBe(first.json.tenantId);
    expect(second.out).not.toContain('Invitation pour');

    const deps = await createDeps(loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' }), { logger: createLogger('silent') });
    const app = await buildApp(deps, 'apply-test-secret-0123456789abcdef0123');
    try {
      const admin = new TestClient(app);
      await admin.login('claire.martin@martin-courtage.example', 'mot-de-passe-du-fichier');
      const users = (await admin.get('/api/users')).json().items as { email: string; role: string; status: string }[];
      expect(users).toHaveLength(3);
      expect(users.find((u) => u.email.startsWith('hugo'))).toMatchObject({ role: 'manager', status: 'invited' });
      const processes = (await admin.get('/api/processes')).json().items as { key: string; internalTargetDays: number; assignment: { mode: string } }[];
      expect(processes.find((p) => p.key === 'reclamation-indemnisation')).toMatchObject({ internalTargetDays: 8, assignment: { mode: 'round_robin' } });
      expect(processes.find((p) => p.key === 'reclamation-flotte')?.assignment.mode).toBe('fixed');
      expect(processes.filter((p) => p.key === 'reclamation-flotte')).toHaveLength(1);
      const channels = (await admin.get('/api/channels')).json().items as { kind: string; address: string; secretsSet: string[] }[];
      expect(channels.map((c) => [c.kind, c.address, c.secretsSet])).toEqual([
        ['email', 'reclamations@martin-courtage.example', ['imapPassword', 'smtpPassword']],
        ['twilio', '+33644632100', ['authToken']],
      ]);
      const settings = (await admin.get('/api/settings')).json();
      expect(settings).toMatchObject({ zone: 'alsace-moselle', intake: { duplicateWindowDays: 10 }, qualification: { triageBelow: 0.45 } });
    } finally {
      await app.close();
      await deps.close();
    }
  }, 180_000);

  it('refuses an invalid file with the field and reason, and changes nothing', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ slug: 'Pas Bon', companyName: 'X', managerName: 'Y', email: 'nope', plan: 'gold', users: [] }));
    const r = apply(file);
    expect(r.code).toBe(2);
    expect(r.out).toContain('Fichier de cabinet invalide');
    expect(r.out).toMatch(/slug/);
    expect(r.out).toMatch(/plan/);
  });

  it('refuses a channel whose credential variable is not set, naming it', () => {
    const r = apply('examples/tenant.json', { GUICHET_TWILIO_AUTH_TOKEN: '' });
    expect(r.code).toBe(2);
    expect(r.out).toContain('GUICHET_TWILIO_AUTH_TOKEN');
  });
});
