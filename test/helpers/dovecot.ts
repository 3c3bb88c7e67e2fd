import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { dovecotUnavailableReason } from '../../src/testing/dovecot.ts';

export { startDovecot, freePort, type DovecotServer, type DovecotOptions } from '../../src/testing/dovecot.ts';

/**
 * Whether the Dovecot tests of a file run here. Without /usr/sbin/dovecot they are skipped, except with
 * REQUIRE_SERVICES=1 (CI), where a missing server is a failure, never a silent skip.
 */
export function dovecotTestsEnabled(): boolean {
  const reason = dovecotUnavailableReason();
  if (!reason) return true;
  if (process.env.REQUIRE_SERVICES === '1') throw new Error(`REQUIRE_SERVICES=1 but Dovecot cannot run: ${reason}`);
  return false;
}

export interface SelfSigned {
  /** The certificate (PEM): what a mailbox trusts. */
  certPem: string;
  certFile: string;
  keyFile: string;
  remove(): void;
}

/**
 * A throwaway self-signed certificate (openssl, P-256, two days) for `subjectAltName` 127.0.0.1 and
 * localhost, written to a temporary folder readable by Dovecot's config process.
 */
export function selfSignedCertificate(commonName = 'imap.guichet.test'): SelfSigned {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-cert-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', `/CN=${commonName}`,
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', certFile],
    { stdio: 'pipe' },
  );
  return { certPem: readFileSync(certFile, 'utf8'), certFile, keyFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface IntrospectionServer {
  /** The URL Dovecot POSTs `token=…` to. */
  url: string;
  /** Makes a token valid for a login. */
  grant(token: string, username: string): void;
  /** Makes a token inactive (revoked or expired): `{ "active": false }`. */
  revoke(token: string): void;
  /** Tokens introspected so far, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

/** A local OAuth2 token introspection endpoint (RFC 7662 shape) for Dovecot's oauth2 passdb. */
export async function startIntrospectionServer(): Promise<IntrospectionServer> {
  const tokens = new Map<string, string | null>();
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      seen.push(token);
      const username = tokens.get(token);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(username ? { active: true, username, scope: 'imap', token_type: 'Bearer' } : { active: false }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/introspect`,
    grant: (token, username) => void tokens.set(token, username),
    revoke: (token) => void tokens.set(token, null),
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
