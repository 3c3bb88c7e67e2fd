import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signupTenant } from '../helpers/http.ts';
import { acceptInbound, inboundOutcome } from '../../src/intake/journal.ts';
import { listIdentities } from '../../src/db/repositories/customers.ts';

/**
 * A forward is the customer's message only when a colleague forwarded it. The same forwarded mail sent
 * by someone outside the firm (a customer forwarding their insurer's letter) is that person's message.
 */
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

const fixture = (name: string, from?: string) => {
  const raw = readFileSync(new URL(`../fixtures/email/${name}`, import.meta.url), 'latin1');
  const changed = from ? raw.replace(/^From: .*$/m, `From: ${from}`).replace(/^Message-ID: .*$/im, `Message-ID: <other-${Date.now()}@gmail.com>`) : raw;
  return Buffer.from(changed, 'latin1');
};

async function ingest(tenantId: string, name: string, externalId: string, from?: string) {
  await acceptInbound(env.deps, { tenantId, channel: 'email', externalId, payload: fixture(name, from), contentType: 'message/rfc822' });
  await env.deps.queue.drain();
  const outcome = await inboundOutcome(env.deps, tenantId, 'email', externalId);
  expect(outcome.status, JSON.stringify(outcome)).toBe('processed');
  const message = await env.deps.db.selectFrom('messages').selectAll().where('id', '=', outcome.messageId!).executeTakeFirstOrThrow();
  return { outcome, message, identities: await listIdentities(env.deps.db, tenantId, outcome.customerId!) };
}

describe('forwarded complaints', () => {
  it('links a colleague’s forward to the original sender, and a stranger’s “forward” to the stranger', async () => {
    // The firm's own address is on the forwarder's domain (duval-assurances.example).
    const t = await signupTenant(env.app, 'Cabinet Duval Transferts');
    await env.deps.db.updateTable('tenants').set({ email: 'contact@duval-assurances.example' }).where('id', '=', t.tenant.id).execute();

    const colleague = await ingest(t.tenant.id, 'forward-gmail-fr.eml', 'fwd-colleague');
    expect(colleague.identities).toContainEqual({ kind: 'email', value: 'sylvie.mercier@orange.example' });
    expect(colleague.message.meta).toMatchObject({ forwardedBy: { email: 'paul.duval@duval-assurances.example' } });

    const stranger = await ingest(t.tenant.id, 'forward-thunderbird-fr.eml', 'fwd-stranger', 'Marc Girard <marc.girard@gmail.com>');
    expect(stranger.identities).toContainEqual({ kind: 'email', value: 'marc.girard@gmail.com' });
    expect(stranger.identities).not.toContainEqual({ kind: 'email', value: 'anne.lemoine@laposte.example' });
    expect(stranger.message.meta).not.toHaveProperty('forwardedBy');
    expect((stranger.message.meta as { declared?: Record<string, string> }).declared?.forwardedFrom).toContain('anne.lemoine@laposte.example');
    expect(stranger.outcome.customerId).not.toBe(colleague.outcome.customerId);
  });
});
