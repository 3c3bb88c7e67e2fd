import { randomBytes } from 'node:crypto';
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
