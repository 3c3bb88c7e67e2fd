import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signupTenant } from '../helpers/http.ts';
import { acceptInbound, acceptInboundMany, inboundOutcome } from '../../src/intake/journal.ts';

const mode = `${process.env.DATABASE_URL ? 'postgres' : 'pglite'} + ${process.env.REDIS_URL ? 'bullmq' : 'in-process queue'}`;
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

const mail = (id: string, who: string) =>
  new TextEncoder().encode(
    [`From: ${who} <${who}@example.fr>`, 'To: reclamations@cabinet.example', `Subject: Sinistre ${id}`, `Message-ID: <${id}>`, 'Content-Type: text/plain; charset=UTF-8', '', `Mon sinistre ${id} n’est toujours pas indemnisé.`, ''].join('\r\n'),
  );

describe(`journal group commit (${mode})`, () => {
  it('journals concurrent payloads of several tenants once each, reports repeats as duplicates, and ingests them all', async () => {
    const a = await signupTenant(env.app);
    const b = await signupTenant(env.app);
    const ids = Array.from({ length: 60 }, (_, i) => `concurrent-${i}-${randomUUID()}@example.fr`);
    // 60 distinct mails to each of two tenants (the same ids: other payloads), each one sent twice at the
    // same moment (a fetch racing another, a provider retry racing the original).
    const calls = [a, b].flatMap((t) =>
      ids.flatMap((id, i) => [
        { tenantId: t.tenant.id, channel: 'email' as const, externalId: id, payload: mail(id, `client${i}`), contentType: 'message/rfc822' },
        { tenantId: t.tenant.id, channel: 'email' as const, externalId: id, payload: mail(id, `client${i}`), contentType: 'message/rfc822' },
      ]),
    );
    const results = await Promise.all(calls.map((c) => acceptInbound(env.deps, c)));

    // Each pair: exactly one new row and one duplicate of the same row.
    for (let i = 0; i < results.length; i += 2) {
      expect(results[i]!.journalId).toBe(results[i + 1]!.journalId);
      expect([results[i]!.duplicate, results[i + 1]!.duplicate].sort()).toEqual([false, true]);
    }
    const journal = await env.deps.db.selectFrom('inbound_journal').select(['tenant_id', 'external_id']).where('tenant_id', 'in', [a.tenant.id, b.tenant.id]).execute();
    expect(journal).toHaveLength(120);
    expect(new Set(journal.map((r) => `${r.tenant_id}|${r.external_id}`)).size).toBe(120);

    await env.deps.queue.drain();
    for (const t of [a, b]) {
      const outcome = await inboundOutcome(env.deps, t.tenant.id, 'email', ids[7]!);
      expect(outcome.status).toBe('processed');
      expect(outcome.reference).toMatch(/^REC-\d{4}-\d{6}$/);
      expect((await t.client.get('/api/complaints?limit=100')).json().total).toBe(60);
    }
  });

  it('fails only the payload the database refuses; the others of the same group are journaled', async () => {
    const t = await signupTenant(env.app);
    const good = Array.from({ length: 20 }, (_, i) => `good-${i}-${randomUUID()}@example.fr`);
    const calls = good.map((id, i) => acceptInbound(env.deps, { tenantId: t.tenant.id, channel: 'email', externalId: id, payload: mail(id, `client${i}`), contentType: 'message/rfc822' }));
    // A tenant that does not exist: the foreign key refuses this row (and would fail a shared INSERT).
    const orphan = acceptInbound(env.deps, { tenantId: randomUUID(), channel: 'email', externalId: 'orphan@example.fr', payload: mail('orphan@example.fr', 'x'), contentType: 'message/rfc822' });
    const settled = await Promise.allSettled([...calls, orphan]);
    expect(settled.slice(0, 20).every((s) => s.status === 'fulfilled' && !s.value.duplicate)).toBe(true);
    expect(settled[20]!.status).toBe('rejected');
    const rows = await env.deps.db.selectFrom('inbound_journal').select('external_id').where('tenant_id', '=', t.tenant.id).execute();
    expect(rows.map((r) => r.external_id).sort()).toEqual([...good].sort());
    expect(await env.deps.db.selectFrom('inbound_journal').select('id').where('external_id', '=', 'orphan@example.fr').execute()).toHaveLength(0);
    await env.deps.queue.drain();
    expect((await t.client.get('/api/complaints?limit=100')).json().total).toBe(20);
  });

  it('keeps every payload byte for byte, alone or in a batch: all 256 byte values, backslashes, views into larger buffers', async () => {
    const t = await signupTenant(env.app);
    const everyByte = Uint8Array.from({ length: 1024 }, (_, i) => i % 256);
    const backslashes = new TextEncoder().encode('\\x00 \\\\ \\001 fin\u0000');
    const backing = Buffer.alloc(20_000, 0xab);
    backing.set(everyByte, 5000);
    const view = backing.subarray(4999, 6100); // a slice, as imapflow hands out sources
    const payloads = [everyByte, backslashes, view, new Uint8Array(0)];
    const single = await acceptInbound(env.deps, { tenantId: t.tenant.id, channel: 'email', externalId: `seul-${randomUUID()}`, payload: everyByte, contentType: 'application/octet-stream' });
    const batch = await acceptInboundMany(
      env.deps,
      payloads.map((payload, i) => ({ tenantId: t.tenant.id, channel: 'email' as const, externalId: `lot-${i}-${randomUUID()}`, payload, contentType: 'application/octet-stream' })),
    );
    const rows = await env.deps.db.selectFrom('inbound_journal').select(['id', 'payload']).where('tenant_id', '=', t.tenant.id).execute();
    const byId = new Map(rows.map((r) => [r.id, Buffer.from(r.payload)]));
    expect(byId.get(single.journalId)).toEqual(Buffer.from(everyByte));
    batch.forEach((r, i) => expect(byId.get(r.journalId)).toEqual(Buffer.from(payloads[i]!)));
  });

  it('stores large payloads as migration 0018 decides: lz4 on PostgreSQL, uncompressed where TOAST has only pglz', async () => {
    const t = await signupTenant(env.app);
    const text = new TextEncoder().encode('Bonjour, mon dégât des eaux n’est toujours pas indemnisé. '.repeat(1500));
    const [row] = await acceptInboundMany(env.deps, [{ tenantId: t.tenant.id, channel: 'email', externalId: `gros-${randomUUID()}`, payload: text, contentType: 'message/rfc822' }]);
    const stored = await sql<{ method: string | null; size: number }>`SELECT pg_column_compression(payload) AS method, pg_column_size(payload) AS size FROM inbound_journal WHERE id = ${row!.journalId}`.execute(env.deps.db);
    const lz4 = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)`.execute(env.deps.db);
    if (lz4.rows[0]!.n > 0) {
      expect(stored.rows[0]!.method).toBe('lz4');
      expect(stored.rows[0]!.size).toBeLessThan(text.byteLength / 4);
    } else {
      expect(stored.rows[0]!.method).toBeNull();
      expect(stored.rows[0]!.size).toBeGreaterThanOrEqual(text.byteLength);
    }
  });
});
