import { describe, expect, it } from 'vitest';
import { createEmailMapper, EMAIL_MAX_ATTACHMENT_BYTES, mapEmail } from './mapper.ts';
import { inboundMessageSchema, MappingError } from '../../src/intake/contract.ts';

const TENANT = '00000000-0000-4000-8000-000000000001';
const raw = (mime: string) => ({
  tenantId: TENANT,
  channel: 'email' as const,
  externalId: 'x',
  payload: new TextEncoder().encode(mime.replace(/\n/g, '\r\n')),
  contentType: 'message/rfc822',
  receivedAt: new Date('2026-03-05T10:00:00Z'),
});

describe('email mapper', () => {
  it('reads a quoted-printable ISO-8859-1 reply with its threading headers', async () => {
    const mime = [
      'From: =?ISO-8859-1?Q?Ren=E9e_Fran=E7ois?= <renee.francois@example.fr>',
      'To: reclamations@cabinet.example',
      'Subject: =?ISO-8859-1?Q?Re:_Accus=E9_de_r=E9ception_[REC-2026-000042]?=',
      'Date: Mon, 02 Mar 2026 18:30:00 +0100',
      'Message-ID: <CAF123@mail.example.fr>',
      'In-Reply-To: <guichet.REC-2026-000042.ack.k3f9x@cabinet.example>',
      'References: <first@mail.example.fr> <guichet.REC-2026-000042.ack.k3f9x@cabinet.example>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=ISO-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'Bonjour, je n=E9cessite une r=E9ponse rapide : le d=E9g=E2t des eaux continue.',
      '',
    ].join('\n');
    const m = inboundMessageSchema.parse(await mapEmail(raw(mime)));
    expect(m.externalId).toBe('CAF123@mail.example.fr');
    expect(m.sender).toMatchObject({ email: 'renee.francois@example.fr', name: 'Renée François' });
    expect(m.subject).toBe('Re: Accusé de réception [REC-2026-000042]');
    expect(m.thread.inReplyTo).toBe('guichet.REC-2026-000042.ack.k3f9x@cabinet.example');
    expect(m.thread.references).toEqual(['first@mail.example.fr', 'guichet.REC-2026-000042.ack.k3f9x@cabinet.example']);
    expect(m.thread.referenceTokens).toEqual(['REC-2026-000042']);
    expect(m.text).toContain('dégât des eaux');
    expect(m.sentAt?.toISOString()).toBe('2026-03-02T17:30:00.000Z');
  });

  it('sanitises HTML and keeps attachments', async () => {
    const mime = [
      'From: paul@example.fr',
      'Subject: Facture',
      'Message-ID: <att@example.fr>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/html; charset=UTF-8',
      '',
      '<p onclick="x()">Voici <script>alert(1)</script><a href="javascript:evil()">la facture</a><img src="https://tracker.example/p.gif"></p>',
      '--b1',
      'Content-Type: application/pdf; name="facture.pdf"',
      'Content-Disposition: attachment; filename="facture.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 facture').toString('base64'),
      '--b1--',
      '',
    ].join('\n');
    const m = inboundMessageSchema.parse(await mapEmail(raw(mime)));
    expect(m.html).not.toMatch(/script|onclick|javascript|tracker/);
    expect(m.html).toContain('la facture');
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ filename: 'facture.pdf', contentType: 'application/pdf', inline: false });
    expect(new TextDecoder().decode(m.attachments[0]!.content)).toBe('%PDF-1.4 facture');
  });

  it('refuses a message without sender, with a readable reason', async () => {
    await expect(mapEmail(raw('Subject: rien\n\ncorps\n'))).rejects.toBeInstanceOf(MappingError);
  });
});

describe('email mapper limits', () => {
  const withAttachment = (name: string, type: string, content: Buffer) =>
    [
      'From: yves@example.fr',
      'Subject: Vidéo du sinistre',
      'Message-ID: <big@example.fr>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=UTF-8',
      '',
      'Voici la vidéo.',
      '--b1',
      `Content-Type: ${type}; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      content.toString('base64').replace(/.{76}/g, '$&\n'),
      '--b1--',
      '',
    ].join('\n');

  it(`refuses an attachment over ${EMAIL_MAX_ATTACHMENT_BYTES / 1024 / 1024} MB with its size, and keeps the message`, async () => {
    const big = Buffer.alloc(EMAIL_MAX_ATTACHMENT_BYTES + 1024, 7);
    const m = inboundMessageSchema.parse(await mapEmail(raw(withAttachment('video.mp4', 'video/mp4', big))));
    expect(m.attachments).toEqual([]);
    expect(m.refusedAttachments).toEqual([
      { filename: 'video.mp4', contentType: 'video/mp4', sizeBytes: big.byteLength, reason: expect.stringContaining('trop volumineuse (15 Mo, maximum 15 Mo)') },
    ]);
    expect(m.text).toBe('Voici la vidéo.');
  });

  it('keeps an attachment just under the limit, and refuses a whole message over the message limit', async () => {
    const mime = withAttachment('photo.bin', 'application/octet-stream', Buffer.alloc(3000, 1));
    const kept = await createEmailMapper({ maxAttachmentBytes: 3000 })(raw(mime));
    expect(kept.attachments).toHaveLength(1);
    expect(kept.refusedAttachments).toEqual([]);
    await expect(createEmailMapper({ maxMessageBytes: 1000 })(raw(mime))).rejects.toThrow(/Email trop volumineux \(\d+ Ko, maximum 1 Ko\)/);
  });

  it('refuses an executable whatever its declared name and type', async () => {
    const exe = Buffer.alloc(256);
    exe.write('MZ', 0);
    exe.writeUInt32LE(0x80, 0x3c);
    exe.write('PE\0\0', 0x80);
    const m = await mapEmail(raw(withAttachment('photo.jpg', 'image/jpeg', exe)));
    expect(m.attachments).toEqual([]);
    expect(m.refusedAttachments?.[0]).toMatchObject({ filename: 'photo.jpg', contentType: 'application/x-msdownload', reason: expect.stringContaining('programme détecté') });
  });
});

describe('email mapper noise', () => {
  const mail = (headers: string[], subject: string) =>
    raw([...headers, 'From: claire@example.fr', `Subject: ${subject}`, 'Message-ID: <n@example.fr>', 'In-Reply-To: <guichet.REC-2026-000001.ack.a1@mail.example>', '', 'Bonjour, je suis toujours sans nouvelles de mon dossier.', ''].join('\n'));

  it('takes "Auto-Submitted: no" and an ordinary subject for a person', async () => {
    const m = await mapEmail(mail(['Auto-Submitted: no', 'X-Auto-Response-Suppress: All'], 'Re: Votre réclamation'));
    expect(m.noise).toBeNull();
    expect(m.language).toBe('fr');
  });

  it('marks an auto-reply, linked to the message it answers, with no language', async () => {
    const m = await mapEmail(mail(['Auto-Submitted: auto-replied'], 'Re: Votre réclamation'));
    expect(m.noise).toEqual({ kind: 'autoreply', relatesTo: ['guichet.REC-2026-000001.ack.a1@mail.example'], detail: 'Re: Votre réclamation' });
    expect(m.language).toBeNull();
  });
});
