import { describe, expect, it } from 'vitest';
import { inspectEmail } from './inspect.ts';

const mime = (...headers: string[]) => new TextEncoder().encode([...headers, 'From: marc@example.fr', 'Message-ID: <i@example.fr>', '', 'Bonjour, mon dossier n’avance pas.', ''].join('\r\n'));

describe('inspectEmail', () => {
  it('prefers our Message-ID in the reply headers to a reference in the subject', async () => {
    const r = await inspectEmail(mime('Subject: Re: [REC-2026-000002]', 'In-Reply-To: <other@example.fr>', 'References: <guichet.REC-2026-000001.ack.a1@mail.example> <other@example.fr>'));
    expect(r).toMatchObject({ kind: 'reply', threadRef: 'REC-2026-000001' });
  });

  it('calls a mail without any thread evidence a complaint, and gives its whole text as new text', async () => {
    const r = await inspectEmail(mime('Subject: Dossier bloqué'));
    expect(r).toMatchObject({ kind: 'complaint', threadRef: null, newText: 'Bonjour, mon dossier n’avance pas.', originalSenderEmail: null, bouncedMessageId: null, attachments: [] });
  });
});
