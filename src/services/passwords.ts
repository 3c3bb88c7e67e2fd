import { hash, verify } from '@node-rs/argon2';

// argon2id with the library's defaults (m=19456 KiB, t=2, p=1: OWASP's baseline).
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | undefined;
/** Spend the same time on an unknown address as on a known one, so timing reveals no account. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hash('guichet-timing-equaliser');
  await verifyPassword(await dummy, password);
}

export const PASSWORD_MIN_LENGTH = 12;
