import { randomUUID } from 'node:crypto';

/** A plain customer mail (CRLF), with the headers given; returns its Message-ID (no brackets) and bytes. */
export function customerMail(
  options: { from?: string; to?: string; subject?: string; text?: string; messageId?: string | null; date?: Date; headers?: string[] } = {},
): { messageId: string | null; raw: string } {
  const messageId = options.messageId === null ? null : (options.messageId ?? `${randomUUID()}@client.example`);
  const lines = [
    `From: ${options.from ?? 'Jeanne Dupont <jeanne.dupont@example.fr>'}`,
    `To: ${options.to ?? 'reclamations@cabinet.example'}`,
    `Subject: ${options.subject ?? 'Remboursement refusé'}`,
    `Date: ${(options.date ?? new Date()).toUTCString().replace('GMT', '+0000')}`,
    ...(messageId ? [`Message-ID: <${messageId}>`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    ...(options.headers ?? []),
    '',
    options.text ?? 'Bonjour, ma mutuelle refuse de rembourser ma couronne dentaire. Merci de traiter ma réclamation.',
    '',
  ];
  return { messageId, raw: lines.join('\r\n') };
}
