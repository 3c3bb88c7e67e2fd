import { describe, expect, it } from 'vitest';
import { isAutoReplySubject, parseDeliveryStatus } from './noise.ts';
import { detectLanguage } from './language.ts';

describe('auto-reply subjects', () => {
  it.each(['Réponse automatique : Votre réclamation [REC-2026-000123]', 'Automatic reply: Your complaint', 'Absence du bureau', 'Out of Office: claim', 'Auto: Re: dossier', 'Absent jusqu’au 12 mars', 'Je suis absente', 'RE: Absence : retour le 3'])(
    '%s is automatic',
    (s) => expect(isAutoReplySubject(s)).toBe(true),
  );
  it.each(['Réponse à votre courrier', 'Absence de réponse à ma réclamation', 'Re: Accusé de réception [REC-2026-000123]', 'Automobile : sinistre', 'Absentéisme de l’expert'])('%s is written by a person', (s) =>
    expect(isAutoReplySubject(s)).toBe(false),
  );
});

describe('parseDeliveryStatus', () => {
  it('reads per-recipient fields, unfolding continued lines', () => {
    const text = ['Reporting-MTA: dns; mx.example', '', 'Final-Recipient: rfc822; jean@nowhere.example', 'Action: failed', 'Status: 5.1.1', 'Diagnostic-Code: smtp; 550 5.1.1 <jean@nowhere.example>:', '    Recipient address rejected: User unknown', ''].join('\r\n');
    expect(parseDeliveryStatus(text)).toEqual([
      { recipient: 'jean@nowhere.example', action: 'failed', status: '5.1.1', diagnostic: '550 5.1.1 <jean@nowhere.example>: Recipient address rejected: User unknown' },
    ]);
  });
  it('finds nothing in ordinary text', () => {
    expect(parseDeliveryStatus('Bonjour,\n\nmerci.')).toEqual([]);
  });
});

describe('detectLanguage', () => {
  it('tells French from English and stays silent when unsure', () => {
    expect(detectLanguage("Bonjour, je n'ai toujours pas reçu le remboursement de mon sinistre depuis le mois dernier.")).toBe('fr');
    expect(detectLanguage('Hello, I have still not received the refund for my claim and I would like an answer.')).toBe('en');
    expect(detectLanguage('OK merci')).toBeNull();
    expect(detectLanguage('AU-2024-118734')).toBeNull();
    expect(detectLanguage('')).toBeNull();
  });
});
