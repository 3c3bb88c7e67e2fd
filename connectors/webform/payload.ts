import { z } from 'zod';
import { COMPLAINANT_TYPES } from '../../src/domain/taxonomy.ts';

/**
 * What the public form routes (`/f/:slug`, `/suivi/:token`) write to the inbound journal: the submission
 * exactly as the customer sent it, after the route's checks (fields, sizes, file types detected on the
 * content), as UTF-8 JSON bytes under WEBFORM_CONTENT_TYPE. The journal external id is the form's
 * idempotency key (`cle`); the mapper turns the payload into an InboundMessage.
 *
 * Version 1:
 * ```json
 * { "v": 1, "tenantId": "…uuid…", "kind": "complaint" | "follow_up", "trackingToken": "…" (follow-ups),
 *   "fields": { "name", "email"?, "phone"?, "contractNumber"?, "nature"?, "description", "complainantType"? },
 *   "files": [{ "filename", "contentType" (detected from the bytes), "base64" }],
 *   "submittedAt": "2026-03-02T13:05:00.000Z", "language": "fr" | "en" }
 * ```
 * A follow-up (from the tracking page) carries only `description` in `fields` (the customer is known
 * by the tracking token), so `name` is required for a complaint only.
 * Bump `v` for any incompatible change and keep reading the older versions: journaled payloads are
 * replayed long after they were written.
 */
export const WEBFORM_CONTENT_TYPE = 'application/vnd.guichet.webform+json';
export const WEBFORM_PAYLOAD_VERSION = 1;

/** At most this many documents per submission. */
export const WEBFORM_MAX_FILES = 5;
/** The form's own per-file cap (the smaller of this and MAX_UPLOAD_BYTES applies, see webformFileLimit). */
export const WEBFORM_FILE_MAX_BYTES = 5 * 1024 * 1024;
export const WEBFORM_LIMITS = {
  name: 200,
  email: 320,
  phone: 40,
  contractNumber: 60,
  nature: 200,
  description: 20_000,
} as const;

/** The per-file limit of the public forms for a given MAX_UPLOAD_BYTES. */
export function webformFileLimit(maxUploadBytes: number): number {
  return Math.min(maxUploadBytes, WEBFORM_FILE_MAX_BYTES);
}

const optionalText = (max: number) => z.string().trim().min(1).max(max).optional();

export const webformFieldsSchema = z.object({
  name: optionalText(WEBFORM_LIMITS.name),
  email: optionalText(WEBFORM_LIMITS.email),
  phone: optionalText(WEBFORM_LIMITS.phone),
  contractNumber: optionalText(WEBFORM_LIMITS.contractNumber),
  nature: optionalText(WEBFORM_LIMITS.nature),
  description: z.string().trim().min(1).max(WEBFORM_LIMITS.description),
  complainantType: z.enum(COMPLAINANT_TYPES).optional(),
});

export const webformFileSchema = z.object({
  filename: z.string().min(1).max(255),
  contentType: z.string().min(3).max(200),
  base64: z.base64(),
});

export const webformPayloadSchema = z
  .object({
    v: z.literal(WEBFORM_PAYLOAD_VERSION),
    tenantId: z.uuid(),
    kind: z.enum(['complaint', 'follow_up']),
    trackingToken: z.string().min(1).max(100).optional(),
    fields: webformFieldsSchema,
    files: z.array(webformFileSchema).max(WEBFORM_MAX_FILES),
    submittedAt: z.iso.datetime({ offset: true }),
    language: z.enum(['fr', 'en']),
  })
  .superRefine((p, ctx) => {
    if (p.kind === 'follow_up' && !p.trackingToken) {
      ctx.addIssue({ code: 'custom', path: ['trackingToken'], message: 'jeton de suivi absent pour un complément' });
    }
    if (p.kind === 'complaint') {
      if (!p.fields.name) ctx.addIssue({ code: 'custom', path: ['fields', 'name'], message: 'nom absent' });
      if (!p.fields.email && !p.fields.phone) {
        ctx.addIssue({ code: 'custom', path: ['fields', 'email'], message: 'ni e-mail ni téléphone' });
      }
    }
  });

export type WebformPayload = z.infer<typeof webformPayloadSchema>;
export type WebformFields = z.infer<typeof webformFieldsSchema>;

export interface WebformFileInput {
  filename: string;
  /** Detected from the bytes by the route (file-type), never taken from the browser. */
  contentType: string;
  content: Uint8Array;
}

export interface WebformPayloadInput {
  tenantId: string;
  kind: WebformPayload['kind'];
  trackingToken?: string | undefined;
  fields: WebformFields;
  files: readonly WebformFileInput[];
  submittedAt: Date;
  language?: WebformPayload['language'];
}

/** Drops empty optional values so that the payload holds only what the customer gave. */
function compactFields(fields: WebformFields): WebformFields {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string' && value.trim() !== '') out[key] = value.trim();
  }
  return out as WebformFields;
}

/** Builds the journal payload (validated: the builder never writes what the mapper would refuse). */
export function buildWebformPayload(input: WebformPayloadInput): { payload: Uint8Array; contentType: string; value: WebformPayload } {
  const value = webformPayloadSchema.parse({
    v: WEBFORM_PAYLOAD_VERSION,
    tenantId: input.tenantId,
    kind: input.kind,
    ...(input.trackingToken ? { trackingToken: input.trackingToken } : {}),
    fields: compactFields(input.fields),
    files: input.files.map((f) => ({
      filename: f.filename,
      contentType: f.contentType,
      base64: Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength).toString('base64'),
    })),
    submittedAt: input.submittedAt.toISOString(),
    language: input.language ?? 'fr',
  });
  return { payload: new TextEncoder().encode(JSON.stringify(value)), contentType: WEBFORM_CONTENT_TYPE, value };
}

export type ReadResult = { ok: true; value: WebformPayload } | { ok: false; reason: string };

/** Reads journaled bytes back (mapper, receipt page, PDF); the reason is French, for agents. */
export function readWebformPayload(bytes: Uint8Array): ReadResult {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return { ok: false, reason: 'Contenu du formulaire web illisible (JSON UTF-8 invalide).' };
  }
  if (typeof json === 'object' && json !== null && 'v' in json && json.v !== WEBFORM_PAYLOAD_VERSION) {
    return { ok: false, reason: `Version de formulaire web inconnue (${String(json.v)}).` };
  }
  const parsed = webformPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || 'racine'} : ${i.message}`)
      .join(' ; ');
    return { ok: false, reason: `Formulaire web invalide (${issues}).` };
  }
  return { ok: true, value: parsed.data };
}

/** Decoded size of a base64 string, without decoding it. */
export function base64Size(base64: string): number {
  const clean = base64.replace(/\s/g, '');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}
