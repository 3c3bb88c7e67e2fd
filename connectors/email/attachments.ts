/**
 * Screening an email's attachments before they reach agents: content type detected from the bytes
 * (file-type), executables and scripts refused, size limits; every refusal recorded with its reason.
 */
import { fileTypeFromBuffer } from 'file-type';
import { simpleParser, type Attachment } from 'mailparser';

/** One attachment larger than this is refused (recorded in refusedAttachments, not stored). */
export const EMAIL_MAX_ATTACHMENT_BYTES = 15 * 1024 * 1024;
/** The contract's bound on attachments per message. */
export const EMAIL_MAX_ATTACHMENTS = 50;

export interface KeptAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array<ArrayBuffer>;
  inline: boolean;
}

export interface RefusedAttachment {
  filename: string;
  contentType: string;
  sizeBytes: number;
  reason: string;
}

/** Programs and scripts that run when opened on Windows: never handed to agents. */
const DANGEROUS_EXTENSIONS = new Set([
  'exe', 'bat', 'cmd', 'com', 'js', 'jse', 'vbs', 'vbe', 'scr', 'msi', 'msp', 'pif', 'wsf', 'wsh', 'ps1', 'hta', 'cpl', 'jar', 'lnk', 'reg', 'dll', 'application',
]);
const DANGEROUS_TYPES = new Set([
  'application/x-msdownload',
  'application/x-dosexec',
  'application/vnd.microsoft.portable-executable',
  'application/x-msi',
  'application/x-ms-installer',
  'application/x-elf',
  'application/x-mach-binary',
  'application/x-executable',
  'application/x-sh',
  'application/x-bat',
  'application/x-msdos-program',
  'application/javascript',
  'text/javascript',
  'application/x-javascript',
  'text/vbscript',
  'application/hta',
  'application/java-archive',
]);
/** Detections too generic to replace what the sender declared (an old .doc is a CFB container too). */
const GENERIC_DETECTIONS = new Set(['application/x-cfb', 'application/zip', 'application/octet-stream', 'text/plain']);

const MB = 1024 * 1024;
/** "16,2 Mo", "3 Ko": sizes as agents read them. */
export const formatMegabytes = (bytes: number) =>
  bytes >= MB ? `${(bytes / MB).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo` : `${Math.max(1, Math.round(bytes / 1024)).toLocaleString('fr-FR')} Ko`;

/** Removes path parts, control and reserved characters; keeps accents. */
export function safeFilename(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^\.+/, '').trim();
  return cleaned.slice(0, 255);
}

const extensionOf = (filename: string) => /\.([a-z0-9]{1,12})$/i.exec(filename)?.[1]?.toLowerCase() ?? '';

function defaultName(a: Attachment, index: number): string {
  switch (a.contentType) {
    case 'message/delivery-status':
      return 'rapport-de-distribution.txt';
    case 'message/disposition-notification':
      return 'accuse-de-lecture.txt';
    case 'text/rfc822-headers':
    case 'message/rfc822-headers':
      return 'en-tetes-du-message.txt';
    default:
      return `piece-jointe-${index + 1}`;
  }
}

/** The subject of an attached message (decoded), for its file name. */
async function embeddedSubject(content: Buffer): Promise<string | null> {
  try {
    const inner = await simpleParser(content, { skipHtmlToText: true, skipTextToHtml: true, skipImageLinks: true });
    return inner.subject?.trim() || null;
  } catch {
    return null;
  }
}

export interface ScreenOptions {
  maxAttachmentBytes: number;
}

export async function screenAttachments(
  attachments: Attachment[],
  opts: ScreenOptions,
): Promise<{ kept: KeptAttachment[]; refused: RefusedAttachment[] }> {
  const kept: KeptAttachment[] = [];
  const refused: RefusedAttachment[] = [];
  for (const [i, a] of attachments.entries()) {
    const declared = (a.contentType || 'application/octet-stream').toLowerCase();
    let filename = a.filename ? safeFilename(a.filename) : '';
    if (!filename && declared === 'message/rfc822') {
      const subject = await embeddedSubject(a.content);
      filename = safeFilename(`${(subject || 'message').slice(0, 200)}.eml`);
    }
    if (!filename) filename = defaultName(a, i);
    const sizeBytes = a.content.byteLength;
    const detected = sizeBytes > 0 ? await fileTypeFromBuffer(a.content).catch(() => undefined) : undefined;
    const contentType = detected && !GENERIC_DETECTIONS.has(detected.mime) ? detected.mime : declared;
    const refuse = (reason: string) => refused.push({ filename, contentType: contentType.slice(0, 200), sizeBytes, reason });

    if (DANGEROUS_TYPES.has(contentType) || DANGEROUS_TYPES.has(declared) || DANGEROUS_EXTENSIONS.has(extensionOf(filename))) {
      const what =
        detected && DANGEROUS_TYPES.has(detected.mime)
          ? `programme détecté dans son contenu (${detected.ext})`
          : `fichier .${extensionOf(filename) || detected?.ext || '?'}, programme ou script`;
      refuse(`Pièce jointe refusée, ${what} : bloquée pour la sécurité des postes.`);
      continue;
    }
    if (sizeBytes > opts.maxAttachmentBytes) {
      refuse(`Pièce jointe trop volumineuse (${formatMegabytes(sizeBytes)}, maximum ${formatMegabytes(opts.maxAttachmentBytes)}) : demandez au client un envoi plus léger.`);
      continue;
    }
    if (kept.length >= EMAIL_MAX_ATTACHMENTS) {
      refuse(`Trop de pièces jointes dans un seul message (maximum ${EMAIL_MAX_ATTACHMENTS}).`);
      continue;
    }
    kept.push({
      filename,
      contentType: contentType.length >= 3 ? contentType.slice(0, 200) : 'application/octet-stream',
      content: new Uint8Array(a.content),
      inline: a.contentDisposition === 'inline' || a.related === true,
    });
  }
  return { kept, refused: refused.slice(0, 50) };
}
