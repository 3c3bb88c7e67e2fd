import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signupTenant } from '../helpers/http.ts';
import { customerMail } from '../helpers/mail.ts';
import { waitFor } from '../helpers/wait.ts';
import {
  dovecotTestsEnabled,
  selfSignedCertificate,
  startDovecot,
  startIntrospectionServer,
  type DovecotServer,
  type IntrospectionServer,
  type SelfSigned,
} from '../helpers/dovecot.ts';
import { openChannel } from '../../src/services/channels.ts';
import { getChannel } from '../../src/db/repositories/channels.ts';
import type { Channel } from '../../src/db/types.ts';
import { importMailbox, MailboxReader } from '../../connectors/email/imap.ts';

/**
 * How a mailbox reaches its server, against a real Dovecot: implicit TLS and STARTTLS with a throwaway
 * self-signed certificate (trusted through the channel's `imap.tlsCa`, refused with a French health error
 * without it), and OAuth2 (Dovecot's oauth2 passdb asking a local token introspection endpoint): a valid
 * access token imports, a revoked one is a French error in the health. Channels are made through the API.
 */
const enabled = dovecotTestsEnabled();
const mode = process.env.DATABASE_URL ? 'postgres' : 'pglite';

let env: TestEnv;
let cert: SelfSigned;
let introspection: IntrospectionServer;
let dovecot: DovecotServer;
/** Offers XOAUTH2 only (imapflow prefers OAUTHBEARER when both are offered). */
let xoauth2Only: DovecotServer;
const readers: MailboxReader[] = [];

beforeAll(async () => {
  if (!enabled) return;
  env = await createTestEnv({ workers: false });
  cert = selfSignedCertificate();
  introspection = await startIntrospectionServer();
  const tls = { certFile: cert.certFile, keyFile: cert.keyFile };
  [dovecot, xoauth2Only] = await Promise.all([
    startDovecot({ tls, oauth2: { introspectionUrl: introspection.url } }),
    startDovecot({ tls, oauth2: { introspectionUrl: introspection.url, mechanisms: ['xoauth2'] } }),
  ]);
});
afterAll(async () => {
  await Promise.all(readers.map((r) => r.stop()));
  await env?.close();
  await Promise.all([dovecot?.destroy(), xoauth2Only?.destroy()]);
  await introspection?.close();
  cert?.remove();
});

let seq = 0;
type Imap = { port: number; tls: boolean; tlsCa?: string | null; auth?: 'password' | 'oauth2' };

/** A tenant and its mailbox on its own folder, saved through POST /api/channels. */
async function mailbox(server: DovecotServer, imap: Imap, secrets: { imapPassword?: string; imapAccessToken?: string }) {
  const folder = `auth${++seq}`;
  const c = await server.client();
  await c.mailboxCreate(folder);
  await c.logout();
  const t = await signupTenant(env.app, `Cabinet Sécurité ${seq}`);
  const res = await t.client.post('/api/channels', {
    kind: 'email',
    name: `Réclamations ${seq}`,
    config: {
      address: `securite${seq}.${Date.now().toString(36)}@cabinet.example`,
      imap: { host: '127.0.0.1', user: server.user, folder, afterImport: 'seen', pollSeconds: 3600, ...imap },
      smtp: { host: '127.0.0.1', port: 2525 },
    },
    secrets,
  });
  expect(res.statusCode, res.body).toBe(201);
  const dto = res.json() as { id: string; config: { imap: Record<string, unknown> }; secretsSet: string[] };
  const row = (await getChannel(env.deps.db, t.tenant.id, dto.id)) as Channel & { kind: 'email' };
  return { t, dto, folder, channel: openChannel(env.deps, row), tenantId: t.tenant.id };
}

async function journaled(tenantId: string): Promise<string[]> {
  const rows = await env.deps.db.selectFrom('inbound_journal').select('external_id').where('tenant_id', '=', tenantId).where('channel', '=', 'email').execute();
  return rows.map((r) => r.external_id);
}

