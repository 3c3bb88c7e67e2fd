import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function guichet(...args: string[]) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args], {
    env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

describe('guichet CLI (README commands)', () => {
  it('migrate applies the migrations once, then reports the base up to date', () => {
    const first = guichet('migrate');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toContain('Migrations appliquées : 0001_initial');
    const second = guichet('migrate');
    expect(second.out).toContain('Base à jour');
  });

  it('demo creates the demo firm once and prints its login', () => {
    const first = guichet('demo');
    expect(first.code, first.out).toBe(0);
    expect(first.out).toMatch(/Cabinet de démonstration créé \(2\d\d réclamations\)/);
    expect(first.out).toMatch(/Identifiant : demo@duval-assurances\.example\s+Mot de passe : demo-\S+/);
    const second = guichet('demo');
    expect(second.out).toContain('existe déjà');
  });

  it('explains itself and refuses unknown commands and bad configuration', () => {
    expect(guichet('help').out).toContain('migrate');
    const unknown = guichet('fly');
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain('Commande inconnue');
    const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'migrate'], {
      env: { ...process.env, PORT: 'quatre' },
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toContain('PORT');
  });
});
