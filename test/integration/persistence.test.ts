import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDeps } from '../../src/deps.ts';
import { createLogger } from '../../src/logger.ts';
import { buildApp } from '../../src/http/app.ts';
import { sampleComplaint, signupTenant, TestClient, PASSWORD } from '../helpers/http.ts';

describe('embedded storage', () => {
  it('keeps tenants, accounts and complaints across a restart', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-persist-'));
    try {
      const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dir, LOG_LEVEL: 'silent' });
      expect(config.pgliteDir).toBe(`${dir}/db`);
      const secret = 'persistence-test-secret-0123456789abcdef';

      const first = await createDeps(config, { logger: createLogger('silent') });
      expect(first.dbKind).toBe('pglite');
      const app1 = await buildApp(first, secret);
      const { client, email } = await signupTenant(app1);
      const created = (await client.post('/api/complaints', sampleComplaint())).json();
      await app1.close();
      await first.close();

      const second = await createDeps(config, { logger: createLogger('silent') });
      const app2 = await buildApp(second, secret);
      try {
        const again = new TestClient(app2);
        await again.login(email, PASSWORD);
        const detail = await again.get(`/api/complaints/${created.id}`);
        expect(detail.statusCode).toBe(200);
        expect(detail.json().complaint.reference).toBe(created.reference);
        expect(detail.json().customer.displayName).toBe('Jeanne Dupont');
      } finally {
        await app2.close();
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
