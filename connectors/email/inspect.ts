/**
 * `guichet inspect-email FILE.eml`: what the production mapper makes of one raw message, for support
 * staff asking "why did this mail do that?". Reads nothing but the bytes given, writes nothing.
 */
import { findReferences } from '../../src/domain/reference.ts';
import { inboundMessageSchema, MappingError, type InboundMessage } from '../../src/intake/contract.ts';
import { createEmailMapper, type EmailMapperOptions } from './mapper.ts';

export type InspectKind = 'complaint' | 'reply' | 'forward' | 'autoreply' | 'bounce';

export interface InspectResult {
  kind: InspectKind | null;
  /** The From address (for a forward: the colleague who forwarded it). */
  fromEmail: string | null;
  /** For a forward: the customer who wrote the forwarded message. */
  originalSenderEmail: string | null;
  /** The complaint reference the mail points to. */
  threadRef: string | null;
  /** What classification reads: the new text, or the whole text when nothing was stripped. */
  newText: string | null;
  subject: string | null;
  attachments: { filename: string; contentType: string }[];
  /** For a bounce: the Message-ID of our message that could not be delivered. */
  bouncedMessageId: string | null;
  /** Beyond the public contract, for support: what was refused and why, and the noise's detail. */
  refusedAttachments: { filename: string; contentType: string; reason: string }[];
  noiseDetail: string | null;
  /** Set when the mail cannot be read (it would be quarantined), with kind null. */
  error?: string;
}

const TENANT = '00000000-0000-4000-8000-000000000000';
const OUR_MESSAGE_ID = /^guichet\.(REC-\d{4}-\d{6,})\./i;

/**
 * The reference a message points to, strongest evidence first as ingest reads it: our own Message-IDs in
 * In-Reply-To / References (newest first) or in a bounce's report, then a reference in the subject, then
 * in the text.
 */
export function threadRefOf(m: InboundMessage): string | null {
  const ids = [...(m.thread.inReplyTo ? [m.thread.inReplyTo] : []), ...[...m.thread.references].reverse(), ...(m.noise?.relatesTo ?? [])];
  for (const id of ids) {
    const [ref] = findReferences(OUR_MESSAGE_ID.exec(id)?.[1] ?? '');
    if (ref) return ref;
  }
  return m.thread.referenceTokens[0] ?? findReferences(`${m.subject ?? ''}\n${m.text}`)[0] ?? null;
}

export function kindOf(m: InboundMessage): InspectKind {
  if (m.noise) return m.noise.kind;
  if (m.forwardedBy) return 'forward';
  if (m.thread.inReplyTo || m.thread.references.length > 0 || threadRefOf(m)) return 'reply';
  return 'complaint';
}

const empty = (error: string): InspectResult => ({
  kind: null,
  fromEmail: null,
  originalSenderEmail: null,
  threadRef: null,
  newText: null,
  subject: null,
  attachments: [],
  bouncedMessageId: null,
  refusedAttachments: [],
  noiseDetail: null,
  error,
});

export async function inspectEmail(bytes: Uint8Array, options: EmailMapperOptions = {}): Promise<InspectResult> {
  let m: InboundMessage;
  try {
    const mapped = await createEmailMapper(options)({
      tenantId: TENANT,
      channel: 'email',
      externalId: 'inspect',
      payload: bytes,
      contentType: 'message/rfc822',
      receivedAt: new Date(),
    });
    const checked = inboundMessageSchema.safeParse(mapped);
    if (!checked.success) return empty(`Message refusé par le contrat d’entrée : ${checked.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join(' ; ')}`);
    m = checked.data;
  } catch (err) {
    if (err instanceof MappingError) return empty(err.reason);
    throw err;
  }
  const kind = kindOf(m);
  return {
    kind,
    fromEmail: m.forwardedBy?.email ?? m.sender.email,
    originalSenderEmail: m.forwardedBy ? m.sender.email : null,
    threadRef: threadRefOf(m),
    newText: m.newText ?? m.text,
    subject: m.subject,
    attachments: m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType })),
    bouncedMessageId: kind === 'bounce' ? (m.noise?.relatesTo[0] ?? null) : null,
    refusedAttachments: m.refusedAttachments.map((a) => ({ filename: a.filename, contentType: a.contentType, reason: a.reason })),
    noiseDetail: m.noise?.detail ?? null,
  };
}
