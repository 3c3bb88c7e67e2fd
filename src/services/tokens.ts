import { createHash, randomBytes } from 'node:crypto';

/** An unguessable token for a URL or a cookie (192 bits). */
export function newToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

/** Tokens are stored hashed: a stolen table opens no session and accepts no invitation. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
