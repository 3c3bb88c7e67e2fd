import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { sampleComplaint, signupTenant } from '../helpers/http.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

describe(`customer directory (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('finds a customer by a misspelt name (trigram similarity), email, phone or contract number', async () => {
    const { client } = await signupTenant(env.app);
    const made = (await client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Jean-Baptiste Lefèvre', email: 'jb.lefevre@example.fr', phone: '06 98 76 54 32' }, contractNumber: 'AU-2024-118734' }))).json();
    await client.post('/api/complaints', sampleComplaint({ complainant: { name: 'Martine Durand', email: 'martine@example.fr' }, contractNumber: null }));
    const ids = async (q: string) => (await client.get(`/api/customers?q=${encodeURIComponent(q)}`)).json().items.map((c: { id: string }) => c.id);
    expect(await ids('Jean Baptiste Lefevre')).toEqual([made.customerId]);
    expect(await ids('lefèvr')).toEqual([made.customerId]);
    expect(await ids('JB.Lefevre@Example.fr')).toEqual([made.customerId]);
    expect(await ids('+33 6 98 76 54 32')).toEqual([made.customerId]);
    expect(await ids('au 2024 118734')).toEqual([made.customerId]);
    expect(await ids('Zorglub')).toEqual([]);
    expect((await client.get('/api/customers?q=a')).statusCode).toBe(400);
  });

  it('shows a customer file with identities and complaints from every channel', async () => {
    const { client } = await signupTenant(env.app);
    const first = (await client.post('/api/complaints', sampleComplaint({ channel: 'letter' }))).json();
    await client.post('/api/complaints', sampleComplaint({ channel: 'phone', complainant: { name: 'Jeanne Dupont', phone: '+33612345678' }, contractNumber: null }));
    const file = (await client.get(`/api/customers/${first.customerId}`)).json();
    expect(file.displayName).toBe('Jeanne Dupont');
    expect(file.complaintsTotal).toBe(2);
    expect(file.complaints.map((c: { channel: string }) => c.channel).sort()).toEqual(['letter', 'phone']);
    expect(file.identities).toContainEqual({ kind: 'phone', value: '+33612345678' });
  });

  it('serves the OpenAPI document describing the routes', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/complaints', '/api/complaints/{complaintId}', '/api/customers']));
    expect(doc.paths['/api/complaints'].post.requestBody).toBeDefined();
  });
});
