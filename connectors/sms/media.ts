/**
 * Fetching the media of an MMS and the audio of a voice message from Twilio, with the account's
 * credentials (HTTP Basic, AccountSid:authToken), before the payload is journaled (see payload.ts).
 * Every media ends up either accepted (type detected on its CONTENT, size checked) or refused with a French
 * reason: never silently dropped.
 */
import { fileTypeFromBuffer } from 'file-type';
import type { ComposedMedia, RefusedMedia } from './payload.ts';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

export interface MediaRules {
  maxBytes: number;
  /** Content types accepted (detected from the bytes): exact values or `audio/*`-style prefixes. */
  accept: readonly string[];
  timeoutMs: number;
  /**
   * Origins we send the credentials to: Twilio's API (and the configured base URL in tests). A media URL
   * elsewhere is refused: a signed payload comes from Twilio, but the credentials stay with Twilio anyway.
   */
  allowedOrigins: readonly string[];
}

export const MMS_MAX_BYTES = 5 * 1024 * 1024;
export const RECORDING_MAX_BYTES = 20 * 1024 * 1024;
export const MMS_ACCEPT = ['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/heic', 'image/heif', 'application/pdf', 'audio/*'] as const;
export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/heif': 'heif',
  'application/pdf': 'pdf',
  'audio/mpeg': 'mp3',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/amr': 'amr',
  'audio/ogg': 'ogg',
  'audio/mp4': 'm4a',
  'audio/aac': 'aac',
};

function accepted(rules: MediaRules, type: string): boolean {
  return rules.accept.some((a) => (a.endsWith('/*') ? type.startsWith(a.slice(0, -1)) : type === a));
}

export function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} Mo`;
}

/** Reads a response body up to `max` bytes; null when it is larger. */
async function readBounded(res: Response, max: number): Promise<{ bytes: Uint8Array<ArrayBuffer> | null; size: number }> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel();
    return { bytes: null, size: declared };
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.byteLength;
      if (size > max) {
        await res.body.cancel().catch(() => {});
        return { bytes: null, size };
      }
      chunks.push(chunk);
    }
  }
  return { bytes: new Uint8Array(Buffer.concat(chunks)), size };
}

/**
 * One media: GET with Basic auth (redirects followed: Twilio serves media from a signed storage URL; fetch
 * drops the Authorization header when the redirect leaves the origin).
 */
export async function fetchMedia(
  url: string,
  filenameBase: string,
  declaredType: string,
  creds: TwilioCredentials,
  rules: MediaRules,
): Promise<{ ok: true; media: ComposedMedia } | { ok: false; refused: RefusedMedia }> {
  const refuse = (reason: string, sizeBytes = 0, contentType = declaredType): { ok: false; refused: RefusedMedia } => ({
    ok: false,
    refused: { filename: filenameBase, contentType: contentType.slice(0, 200), sizeBytes, reason },
  });
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return refuse('Adresse du média invalide.');
  }
  if (!rules.allowedOrigins.includes(origin)) return refuse(`Média hébergé hors de Twilio (${origin}) : non récupéré.`);
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Basic ${Buffer.from(`${creds.accountSid}:${creds.authToken}`).toString('base64')}` },
      redirect: 'follow',
      signal: AbortSignal.timeout(rules.timeoutMs),
    });
  } catch (err) {
    const timedOut = (err as Error).name === 'TimeoutError';
    return refuse(timedOut ? 'Média non récupéré auprès de Twilio : délai dépassé.' : 'Média non récupéré auprès de Twilio : erreur réseau.');
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    return refuse(`Média non récupéré auprès de Twilio (HTTP ${res.status}).`);
  }
  let read: { bytes: Uint8Array<ArrayBuffer> | null; size: number };
  try {
    read = await readBounded(res, rules.maxBytes);
  } catch {
    return refuse('Média non récupéré auprès de Twilio : transfert interrompu.');
  }
  if (!read.bytes) return refuse(`Fichier trop volumineux (${formatMb(read.size)} ; ${formatMb(rules.maxBytes)} au plus).`, read.size);
  const detected = await fileTypeFromBuffer(read.bytes);
  if (!detected) return refuse('Type de fichier non reconnu : seuls les images, PDF et fichiers audio sont acceptés.', read.size);
  if (!accepted(rules, detected.mime)) {
    return refuse(`Type de fichier non accepté (${detected.mime}) : seuls les images, PDF et fichiers audio sont acceptés.`, read.size, detected.mime);
  }
  const ext = EXTENSIONS[detected.mime] ?? detected.ext;
  return { ok: true, media: { filename: `${filenameBase}.${ext}`, contentType: detected.mime, content: read.bytes } };
}

/** Several media (Twilio sends at most 10), fetched together, results in their order. */
export async function fetchAllMedia(
  items: { url: string; filenameBase: string; declaredType: string }[],
  creds: TwilioCredentials,
  rules: MediaRules,
): Promise<{ media: ComposedMedia[]; refused: RefusedMedia[] }> {
  const results = await Promise.all(items.map((i) => fetchMedia(i.url, i.filenameBase, i.declaredType, creds, rules)));
  return {
    media: results.flatMap((r) => (r.ok ? [r.media] : [])),
    refused: results.flatMap((r) => (r.ok ? [] : [r.refused])),
  };
}
