import { describe, it, expect } from 'vitest';
import { findReferences, formatReference, parseReference } from './reference.ts';
import { ValidationError } from './errors.ts';

describe('formatReference', () => {
  it('zero-pads the sequence to 6 digits, longer when needed', () => {
    expect(formatReference(2026, 42)).toBe('REC-2026-000042');
    expect(formatReference(2026, 1)).toBe('REC-2026-000001');
    expect(formatReference(2027, 999999)).toBe('REC-2027-999999');
    expect(formatReference(2027, 1234567)).toBe('REC-2027-1234567');
  });

  it('rejects bad years and sequences', () => {
    for (const [year, seq] of [[26, 1], [2026.5, 1], [2026, 0], [2026, -3], [2026, 1.5], [2026, Number.NaN]] as const) {
      expect(() => formatReference(year, seq)).toThrow(ValidationError);
    }
  });
});

describe('parseReference', () => {
  it('parses canonical, bracketed and lowercase forms', () => {
    expect(parseReference('REC-2026-000042')).toEqual({ year: 2026, seq: 42 });
    expect(parseReference('[REC-2026-000042]')).toEqual({ year: 2026, seq: 42 });
    expect(parseReference(' rec-2026-000042 ')).toEqual({ year: 2026, seq: 42 });
    expect(parseReference('REC-2027-1234567')).toEqual({ year: 2027, seq: 1234567 });
  });

  it('round-trips with formatReference', () => {
    for (const [y, s] of [[2026, 42], [2030, 1], [2028, 12345678]] as const) {
      expect(parseReference(formatReference(y, s))).toEqual({ year: y, seq: s });
    }
  });

  it('returns null for anything else', () => {
    for (const bad of ['', 'REC-2026-42', 'REC-26-000042', 'REC2026000042', 'RE-2026-000042', 'REC-2026-000042x',
      'xREC-2026-000042', 'REC-2026-000000', 'Re: REC-2026-000042', null, undefined]) {
      expect(parseReference(bad), String(bad)).toBeNull();
    }
  });
});

describe('findReferences', () => {
  it('finds distinct references in order, normalised', () => {
    const text = 'Re: [REC-2026-000042] suite à ma réclamation rec-2026-000007, cf. REC-2026-000042 et [rec-2025-123456].';
    expect(findReferences(text)).toEqual(['REC-2026-000042', 'REC-2026-000007', 'REC-2025-123456']);
  });

  it('finds references in Message-IDs and at the edges of punctuation', () => {
    expect(findReferences('<guichet.REC-2026-000123.ack.k3f9x@mail.example>')).toEqual(['REC-2026-000123']);
    expect(findReferences('(REC-2026-000001)')).toEqual(['REC-2026-000001']);
    expect(findReferences('REC-2026-000001\nREC-2026-000002')).toEqual(['REC-2026-000001', 'REC-2026-000002']);
  });

  it('does not match inside longer alphanumeric tokens', () => {
    expect(findReferences('XREC-2026-000042')).toEqual([]);
    expect(findReferences('REC-2026-000042A')).toEqual([]);
    expect(findReferences('ÉREC-2026-000042')).toEqual([]);
    expect(findReferences('foo_REC-2026-000042')).toEqual([]);
    expect(findReferences('REC-2026-00004')).toEqual([]);
    expect(findReferences('REC-20261-000042')).toEqual([]);
  });

  it('handles empty input', () => {
    expect(findReferences('')).toEqual([]);
    expect(findReferences(null)).toEqual([]);
  });
});
