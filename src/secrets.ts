import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.ts';

/**
 * The key that signs cookies. SECRET_KEY when set (required in production, shared by every api
 * process); otherwise a key generated once and kept in DATA_DIR, so a local restart keeps sessions.
 */
export function resolveSecret(config: Config): string {
  if (config.secretKey) return config.secretKey;
  if (config.dataDir === 'memory') return randomBytes(32).toString('hex');
  const file = path.resolve(config.dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const key = randomBytes(32).toString('hex');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
}

/**
 * Channel credentials at rest: AES-256-GCM under a key derived from the service secret. The sealed form
 * is `v1.<iv>.<tag>.<ciphertext>` in base64url; a wrong key or a tampered value fails to open.
 */
function sealingKey(secret: string): Buffer {
  return createHash('sha256').update(`guichet:channel-secrets:${secret}`).digest();
}

export function sealSecret(secret: string, plaintext: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
}

export function openSecret(secret: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('sealed secret: unknown format');
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
}
