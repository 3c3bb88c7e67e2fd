import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, signupTenant } from '../helpers/http.ts';
import { resolveChannel } from '../../src/services/channels.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

const sid = `AC${'a1'.repeat(16)}`;
const twilio = (number: string, secrets: Record<string, string> = { authToken: 'super-secret-token' }) => ({
  kind: 'twilio',
  name: 'Numéro SMS',
  config: { number, accountSid: sid },
  secrets,
});

describe('channels', () => {
  it('stores credentials sealed, never returns them, and keeps them when an update omits them', async () => {
    const t = await signupTenant(env.app, 'Cabinet Canaux');
    const created = await t.client.post('/api/channels', twilio('06 40 00 00 01'));
    expect(created.statusCode, created.body).toBe(201);
    const dto = created.json();
    expect(dto).toMatchObject({ kind: 'twilio', address: '+33640000001', secretsSet: ['authToken'], enabled: true });
    expect(created.body).not.toContain('super-secret-token');
    const row = await env.deps.db.selectFrom('channels').selectAll().where('id', '=', dto.id).executeTakeFirstOrThrow();
    expect(row.sealed_secrets).not.toContain('super-secret-token');

    const updated = await t.client.put(`/api/channels/${dto.id}`, { ...twilio('+33640000001', {}), name: 'Ligne sinistres' });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toMatchObject({ name: 'Ligne sinistres', secretsSet: ['authToken'] });
    // The webhook side finds the tenant by the number, in any format, with the credentials opened.
    const open = await resolveChannel(env.deps, 'twilio', '+33 6 40 00 00 01');
    expect(open).toMatchObject({ tenantId: t.tenant.id, secrets: { authToken: 'super-secret-token' } });

    const events = await env.deps.db.selectFrom('events').select(['type', 'data']).where('tenant_id', '=', t.tenant.id).where('type', 'like', 'channel.%').execute();
    expect(events.map((e) => e.type)).toEqual(['channel.created', 'channel.updated']);
    expect(JSON.stringify(events)).not.toContain('super-secret-token');
  });

  it('refuses a number already connected to another firm, invalid settings, and non-admins', async () => {
    const a = await signupTenant(env.app, 'Cabinet Un');
    const b = await signupTenant(env.app, 'Cabinet Deux');
    expect((await a.client.post('/api/channels', twilio('+33640000009'))).statusCode).toBe(201);
    const taken = await b.client.post('/api/channels', twilio('0640000009'));
    expect(taken.statusCode).toBe(409);
    expect(taken.json().message).toMatch(/autre cabinet/);
    const bad = await b.client.post('/api/channels', { ...twilio('+33640000010'), config: { number: 'pas un numéro', accountSid: 'xx' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/Numéro de téléphone invalide|Identifiant de compte Twilio/);
    const agent = await addUser(env.app, b.client, 'agent');
    expect((await agent.client.get('/api/channels')).statusCode).toBe(403);
    expect((await agent.client.post('/api/channels', twilio('+33640000011'))).statusCode).toBe(403);
  });

  it('deletes a channel: its number no longer selects the tenant', async () => {
    const t = await signupTenant(env.app, 'Cabinet Trois');
    const id = (await t.client.post('/api/channels', twilio('+33640000020'))).json().id;
    expect(await resolveChannel(env.deps, 'twilio', '+33640000020')).toBeDefined();
    expect((await t.client.delete(`/api/channels/${id}`)).statusCode).toBe(204);
    expect(await resolveChannel(env.deps, 'twilio', '+33640000020')).toBeUndefined();
    expect((await t.client.get('/api/channels')).json().items).toEqual([]);
  });
});