/** The health as an admin reads it in GET /api/channels/:id. */
async function health(box: Awaited<ReturnType<typeof mailbox>>): Promise<Record<string, unknown>> {
  const res = await box.t.client.get(`/api/channels/${box.dto.id}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as { health: Record<string, unknown> }).health;
}

function reader(box: Awaited<ReturnType<typeof mailbox>>): MailboxReader {
  const r = new MailboxReader(env.deps, box.channel, { ownerId: `auth-test-${seq}`, backoff: { initialMs: 100, maxMs: 300 }, timeoutMs: 5000 });
  readers.push(r);
  r.start();
  return r;
}

async function stopped(r: MailboxReader): Promise<void> {
  await r.stop();
  readers.splice(readers.indexOf(r), 1);
}

describe.skipIf(!enabled)(`IMAP over TLS and OAuth2 (${mode})`, () => {
  it('implicit TLS with the self-signed certificate trusted through imap.tlsCa imports a mail', async () => {
    const box = await mailbox(dovecot, { port: dovecot.tlsPort!, tls: true, tlsCa: cert.certPem }, { imapPassword: dovecot.password });
    expect(box.dto.config.imap.tlsCa).toContain('-----BEGIN CERTIFICATE-----');
    const mail = customerMail({ subject: 'Sinistre via TLS' });
    await dovecot.append(mail.raw, { folder: box.folder });
    expect(await importMailbox(env.deps, box.channel, { timeoutMs: 5000 })).toMatchObject({ found: 1, imported: 1 });
    expect(await journaled(box.tenantId)).toEqual([mail.messageId]);
    expect(dovecot.log()).toMatch(/Login: user=<boite>, method=PLAIN, .*TLS/);
  });

  it('STARTTLS (tls: false on the plain port) verifies the certificate the same way', async () => {
    const box = await mailbox(dovecot, { port: dovecot.port, tls: false, tlsCa: cert.certPem }, { imapPassword: dovecot.password });
    const mail = customerMail({ subject: 'Sinistre via STARTTLS' });
    await dovecot.append(mail.raw, { folder: box.folder });
    expect(await importMailbox(env.deps, box.channel, { timeoutMs: 5000 })).toMatchObject({ imported: 1 });
    expect(await journaled(box.tenantId)).toEqual([mail.messageId]);

    // Without the certificate, STARTTLS fails on it: no silent fall back to plaintext.
    const untrusted = await mailbox(dovecot, { port: dovecot.port, tls: false }, { imapPassword: dovecot.password });
    await dovecot.append(customerMail().raw, { folder: untrusted.folder });
    await expect(importMailbox(env.deps, untrusted.channel, { timeoutMs: 5000 })).rejects.toMatchObject({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect((await health(untrusted)).lastError).toMatch(/^Certificat TLS du serveur IMAP 127\.0\.0\.1:\d+ non reconnu \(auto-signé\)/);
    expect(await journaled(untrusted.tenantId)).toEqual([]);
  });

  it('an untrusted certificate: the reader stays disconnected, with a clear French error and nothing imported', async () => {
    const box = await mailbox(dovecot, { port: dovecot.tlsPort!, tls: true }, { imapPassword: dovecot.password });
    await dovecot.append(customerMail().raw, { folder: box.folder });
    const r = reader(box);
    const h = await waitFor('TLS error in the health', async () => {
      const v = await health(box);
      return typeof v.lastError === 'string' ? v : null;
    });
    await stopped(r);
    expect(h.connected).toBe(false);
    expect(h.lastError).toBe(`Certificat TLS du serveur IMAP 127.0.0.1:${dovecot.tlsPort} non reconnu (auto-signé) : ajoutez le certificat du serveur ou de son autorité (PEM, réglage « tlsCa » de la boîte).`);
    expect(await journaled(box.tenantId)).toEqual([]);

    // Another certificate than the server's is no better; TLS on the plaintext port says so too.
    const other = selfSignedCertificate('autre.guichet.test');
    try {
      const wrongCa = await mailbox(dovecot, { port: dovecot.tlsPort!, tls: true, tlsCa: other.certPem }, { imapPassword: dovecot.password });
      await expect(importMailbox(env.deps, wrongCa.channel, { timeoutMs: 5000 })).rejects.toThrow();
      expect((await health(wrongCa)).lastError).toMatch(/non reconnu \(auto-signé\) : le certificat d’autorité enregistré pour cette boîte ne le reconnaît pas\.$/);
    } finally {
      other.remove();
    }
    const plainPort = await mailbox(dovecot, { port: dovecot.port, tls: true }, { imapPassword: dovecot.password });
    await expect(importMailbox(env.deps, plainPort.channel, { timeoutMs: 5000 })).rejects.toThrow();
    expect((await health(plainPort)).lastError).toMatch(/ne parle pas TLS sur ce port/);
  });

  it('refuses a tlsCa that is not a PEM certificate, in French', async () => {
    const t = await signupTenant(env.app, 'Cabinet PEM');
    const res = await t.client.post('/api/channels', {
      kind: 'email',
      name: 'Réclamations',
      config: { address: `pem.${Date.now().toString(36)}@cabinet.example`, imap: { host: '127.0.0.1', user: 'x', tlsCa: '-----BEGIN CERTIFICATE-----\nnimportequoi\n-----END CERTIFICATE-----' }, smtp: { host: '127.0.0.1' } },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/Certificat PEM invalide/);
  });

  it('OAuth2 (OAUTHBEARER): a valid access token imports a mail; once revoked, the health says so in French', async () => {
    const token = `jeton-${Date.now().toString(36)}`;
    introspection.grant(token, dovecot.user);
    const box = await mailbox(dovecot, { port: dovecot.tlsPort!, tls: true, tlsCa: cert.certPem, auth: 'oauth2' }, { imapAccessToken: token });
    expect(box.dto.secretsSet).toEqual(['imapAccessToken']);
    const first = customerMail({ subject: 'Réclamation par OAuth2' });
    await dovecot.append(first.raw, { folder: box.folder });
    expect(await importMailbox(env.deps, box.channel, { timeoutMs: 5000 })).toMatchObject({ imported: 1 });
    expect(await journaled(box.tenantId)).toEqual([first.messageId]);
    // Dovecot asked the introspection endpoint about this very token, and logged the mechanism.
    expect(introspection.seen).toContain(token);
    expect(dovecot.log()).toMatch(/Login: user=<boite>, method=OAUTHBEARER, .*TLS/);

    introspection.revoke(token);
    const second = customerMail({ subject: 'Après révocation' });
    await dovecot.append(second.raw, { folder: box.folder });
    const r = reader(box);
    const h = await waitFor('OAuth2 error in the health', async () => {
      const v = await health(box);
      return typeof v.lastError === 'string' ? v : null;
    });
    await stopped(r);
    expect(h.connected).toBe(false);
    expect(h.lastError).toBe(
      `Connexion IMAP refusée par 127.0.0.1:${dovecot.tlsPort} : jeton OAuth2 refusé pour boite (expiré, révoqué ou d’un autre compte). Enregistrez un nouveau jeton d’accès pour cette boîte.`,
    );
    expect(JSON.stringify(h)).not.toContain(token);
    expect(await journaled(box.tenantId)).toEqual([first.messageId]);
  });

  it('OAuth2 over XOAUTH2 when it is the only mechanism offered; a token granted to another login is refused', async () => {
    const token = `jeton-x-${Date.now().toString(36)}`;
    introspection.grant(token, xoauth2Only.user);
    const box = await mailbox(xoauth2Only, { port: xoauth2Only.tlsPort!, tls: true, tlsCa: cert.certPem, auth: 'oauth2' }, { imapAccessToken: token });
    const mail = customerMail({ subject: 'XOAUTH2' });
    await xoauth2Only.append(mail.raw, { folder: box.folder });
    expect(await importMailbox(env.deps, box.channel, { timeoutMs: 5000 })).toMatchObject({ imported: 1 });
    expect(xoauth2Only.log()).toMatch(/Login: user=<boite>, method=XOAUTH2, .*TLS/);

    const stranger = `jeton-autre-${Date.now().toString(36)}`;
    introspection.grant(stranger, 'quelquun.dautre');
    const other = await mailbox(xoauth2Only, { port: xoauth2Only.tlsPort!, tls: true, tlsCa: cert.certPem, auth: 'oauth2' }, { imapAccessToken: stranger });
    await expect(importMailbox(env.deps, other.channel, { timeoutMs: 5000 })).rejects.toMatchObject({ authenticationFailed: true });
    expect((await health(other)).lastError).toMatch(/jeton OAuth2 refusé pour boite/);
  });
});
