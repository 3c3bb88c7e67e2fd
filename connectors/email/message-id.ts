import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';

/**
 * The journal's external id of a raw mail, identical to the `externalId` mapEmail gives it: the Message-ID
 * as mailparser reads it, without its angle brackets, or `sha256:<hex>` of the bytes when there is none.
 *
 * The common case (one `Message-ID: <…>` header without comments nor encoded words) is read straight
 * from the header block, which keeps a backlog import fast; anything else goes through mailparser on the
 * header block alone, so the answer never differs from the mapper's.
 */
export async function emailExternalId(source: Uint8Array): Promise<string> {
  const bytes = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
  const end = headerEnd(bytes);
  const head = bytes.subarray(0, end).toString('latin1');
  const values: string[] = [];
  const re = /^message-id[ \t]*:(.*(?:\r?\n[ \t].*)*)/gim;
  for (let m = re.exec(head); m; m = re.exec(head)) values.push(m[1]!.replace(/\r?\n/g, ''));
  if (values.length === 0) return sha256Id(bytes);
  const simple = values.length === 1 ? /^[ \t]*<([\x21-\x3b\x3d\x3f-\x7e]+)>[ \t]*$/.exec(values[0]!) : null;
  if (simple) return simple[1]!;
  const parsed = await simpleParser(Buffer.concat([bytes.subarray(0, end), Buffer.from('\r\n\r\n')]), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const id = parsed.messageId ? parsed.messageId.trim().replace(/^<|>$/g, '') : '';
  return id || sha256Id(bytes);
}

function sha256Id(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Offset of the blank line ending the header block (the whole message when there is none). */
function headerEnd(bytes: Buffer): number {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const candidates = [crlf, lf].filter((i) => i >= 0);
  return candidates.length > 0 ? Math.min(...candidates) : bytes.length;
}
