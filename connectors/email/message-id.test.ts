import { describe, expect, it } from 'vitest';
import { emailExternalId } from './message-id.ts';
import { mapEmail } from './mapper.ts';

const TENANT = '00000000-0000-4000-8000-000000000001';
const mail = (headers: string[], body = 'Bonjour, mon dossier est en attente.') => new TextEncoder().encode([...headers, '', body, ''].join('\r\n'));
const base = ['From: Jeanne Dupont <jeanne.dupont@example.fr>', 'To: reclamations@cabinet.example', 'Subject: Dossier'];

async function mapperId(payload: Uint8Array): Promise<string> {
  const m = await mapEmail({ tenantId: TENANT, channel: 'email', externalId: 'x', payload, contentType: 'message/rfc822', receivedAt: new Date() });
  return m.externalId;
}

describe('journal external id of a raw mail', () => {
  const cases: [string, string[]][] = [
    ['a plain Message-ID', ['Message-ID: <CAF123.456@mail.example.fr>']],
    ['a lower-case header and extra spaces', ['message-id:    <abc@example.fr>   ']],
    ['a folded header', ['Message-ID:', ' <folded-id@example.fr>']],
    ['no angle brackets', ['Message-ID: bare-id@example.fr']],
    ['a comment after the id', ['Message-ID: <with-comment@example.fr> (Postfix)']],
    ['two Message-ID headers', ['Message-ID: <first@example.fr>', 'Message-ID: <second@example.fr>']],
    ['an empty Message-ID', ['Message-ID: ']],
    ['no Message-ID at all', []],
    ['a Resent-Message-ID only', ['Resent-Message-ID: <resent@example.fr>']],
  ];
  for (const [label, headers] of cases) {
    it(`is what the mapper uses with ${label}`, async () => {
      const payload = mail([...base, ...headers]);
      expect(await emailExternalId(payload)).toBe(await mapperId(payload));
    });
  }

  it('hashes the bytes when there is no Message-ID, and ignores a Message-ID line in the body', async () => {
    const payload = mail(base, 'Message-ID: <in-the-body@example.fr>');
    expect(await emailExternalId(payload)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(await emailExternalId(payload)).toBe(await mapperId(payload));
  });
});
