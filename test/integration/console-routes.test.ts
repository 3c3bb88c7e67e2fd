import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe('console entry points', () => {
  it('leads / to the console, and keeps the view and filters of a link without the trailing slash', async () => {
    const root = await env.app.inject({ method: 'GET', url: '/' });
    expect(root.statusCode).toBe(302);
    expect(root.headers.location).toBe('/console/');
    const bare = await env.app.inject({ method: 'GET', url: '/console' });
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toBe('/console/');
    const view = await env.app.inject({ method: 'GET', url: '/console?vue=team&statut=en_cours' });
    expect(view.statusCode).toBe(301);
    expect(view.headers.location).toBe('/console/?vue=team&statut=en_cours');
  });
});
