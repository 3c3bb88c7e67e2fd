import { MappingError, type InboundMapper, type InboundMessageInput } from '../../src/intake/contract.ts';
import { readWebformPayload, WEBFORM_CONTENT_TYPE } from './payload.ts';

/** Subject when the customer gave no nature: the start of the description, cut on a word. */
export function excerpt(text: string, max = 80): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:!?–—-]+$/, '')}…`;
}

/**
 * The web form's journal payload (see payload.ts) → one InboundMessage. Pure: no I/O, no clock.
 * The file types were detected on the bytes by the route before journaling (file-type is asynchronous and
 * this mapper is not); the mapper keeps them as written.
 * No complaint reference is looked for in the text: a new complaint made through the form is a new
 * complaint, and a customer adding to an existing one writes from their tracking page (tracking token).
 */
export const mapWebform: InboundMapper = (raw) => {
  if (raw.contentType.split(';')[0]!.trim().toLowerCase() !== WEBFORM_CONTENT_TYPE) {
    throw new MappingError(`Type de contenu inattendu pour le formulaire web : « ${raw.contentType} ».`);
  }
  const read = readWebformPayload(raw.payload);
  if (!read.ok) throw new MappingError(read.reason);
  const p = read.value;
  if (p.tenantId !== raw.tenantId) throw new MappingError('Le formulaire web reçu ne correspond pas à ce cabinet.');
  const sentAt = new Date(p.submittedAt);
  if (Number.isNaN(sentAt.getTime())) throw new MappingError('Date de soumission du formulaire web invalide.');
  const f = p.fields;

  const declared: Record<string, string> = {};
  if (f.nature) declared.nature = f.nature;
  if (f.complainantType) declared.complainantType = f.complainantType;

  const message: InboundMessageInput = {
    tenantId: raw.tenantId,
    channel: 'webform',
    externalId: raw.externalId,
    thread: {
      inReplyTo: null,
      references: [],
      referenceTokens: [],
      conversationKey: null,
      trackingToken: p.kind === 'follow_up' ? (p.trackingToken ?? null) : null,
    },
    sender: {
      name: f.name ?? null,
      email: f.email ?? null,
      phone: f.phone ?? null,
      slackUser: null,
    },
    contractNumbers: f.contractNumber ? [f.contractNumber] : [],
    sentAt,
    receivedAt: raw.receivedAt,
    subject: f.nature ?? excerpt(f.description),
    text: f.description,
    html: null,
    attachments: p.files.map((file) => {
      const bytes = Buffer.from(file.base64, 'base64');
      return {
        filename: file.filename,
        contentType: file.contentType,
        content: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        inline: false,
      };
    }),
    language: p.language,
    declared,
  };
  return message;
};
