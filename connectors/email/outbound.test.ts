import { describe, expect, it } from 'vitest';
import { ourMessageId, replyHeaders, subjectWithReference, textToHtml } from './outbound.ts';
import { uidSet } from './mailbox.ts';

describe('email outbound helpers', () => {
  it('makes our Message-IDs in the public format, random each time', () => {
    const a = ourMessageId('REC-2026-000123', 'ack', 'Cabinet.Example');
    expect(a).toMatch(/^guichet\.REC-2026-000123\.ack\.[0-9a-z]{8}@cabinet\.example$/);
    expect(ourMessageId('REC-2026-000123', 'ack', 'cabinet.example')).not.toBe(a);
    expect(ourMessageId('REC-2026-000123', 'Relance client!', 'cabinet.example')).toMatch(/^guichet\.REC-2026-000123\.relanceclient\./);
    expect(ourMessageId('REC-2026-000123', null, 'cabinet.example')).toMatch(/^guichet\.REC-2026-000123\.message\./);
  });

  it('adds the reference token to the subject only when it is missing', () => {
    expect(subjectWithReference('Accusé de réception', 'REC-2026-000123')).toBe('Accusé de réception [REC-2026-000123]');
    expect(subjectWithReference('Re: [rec-2026-000123] suite', 'REC-2026-000123')).toBe('Re: [rec-2026-000123] suite');
    expect(subjectWithReference(null, 'REC-2026-000123')).toBe('Votre réclamation [REC-2026-000123]');
  });

  it('turns text into escaped paragraphs', () => {
    const html = textToHtml('Bonjour <Madame>,\n\nLigne 1\nLigne 2 & fin\r\n\r\n\r\nMerci');
    expect(html).toContain('<p>Bonjour &lt;Madame&gt;,</p>');
    expect(html).toContain('<p>Ligne 1<br>\nLigne 2 &amp; fin</p>');
    expect(html).toContain('<p>Merci</p>');
  });

  it('answers with In-Reply-To and the References chain, oldest first, never a hash id', () => {
    expect(replyHeaders({ external_id: 'c2@client.example', meta: { references: ['c0@client.example', 'c1@client.example'] } })).toEqual({
      inReplyTo: '<c2@client.example>',
      references: ['<c0@client.example>', '<c1@client.example>', '<c2@client.example>'],
    });
    expect(replyHeaders({ external_id: `sha256:${'0'.repeat(64)}`, meta: {} })).toEqual({});
    expect(replyHeaders(null)).toEqual({});
  });

  it('writes UID sets as ranges', () => {
    expect(uidSet([1, 2, 3, 5, 7, 8, 10])).toBe('1:3,5,7:8,10');
    expect(uidSet([42])).toBe('42');
  });
});
