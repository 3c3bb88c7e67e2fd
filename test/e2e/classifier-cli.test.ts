import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/** The public contract: `npm run guichet -- eval-classifier --data FILE.csv --field product|cause|kind`. */
const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-eval-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function evalClassifier(file: string, field: string) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'eval-classifier', '--data', file, '--field', field], {
    env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const last = res.stdout.trim().split('\n').pop() ?? '';
  return { code: res.status, out: res.stdout + res.stderr, json: last.startsWith('{') ? JSON.parse(last) : null };
}

describe('eval-classifier', () => {
  it('prints { n, accuracy, macroF1, perLabel, confusion } on its last line for held-out texts', () => {
    const r = evalClassifier('test/fixtures/holdout-product.csv', 'product');
    expect(r.code, r.out).toBe(0);
    expect(Object.keys(r.json).sort()).toEqual(['accuracy', 'confusion', 'macroF1', 'n', 'perLabel']);
    expect(r.json.n).toBe(36);
    // Texts written apart from the training corpus: the shipped model must generalise to them.
    expect(r.json.accuracy).toBeGreaterThanOrEqual(Number(process.env.HOLDOUT_MIN_ACCURACY ?? 0.7));
    const kind = evalClassifier('test/fixtures/holdout-kind.csv', 'kind');
    expect(kind.json.n).toBe(16);
    expect(kind.json.accuracy).toBeGreaterThanOrEqual(0.75);
  });

  it('counts labels outside the taxonomy as errors, handles quotes, commas and a BOM', () => {
    const file = path.join(dir, 'odd.csv');
    writeFileSync(file, '\ufefftext,label\n"Mon pare-brise, fissuré ""gravement""",voiture\n"Ma mutuelle ne rembourse pas",sante\n');
    const r = evalClassifier(file, 'product');
    expect(r.code, r.out).toBe(0);
    expect(r.json.n).toBe(2);
    expect(r.json.perLabel.voiture.recall).toBe(0);
    expect(r.json.confusion.voiture).toBeDefined();
  });

  it('refuses a bad call with a usage message', () => {
    const r = evalClassifier('test/fixtures/holdout-product.csv', 'couleur');
    expect(r.code).toBe(2);
    expect(r.out).toContain('Usage');
  });
});
