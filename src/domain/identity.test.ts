import { describe, it, expect } from 'vitest';
import { identityKinds, normalizeContractNumber, normalizeEmail, normalizeIdentity, normalizePhone } from './identity.ts';
import { ValidationError } from './errors.ts';

describe('normalizeEmail', () => {
  it('trims, lowercases and strips display names and angle brackets', () => {
    expect(normalizeEmail('  Jean.Dupont@Example.FR ')).toBe('jean.dupont@example.fr');
    expect(normalizeEmail('<j@x.fr>')).toBe('j@x.fr');
    expect(normalizeEmail('Jean <j@x.fr>')).toBe('j@x.fr');
    expect(normalizeEmail('"Dupont, Jean" <Jean.Dupont@Cabinet-Martin.fr>')).toBe('jean.dupont@cabinet-martin.fr');
    expect(normalizeEmail('=?UTF-8?Q?Ren=C3=A9?= < rene@x.fr >')).toBe('rene@x.fr');
    expect(normalizeEmail('mailto:contact@x.fr')).toBe('contact@x.fr');
    expect(normalizeEmail('prenom.nom+reclamation@sous.domaine.example.com')).toBe('prenom.nom+reclamation@sous.domaine.example.com');
    expect(normalizeEmail("o'brien@x.ie")).toBe("o'brien@x.ie");
  });

  it('rejects insane addresses', () => {
    for (const bad of [
      '',
      '   ',
      'jean',
      'jean@',
      '@x.fr',
      'jean@x',
      'jean@@x.fr',
      'jean dupont@x.fr',
      'jean..dupont@x.fr',
      '.jean@x.fr',
      'jean.@x.fr',
      'jean@-x.fr',
      'jean@x-.fr',
      'jean@x..fr',
      'jean@x.f',
      'jean@x.123',
      'Jean <>',
      'Jean <pas une adresse>',
      `${'a'.repeat(65)}@x.fr`,
      `a@${'b'.repeat(250)}.fr`,
    ]) {
      expect(normalizeEmail(bad), bad).toBeNull();
    }
    expect(normalizeEmail(null)).toBeNull();
    expect(normalizeEmail(undefined)).toBeNull();
  });
});

describe('normalizePhone', () => {
  it('accepts the usual ways of writing a French mobile', () => {
    for (const s of [
      '06 12 34 56 78',
      '06.12.34.56.78',
      '06-12-34-56-78',
      '0612345678',
      '+33 6 12 34 56 78',
      '+33 (0)6 12 34 56 78',
      '+33612345678',
      '0033612345678',
      '0033 6 12 34 56 78',
      ' tel:+33612345678 ',
    ]) {
      expect(normalizePhone(s), s).toBe('+33612345678');
    }
    expect(normalizePhone('01 23 45 67 89')).toBe('+33123456789');
  });

  it('finds the overseas region of a nationally written number', () => {
    expect(normalizePhone('0690 12 34 56')).toBe('+590690123456'); // Guadeloupe mobile
    expect(normalizePhone('0590 12 34 56')).toBe('+590590123456'); // Guadeloupe landline
    expect(normalizePhone('0696 12 34 56')).toBe('+596696123456'); // Martinique
    expect(normalizePhone('0694 12 34 56')).toBe('+594694123456'); // Guyane
    expect(normalizePhone('0692 12 34 56')).toBe('+262692123456'); // La Réunion
    expect(normalizePhone('0693 12 34 56')).toBe('+262693123456'); // La Réunion
    expect(normalizePhone('0639 20 12 34')).toBe('+262639201234'); // Mayotte (region YT)
  });

  it('keeps international numbers', () => {
    expect(normalizePhone('+32 470 12 34 56')).toBe('+32470123456');
    expect(normalizePhone('0032 470 12 34 56')).toBe('+32470123456');
    expect(normalizePhone('+590 690 12 34 56')).toBe('+590690123456');
    expect(normalizePhone('+44 20 7946 0958')).toBe('+442079460958');
  });

  it('honours another default country', () => {
    expect(normalizePhone('0470 12 34 56', 'BE')).toBe('+32470123456');
    // A Réunion-based tenant still gets metropolitan mobiles right.
    expect(normalizePhone('0692 12 34 56', 'RE')).toBe('+262692123456');
    expect(normalizePhone('06 12 34 56 78', 'RE')).toBe('+33612345678');
  });

  it('returns null for invalid numbers', () => {
    for (const bad of ['', 'abc', '123', '06 12 34', '+33 6 12', '06 12 34 56 78 90 12', '0639 12 34 56', '+33 690 12 34 56']) {
      expect(normalizePhone(bad), bad).toBeNull();
    }
    expect(normalizePhone(null)).toBeNull();
    expect(normalizePhone('0470 12 34 56', 'BE')).not.toBeNull();
  });
});

describe('normalizeContractNumber', () => {
  it('uppercases and removes separators', () => {
    expect(normalizeContractNumber('ab-123.456/78_9')).toBe('AB123456789');
    expect(normalizeContractNumber(' HAB 2024 0001 ')).toBe('HAB20240001');
    expect(normalizeContractNumber('auto#1234')).toBe('AUTO1234');
  });

  it('requires 4 to 40 characters after cleaning', () => {
    expect(normalizeContractNumber('A-1-2')).toBeNull(); // 3 characters
    expect(normalizeContractNumber('A-1-2-3')).toBe('A123');
    expect(normalizeContractNumber('X'.repeat(40))).toBe('X'.repeat(40));
    expect(normalizeContractNumber('X'.repeat(41))).toBeNull();
    expect(normalizeContractNumber('--- ...')).toBeNull();
    expect(normalizeContractNumber(null)).toBeNull();
  });
});

describe('normalizeIdentity', () => {
  it('dispatches by kind', () => {
    expect(identityKinds).toEqual(['email', 'phone', 'slack', 'contract']);
    expect(normalizeIdentity('email', 'Jean <J@X.FR>')).toBe('j@x.fr');
    expect(normalizeIdentity('phone', '06 12 34 56 78')).toBe('+33612345678');
    expect(normalizeIdentity('contract', 'ab-1234')).toBe('AB1234');
    expect(normalizeIdentity('slack', ' t0123abc:u04567def ')).toBe('T0123ABC:U04567DEF');
  });

  it('returns null for an empty Slack id', () => {
    expect(normalizeIdentity('slack', '   ')).toBeNull();
    expect(normalizeIdentity('slack', null)).toBeNull();
  });

  it('throws on an unknown kind', () => {
    expect(() => normalizeIdentity('fax' as never, '123')).toThrow(ValidationError);
  });
});
