import { z } from 'zod';

/**
 * What every connector produces from a vendor payload (a pure mapping, no I/O): one inbound message.
 * Deduplication, threading, customer linking and complaint creation happen once, in src/intake/ingest.ts.
 */
export const INBOUND_CHANNELS = ['email', 'webform', 'sms', 'voice', 'slack'] as const;
export type InboundChannel = (typeof INBOUND_CHANNELS)[number];

export const inboundAttachmentSchema = z.object({
  filename: z.string().min(1).max(255),
  /** Detected from the content where the connector can (never trusted from the file name). */
  contentType: z.string().min(3).max(200),
  content: z.instanceof(Uint8Array),
  /** Inline images of an email body, for instance. */
  inline: z.boolean().default(false),
});

export const inboundMessageSchema = z.object({
  tenantId: z.uuid(),
  channel: z.enum(INBOUND_CHANNELS),
  /** The provider's id: Message-ID, MessageSid, CallSid, Slack event id, form idempotency key. */
  externalId: z.string().min(1).max(998),
  thread: z.object({
    /** Email In-Reply-To, without angle brackets. */
    inReplyTo: z.string().max(998).nullable(),
    /** Email References, oldest first, without angle brackets. */
    references: z.array(z.string().max(998)).max(100),
    /** Complaint references (`REC-2026-000123`) found in the subject or text. */
    referenceTokens: z.array(z.string()).max(20),
    /** An open conversation: `sms:+33612345678`, `slack:T123:C456:1712345678.000100`. */
    conversationKey: z.string().max(300).nullable(),
    /** Set when the customer writes from their tracking page. */
    trackingToken: z.string().max(100).nullable(),
  }),
  sender: z.object({
    name: z.string().max(200).nullable(),
    email: z.string().max(320).nullable(),
    phone: z.string().max(40).nullable(),
    slackUser: z.string().max(100).nullable(),
  }),
  /** Contract or claim numbers the customer gave or wrote. */
  contractNumbers: z.array(z.string().max(60)).max(10),
  /** When the customer sent it (Date header, SMS timestamp, form submission); null when unknown. */
  sentAt: z.date().nullable(),
  receivedAt: z.date(),
  subject: z.string().max(998).nullable(),
  text: z.string().max(200_000),
  /** Already sanitised for display. */
  html: z.string().max(2_000_000).nullable(),
  attachments: z.array(inboundAttachmentSchema).max(50),
  /** Attachments the connector refused (too large, forbidden type…): recorded with the reason, never silently dropped. */
  refusedAttachments: z
    .array(z.object({ filename: z.string().max(255), contentType: z.string().max(200), sizeBytes: z.number().int().nonnegative(), reason: z.string().max(300) }))
    .max(50)
    .default([]),
  language: z.enum(['fr', 'en']).nullable(),
  /** What the customer declared in a form (nature in plain words, complainant type…), kept as given. */
  declared: z.record(z.string(), z.string()).default({}),
  /**
   * A colleague forwarded the customer's message: `sender` is then the original sender (the customer) and
   * this is who forwarded it. Null when the message came straight from its author.
   */
  forwardedBy: z.object({ name: z.string().max(200).nullable(), email: z.string().max(320) }).nullable().default(null),
  /** Text the customer wrote in this message, without quoted history or signature; null when it is all of `text`. */
  newText: z.string().max(200_000).nullable().default(null),
  /**
   * Not a customer's message but machine noise: an auto-reply (out of office…) or a bounce (delivery status
   * report). It is recorded and linked to our outbound message concerned, and never opens a complaint nor
   * triggers an acknowledgement.
   */
  noise: z
    .object({
      kind: z.enum(['autoreply', 'bounce']),
      /** Message-IDs of our message it answers or reports on (bounce: the original's Message-ID). */
      relatesTo: z.array(z.string().max(998)).max(20),
      /** Readable detail: the bounce's diagnostic, the auto-reply's subject. */
      detail: z.string().max(1000).nullable(),
    })
    .nullable()
    .default(null),
});

export type InboundMessage = z.infer<typeof inboundMessageSchema>;
export type InboundMessageInput = z.input<typeof inboundMessageSchema>;

/** A payload that cannot become a message: quarantined with this reason (French, shown to agents). */
export class MappingError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'MappingError';
  }
}

/** The journal row a mapper receives. */
export interface RawInbound {
  tenantId: string;
  channel: InboundChannel;
  externalId: string;
  payload: Uint8Array;
  contentType: string;
  receivedAt: Date;
}

/**
 * A connector's mapping from its raw payload to an InboundMessage: no I/O, no clock, only parsing;
 * throws MappingError for a payload it cannot read. MIME parsing is asynchronous, hence the second form.
 */
export type InboundMapper = (raw: RawInbound) => InboundMessageInput;
export type AsyncInboundMapper = (raw: RawInbound) => Promise<InboundMessageInput>;
