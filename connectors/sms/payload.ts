/**
 * What a Twilio webhook leaves in the inbound journal, and how the mapper reads it back. Pure.
 *
 * - A text message without media: the raw form-encoded body exactly as Twilio posted (and signed) it,
 *   content type `application/x-www-form-urlencoded`.
 * - A message with media (MMS) or a voice message: media must be fetched from Twilio with the account's
 *   credentials, which is I/O and cannot happen in the pure mapper. The webhook fetches them BEFORE
 *   journaling (bounded in size and time, well within Twilio's 15 s webhook timeout) and journals a
 *   composed payload: the raw body verbatim (so the journal still holds exactly what Twilio sent, media
 *   URLs included), the media bytes that passed the checks, and the media refused with their reason — a
 *   media that could not be fetched is refused with that reason, never silently dropped, and the message
 *   itself is journaled all the same. Fetching first means that what the journal holds is complete and
 *   replayable without Twilio; the price is a slower answer to Twilio for MMS and recordings only.
 *   Content type `application/vnd.guichet.twilio+json`.
 */
import { MappingError } from '../../src/intake/contract.ts';

export const TWILIO_FORM_TYPE = 'application/x-www-form-urlencoded';
export const TWILIO_COMPOSED_TYPE = 'application/vnd.guichet.twilio+json';

export type TwilioParams = Record<string, string>;

/** Form body → parameters (Twilio never repeats a name; the last one would win). */
export function parseTwilioForm(body: string): TwilioParams {
  return Object.fromEntries(new URLSearchParams(body));
}

export interface DeclaredMedia {
  index: number;
  url: string;
  contentType: string;
}

/** Twilio sends at most 10 media per message. */
export const MAX_MEDIA = 10;

/** `NumMedia`, `MediaUrl0..n`, `MediaContentType0..n` as Twilio documents them. */
export function declaredMedia(params: TwilioParams): DeclaredMedia[] {
  const n = Math.min(MAX_MEDIA, Math.max(0, Number.parseInt(params.NumMedia ?? '0', 10) || 0));
  const out: DeclaredMedia[] = [];
  for (let i = 0; i < n; i++) {
    const url = params[`MediaUrl${i}`];
    if (url) out.push({ index: i, url, contentType: params[`MediaContentType${i}`] ?? 'application/octet-stream' });
  }
  return out;
}

export interface ComposedMedia {
  filename: string;
  /** Detected from the content. */
  contentType: string;
  content: Uint8Array<ArrayBuffer>;
}

export interface RefusedMedia {
  filename: string;
  contentType: string;
  sizeBytes: number;
  /** French, shown to agents. */
  reason: string;
}

export interface ComposedTwilio {
  /** The webhook's raw form body, verbatim. */
  form: string;
  /** Voice: the raw body of the incoming-call webhook (caller, called number), when it was journaled. */
  call: string | null;
  /** Voice: the raw body of a transcription callback that arrived before the recording. */
  transcription: string | null;
  media: ComposedMedia[];
  refused: RefusedMedia[];
}

interface Wire {
  v: 1;
  form: string;
  call: string | null;
  transcription: string | null;
  media: { filename: string; contentType: string; base64: string }[];
  refused: RefusedMedia[];
}

export function buildComposedPayload(c: ComposedTwilio): { payload: Uint8Array; contentType: string } {
  const wire: Wire = {
    v: 1,
    form: c.form,
    call: c.call,
    transcription: c.transcription,
    media: c.media.map((m) => ({ filename: m.filename, contentType: m.contentType, base64: Buffer.from(m.content).toString('base64') })),
    refused: c.refused,
  };
  return { payload: new TextEncoder().encode(JSON.stringify(wire)), contentType: TWILIO_COMPOSED_TYPE };
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads either journaled form; throws MappingError (French reason) for anything else. */
export function readTwilioPayload(payload: Uint8Array, contentType: string): ComposedTwilio {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  let text: string;
  try {
    text = decoder.decode(payload);
  } catch {
    throw new MappingError('Contenu Twilio illisible (encodage non UTF-8).');
  }
  if (type === TWILIO_FORM_TYPE) return { form: text, call: null, transcription: null, media: [], refused: [] };
  if (type !== TWILIO_COMPOSED_TYPE) throw new MappingError(`Type de contenu inattendu pour Twilio : ${contentType}.`);
  let wire: Wire;
  try {
    wire = JSON.parse(text) as Wire;
  } catch {
    throw new MappingError('Contenu Twilio composé illisible (JSON invalide).');
  }
  if (wire?.v !== 1 || typeof wire.form !== 'string' || !Array.isArray(wire.media) || !Array.isArray(wire.refused)) {
    throw new MappingError('Contenu Twilio composé incomplet.');
  }
  return {
    form: wire.form,
    call: typeof wire.call === 'string' ? wire.call : null,
    transcription: typeof wire.transcription === 'string' ? wire.transcription : null,
    media: wire.media.map((m) => ({ filename: m.filename, contentType: m.contentType, content: new Uint8Array(Buffer.from(m.base64, 'base64')) })),
    refused: wire.refused,
  };
}
