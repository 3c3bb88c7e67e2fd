import { describe, expect, it } from 'vitest';
import { parseLooseDate } from './dates.ts';
import { findForward, hasForwardSubject, parseAddress } from './forwards.ts';

const lines = (...l: string[]) => l.join('\n');

describe('findForward', () => {
  it('reads a Gmail French forward: note, original sender, date, text', () => {
    const f = findForward(
      lines(
        'Réclamation reçue sur ma boîte, je vous la transmets.',
        '',
        '---------- Forwarded message ---------',
        'De : Marie Dupont <marie.dupont@example.fr>',
        'Date: lun. 3 mars 2025 à 10:12',
        'Subject: Sinistre non réglé',
        'To: <paul@cabinet.example>',
        '',
        'Bonjour, mon sinistre n’est toujours pas réglé.',
      ),
      'Fwd: Sinistre non réglé',
    );
    expect(f).toMatchObject({
      note: 'Réclamation reçue sur ma boîte, je vous la transmets.',
      from: { name: 'Marie Dupont', email: 'marie.dupont@example.fr' },
      subject: 'Sinistre non réglé',
      text: 'Bonjour, mon sinistre n’est toujours pas réglé.',
    });
    expect(f?.sentAt?.toISOString()).toBe('2025-03-03T09:12:00.000Z');
  });

  it('reads Apple Mail blocks with blank lines between header lines', () => {
    const f = findForward(
      lines('Début du message réexpédié :', '', 'De: Jean Martin <jean.martin@example.fr>', '', 'Objet: Résiliation refusée', '', 'Date: 3 mars 2025 à 10:12:33 UTC+1', '', 'À: agence@cabinet.example', '', 'Je veux résilier.'),
      'Fwd: Résiliation refusée',
    );
    expect(f?.from.email).toBe('jean.martin@example.fr');
    expect(f?.text).toBe('Je veux résilier.');
    expect(f?.sentAt?.toISOString()).toBe('2025-03-03T09:12:33.000Z');
  });

  it('takes an Outlook header block for a forward only under a forward subject', () => {
    const body = lines('Pour traitement.', '', 'De : Dupont Marie [mailto:marie.dupont@example.fr]', 'Envoyé : lundi 3 mars 2025 10:12', 'À : Agence', 'Objet : Litige', '', 'Texte du client.');
    expect(findForward(body, 'TR: Litige')).toMatchObject({ note: 'Pour traitement.', from: { name: 'Dupont Marie', email: 'marie.dupont@example.fr' }, text: 'Texte du client.' });
    expect(findForward(body, 'RE: Litige')).toBeNull();
  });

  it('returns the innermost message of a forward of a forward', () => {
    const f = findForward(
      lines('Voir ci-dessous.', '-------- Message transféré --------', 'Sujet : x', 'De : Paul <paul@cabinet.example>', 'Date : 3 mars', '', '---------- Forwarded message ---------', 'From: Ana <ana@example.com>', 'Date: Mon, 3 Mar 2025 10:12:00 +0100', 'Subject: Claim', '', 'Original text.'),
      'Fwd: x',
    );
    expect(f).toMatchObject({ note: 'Voir ci-dessous.', from: { email: 'ana@example.com' }, text: 'Original text.' });
  });

  it('finds nothing in a plain message', () => {
    expect(findForward('Bonjour, voici ma réclamation.', 'Réclamation')).toBeNull();
  });
});

describe('forward helpers', () => {
  it('recognises forward subjects only as the first prefix', () => {
    expect(hasForwardSubject('TR: Sinistre')).toBe(true);
    expect(hasForwardSubject('Fwd: x')).toBe(true);
    expect(hasForwardSubject('FW: x')).toBe(true);
    expect(hasForwardSubject('RE: TR: x')).toBe(false);
    expect(hasForwardSubject('Trop perçu')).toBe(false);
  });

  it('parses the address shapes of header blocks', () => {
    expect(parseAddress('"Dupont, Marie" <Marie.Dupont@Example.fr>')).toEqual({ name: 'Dupont, Marie', email: 'marie.dupont@example.fr' });
    expect(parseAddress('jean@example.fr')).toEqual({ name: null, email: 'jean@example.fr' });
    expect(parseAddress('Service client')).toEqual({ name: 'Service client', email: null });
  });

  it('parses French and English client dates as Paris time unless an offset is given', () => {
    expect(parseLooseDate('lundi 3 mars 2025 10:12')?.toISOString()).toBe('2025-03-03T09:12:00.000Z');
    expect(parseLooseDate('mer. 16 juil. 2025 à 09:05')?.toISOString()).toBe('2025-07-16T07:05:00.000Z');
    expect(parseLooseDate('Monday, March 3, 2025 10:12 AM')?.toISOString()).toBe('2025-03-03T09:12:00.000Z');
    expect(parseLooseDate('Thu, Jul 17, 2025 at 3:04 PM')?.toISOString()).toBe('2025-07-17T13:04:00.000Z');
    expect(parseLooseDate('Mon, 3 Mar 2025 10:12:00 -0500')?.toISOString()).toBe('2025-03-03T15:12:00.000Z');
    expect(parseLooseDate('mardi 14 octobre 2025 à 08h30')?.toISOString()).toBe('2025-10-14T06:30:00.000Z');
    expect(parseLooseDate('la semaine dernière')).toBeNull();
  });
});
