import { describe, expect, it } from 'vitest';
import { inboundMessageSchema, MappingError, type RawInbound } from '../../src/intake/contract.ts';
import { excerpt, mapWebform } from './mapper.ts';
import { base64Size, buildWebformPayload, readWebformPayload, WEBFORM_CONTENT_TYPE, webformFileLimit, type WebformPayloadInput } from './payload.ts';

const TENANT = '6f1c2b3a-1d2e-4f50-8a9b-0c1d2e3f4a5b';
const KEY = 'k3f9xQ2mZ8vB1nL4pR7sTw';
const PDF = new TextEncoder().encode('%PDF-1.4\n% test\n');

function raw(payload: Uint8Array, overrides: Partial<RawInbound> = {}): RawInbound {
  return {
    tenantId: TENANT,
    channel: 'webform',
    externalId: KEY,
    payload,
    contentType: WEBFORM_CONTENT_TYPE,
    receivedAt: new Date('2026-03-02T13:05:01Z'),
    ...overrides,
  };
}

function complaint(overrides: Partial<WebformPayloadInput> = {}): WebformPayloadInput {
  return {
    tenantId: TENANT,
    kind: 'complaint',
    fields: {
      name: 'Jeanne Dupont',
      email: 'jeanne.dupont@example.fr',
      phone: '06 12 34 56 78',
      contractNumber: 'SAN-2024-0042',
      nature: 'Remboursement dentaire refusé',
      description: 'Ma mutuelle refuse de rembourser ma couronne alors que le devis avait été accepté.',
      complainantType: 'client',
    },
    files: [{ filename: 'devis.pdf', contentType: 'application/pdf', content: PDF }],
    submittedAt: new Date('2026-03-02T13:05:00Z'),
    ...overrides,
  };
}

const encode = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe('buildWebformPayload / readWebformPayload', () => {
  it('round-trips a submission as versioned JSON bytes', () => {
    const built = buildWebformPayload(complaint());
    expect(built.contentType).toBe(WEBFORM_CONTENT_TYPE);
    const json = JSON.parse(new TextDecoder().decode(built.payload));
    expect(json).toMatchObject({ v: 1, kind: 'complaint', tenantId: TENANT, language: 'fr', submittedAt: '2026-03-02T13:05:00.000Z' });
    expect(json.files[0]).toEqual({ filename: 'devis.pdf', contentType: 'application/pdf', base64: Buffer.from(PDF).toString('base64') });
    const read = readWebformPayload(built.payload);
    expect(read.ok && read.value.fields.name).toBe('Jeanne Dupont');
  });

  it('keeps only the fields the customer filled in', () => {
    const built = buildWebformPayload(complaint({ fields: { name: ' Jean ', email: '', phone: '0612345678', description: ' Texte ' } }));
    expect(built.value.fields).toEqual({ name: 'Jean', phone: '0612345678', description: 'Texte' });
  });

  it('refuses to build what the mapper would refuse', () => {
    expect(() => buildWebformPayload(complaint({ fields: { name: 'Jean', description: 'Sans contact' } }))).toThrow();
    expect(() => buildWebformPayload(complaint({ kind: 'follow_up', fields: { description: 'Complément' } }))).toThrow();
  });

  it('computes sizes and limits', () => {
    expect(base64Size(Buffer.from('hello world').toString('base64'))).toBe(11);
    expect(base64Size(Buffer.from('ab').toString('base64'))).toBe(2);
    expect(webformFileLimit(10 * 1024 * 1024)).toBe(5 * 1024 * 1024);
    expect(webformFileLimit(1024)).toBe(1024);
  });
});

