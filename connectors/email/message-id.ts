import { createHash } from 'node:crypto';
import { simpleParser } from 'mailparser';

/**
 * The journal's external id of a raw mail, identical to the `externalId` mapEmail gives it: the Message-ID
 * as mailparser reads it, without its angle brackets, or `sha256:<hex>` of the bytes when there is none.
 *
 * The common case (one `Message-ID: <…>` header without comments nor encoded words) is read straight
 * from the header block, synchronously (`quickEmailExternalId`), which keeps a backlog import fast;
 * anything else goes through mailparser on the header block alone, so the answer never differs from the
 * mapper's.
 */
export async function emailExternalId(source: Uint8Array): Promise<string> {
  return quickEmailExternalId(source) ?? (await parsedEmailExternalId(source));
}

/** The external id when the header block makes it plain (one simple Message-ID, or none); else null. */
export function quickEmailExternalId(source: Uint8Array): string | null {
  const bytes = asBuffer(source);
  const head = bytes.subarray(0, headerEnd(bytes)).toString('latin1');
  const values: string[] = [];
  const re = /^message-id[ \t]*:(.*(?:\r?\n[ \t].*)*)/gim;
  for (let m = re.exec(head); m; m = re.exec(head)) values.push(m[1]!.replace(/\r?\n/g, ''));
  if (values.length === 0) return sha256Id(bytes);
  const simple = values.length === 1 ? /^[ \t]*<([\x21-\x3b\x3d\x3f-\x7e]+)>[ \t]*$/.exec(values[0]!) : null;
  return simple ? simple[1]! : null;
}

/** The external id through mailparser (the header block alone): for what quickEmailExternalId leaves. */
export async function parsedEmailExternalId(source: Uint8Array): Promise<string> {
  const bytes = asBuffer(source);
  const end = headerEnd(bytes);
  const parsed = await simpleParser(Buffer.concat([bytes.subarray(0, end), Buffer.from('\r\n\r\n')]), { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
  const id = parsed.messageId ? parsed.messageId.trim().replace(/^<|>$/g, '') : '';
  return id || sha256Id(bytes);
}

const asBuffer = (source: Uint8Array) => Buffer.from(source.buffer, source.byteOffset, source.byteLength);

function sha256Id(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Offset of the blank line ending the header block (the whole message when there is none): where the
 * first CRLF CRLF or LF LF starts. Only the header block is scanned.
 */
function headerEnd(bytes: Buffer): number {
  for (let i = bytes.indexOf(10); i >= 0; i = bytes.indexOf(10, i + 1)) {
    const next = bytes[i + 1];
    if (next === 10) return i;
    if (next === 13 && bytes[i + 2] === 10 && i > 0 && bytes[i - 1] === 13) return i - 1;
  }
  return bytes.length;
}
