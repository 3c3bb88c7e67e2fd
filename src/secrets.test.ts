import { describe, expect, it } from 'vitest';
import { openSecret, sealSecret } from './secrets.ts';

describe('sealed channel secrets', () => {
  it('opens with the same key, and the sealed form does not contain the secret', () => {
    const sealed = sealSecret('k'.repeat(64), '{"authToken":"tok-123"}');
    expect(sealed).not.toContain('tok-123');
    expect(openSecret('k'.repeat(64), sealed)).toBe('{"authToken":"tok-123"}');
    // Random IV: sealing twice gives two different values.
    expect(sealSecret('k'.repeat(64), 'x')).not.toBe(sealSecret('k'.repeat(64), 'x'));
  });
  it('refuses a wrong key or a tampered value', () => {
    const sealed = sealSecret('a'.repeat(64), 'secret');
    expect(() => openSecret('b'.repeat(64), sealed)).toThrow();
    const parts = sealed.split('.');
    parts[3] = Buffer.from('other').toString('base64url');
    expect(() => openSecret('a'.repeat(64), parts.join('.'))).toThrow();
  });
});