describe('mapWebform', () => {
  it('maps a complaint to a valid InboundMessage', () => {
    const message = mapWebform(raw(buildWebformPayload(complaint()).payload));
    const parsed = inboundMessageSchema.parse(message);
    expect(parsed).toMatchObject({
      tenantId: TENANT,
      channel: 'webform',
      externalId: KEY,
      sentAt: new Date('2026-03-02T13:05:00Z'),
      receivedAt: new Date('2026-03-02T13:05:01Z'),
      subject: 'Remboursement dentaire refusé',
      text: 'Ma mutuelle refuse de rembourser ma couronne alors que le devis avait été accepté.',
      html: null,
      language: 'fr',
      contractNumbers: ['SAN-2024-0042'],
      sender: { name: 'Jeanne Dupont', email: 'jeanne.dupont@example.fr', phone: '06 12 34 56 78', slackUser: null },
      thread: { inReplyTo: null, references: [], referenceTokens: [], conversationKey: null, trackingToken: null },
      declared: { nature: 'Remboursement dentaire refusé', complainantType: 'client' },
    });
    expect(parsed.attachments).toHaveLength(1);
    expect(parsed.attachments[0]!.filename).toBe('devis.pdf');
    expect(parsed.attachments[0]!.contentType).toBe('application/pdf');
    expect(Buffer.from(parsed.attachments[0]!.content).toString()).toBe('%PDF-1.4\n% test\n');
  });

  it('uses an excerpt of the description as subject when no nature is given', () => {
    const description = 'Bonjour, je vous écris car mon sinistre dégât des eaux déclaré en janvier n’a toujours pas été indemnisé malgré mes relances.';
    const message = mapWebform(raw(buildWebformPayload(complaint({ fields: { name: 'Jean', email: 'j@example.fr', description } })).payload));
    expect(message.subject).toBe(excerpt(description));
    expect(message.subject!.length).toBeLessThanOrEqual(80);
    expect(message.subject!.endsWith('…')).toBe(true);
    expect(message.declared).toEqual({});
    expect(message.contractNumbers).toEqual([]);
    expect(message.sender.phone).toBeNull();
  });

  it('maps a follow-up with its tracking token as the thread hint', () => {
    const payload = buildWebformPayload({
      tenantId: TENANT,
      kind: 'follow_up',
      trackingToken: 'tok_abcdefghijklmnopqrstuvwxyz',
      fields: { description: 'Voici la facture demandée.' },
      files: [],
      submittedAt: new Date('2026-03-09T08:00:00Z'),
    }).payload;
    const message = inboundMessageSchema.parse(mapWebform(raw(payload)));
    expect(message.thread.trackingToken).toBe('tok_abcdefghijklmnopqrstuvwxyz');
    expect(message.sender).toEqual({ name: null, email: null, phone: null, slackUser: null });
    expect(message.subject).toBe('Voici la facture demandée.');
  });

  it('quarantines what it cannot read, with a French reason', () => {
    const reason = (r: RawInbound) => {
      try {
        mapWebform(r);
      } catch (err) {
        expect(err).toBeInstanceOf(MappingError);
        return (err as MappingError).reason;
      }
      throw new Error('no MappingError');
    };
    const good = buildWebformPayload(complaint()).value;
    expect(reason(raw(new TextEncoder().encode('{not json')))).toMatch(/illisible/);
    expect(reason(raw(new Uint8Array([0xff, 0xfe, 0x00])))).toMatch(/illisible/);
    expect(reason(raw(encode({ ...good, v: 2 })))).toMatch(/Version de formulaire web inconnue \(2\)/);
    expect(reason(raw(encode({ ...good, fields: { ...good.fields, description: '' } })))).toMatch(/fields\.description/);
    expect(reason(raw(encode({ ...good, files: [{ filename: 'a.pdf', contentType: 'application/pdf', base64: '@@@' }] })))).toMatch(/invalide/);
    expect(reason(raw(encode({ ...good, kind: 'follow_up' })))).toMatch(/trackingToken/);
    expect(reason(raw(encode(good), { contentType: 'application/json' }))).toMatch(/Type de contenu inattendu/);
    expect(reason(raw(encode(good), { tenantId: '00000000-0000-4000-8000-000000000000' }))).toMatch(/ne correspond pas/);
  });
});

describe('excerpt', () => {
  it('keeps short texts and cuts long ones on a word', () => {
    expect(excerpt('  Court\n texte ')).toBe('Court texte');
    expect(excerpt('un deux trois quatre cinq', 14)).toBe('un deux trois…');
  });
});
