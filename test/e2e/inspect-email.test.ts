import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// inspect-email reads one raw message and writes nothing: DATA_DIR must stay empty (no database opened).
const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function inspect(file: string) {
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'inspect-email', file], {
    env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const lines = res.stdout.trim().split('\n');
  return { code: res.status, out: `${res.stdout}${res.stderr}`, json: JSON.parse(lines.at(-1) ?? 'null') as Record<string, unknown> };
}

const fixture = (name: string) => path.join('test/fixtures/email', name);

describe('guichet inspect-email', () => {
  it('explains a reply to our acknowledgement: thread, new text without the quote', () => {
    const r = inspect(fixture('reply-gmail-fr-wrapped-attribution.eml'));
    expect(r.code, r.out).toBe(0);
    expect(r.json).toMatchObject({
      kind: 'reply',
      fromEmail: 'lucie.bernard@gmail.example',
      originalSenderEmail: null,
      threadRef: 'REC-2026-000123',
      subject: 'Re: Accusé de réception de votre réclamation [REC-2026-000123]',
      attachments: [],
      bouncedMessageId: null,
    });
    expect(r.json.newText).toContain('chambre des enfants');
    expect(r.json.newText).not.toContain('Nous avons bien reçu');
  });

  it('explains a colleague’s forward and a bounce of our message', () => {
    const fwd = inspect(fixture('forward-outlook-tr-fr.eml'));
    expect(fwd.code, fwd.out).toBe(0);
    expect(fwd.json).toMatchObject({ kind: 'forward', fromEmail: 'claire.duval@duval-assurances.example', originalSenderEmail: 'robert.faure@wanadoo.example' });
    const bounce = inspect(fixture('bounce-postfix.eml'));
    expect(bounce.code, bounce.out).toBe(0);
    expect(bounce.json).toMatchObject({ kind: 'bounce', threadRef: 'REC-2026-000123', bouncedMessageId: 'guichet.REC-2026-000123.ack.k3f9x@mail.example' });
    expect(bounce.json.attachments).toContainEqual({ filename: 'Accusé de réception [REC-2026-000123].eml', contentType: 'message/rfc822' });
  });

  it('reports an unreadable mail with kind null, a reason and exit code 1; a missing file with 2', () => {
    const r = inspect(fixture('malformed-no-from.eml'));
    expect(r.code, r.out).toBe(1);
    expect(r.json).toMatchObject({ kind: null, error: expect.stringContaining('sans expéditeur') });
    const missing = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', 'inspect-email', 'nulle-part.eml'], { encoding: 'utf8', env: { ...process.env, DATA_DIR: dir }, timeout: 120_000 });
    expect(missing.status, `${missing.stdout}${missing.stderr}`).toBe(2);
    expect(missing.stderr).toContain('Fichier introuvable');
    expect(readdirSync(dir)).toEqual([]);
  });
});
