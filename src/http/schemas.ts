import { z } from 'zod';
import {
  CAUSES,
  CHANNELS,
  COMPLAINANT_TYPES,
  KINDS,
  OUTCOMES,
  PRIORITIES,
  PRODUCTS,
  STATUSES,
} from '../domain/taxonomy.ts';
import { isIsoDate } from '../domain/calendar.ts';

export const isoDate = z.string().refine(isIsoDate, { message: 'Date attendue au format AAAA-MM-JJ.' });
export const uuid = z.uuid({ message: 'Identifiant invalide.' });

export const kind = z.enum(KINDS);
export const cause = z.enum(CAUSES);
export const product = z.enum(PRODUCTS);
export const priority = z.enum(PRIORITIES);
export const status = z.enum(STATUSES);
export const outcome = z.enum(OUTCOMES);
export const channel = z.enum(CHANNELS);
export const complainantType = z.enum(COMPLAINANT_TYPES);
export const role = z.enum(['agent', 'manager', 'admin']);

export const errorBody = z.object({
  error: z.string(),
  message: z.string(),
  fields: z.record(z.string(), z.string()).optional(),
});

export const userDto = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role,
  status: z.enum(['invited', 'active', 'deactivated']),
  /** The teams the user belongs to (names as processes give them): the « Mon équipe » inbox view. */
  teams: z.array(z.string()),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});

export const tenantDto = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  plan: z.enum(['starter', 'pro', 'enterprise']),
  orias: z.string().nullable(),
  zone: z.string(),
  formUrl: z.string(),
});

export const deadlinesDto = z.object({
  ackDueOn: z.string(),
  answerDueOn: z.string(),
  ackDaysLeft: z.number().nullable(),
  answerDaysLeft: z.number().nullable(),
  ackOverdue: z.boolean(),
  answerOverdue: z.boolean(),
  answerDueWarning: z.enum(['dimanche', 'jour_ferie']).nullable(),
});

export const complaintDto = z.object({
  id: z.string(),
  reference: z.string(),
  customerId: z.string(),
  channel,
  kind,
  cause: cause.nullable(),
  product: product.nullable(),
  priority,
  status,
  outcome: outcome.nullable(),
  subject: z.string(),
  nature: z.string().nullable(),
  description: z.string(),
  contractNumber: z.string().nullable(),
  processId: z.string().nullable(),
  assigneeId: z.string().nullable(),
  sentOn: z.string(),
  sentOnSource: z.enum(['sent', 'received']),
  receivedAt: z.string(),
  acknowledgedAt: z.string().nullable(),
  answeredAt: z.string().nullable(),
  closedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Set while the complaint waits in the triage queue (qualification too unsure to route). */
  triageReason: z.string().nullable(),
  deadlines: deadlinesDto,
  /** Process steps ticked: step key → done, by (user id), at. */
  checklist: z.record(z.string(), z.object({ done: z.boolean(), by: z.string(), at: z.string() })),
  /** Set when this complaint was merged into another one (it is then closed). */
  mergedIntoId: z.string().nullable(),
});

export const complaintListItem = complaintDto.extend({
  customerName: z.string(),
  assigneeName: z.string().nullable(),
});

export const messageDto = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound', 'note']),
  channel: z.string(),
  authorUserId: z.string().nullable(),
  customerId: z.string().nullable(),
  subject: z.string().nullable(),
  bodyText: z.string(),
  bodyHtml: z.string().nullable(),
  sentAt: z.string().nullable(),
  createdAt: z.string(),
  /** Set when an agent must check who wrote before anything is sent back. */
  reviewReason: z.string().nullable(),
  /** Set when intake attached this message as the same matter raised again (cross-channel duplicate). */
  related: z.object({ reason: z.string(), score: z.number() }).nullable(),
  /** Inbound: the customer's own words, without quoted history or signature (null: all of bodyText). */
  newText: z.string().nullable(),
  /** Inbound email forwarded by a colleague: who forwarded it. */
  forwardedBy: z.object({ name: z.string().nullable(), email: z.string() }).nullable(),
  /** Outbound: where it went, and what became of it (failures carry the reason). */
  recipient: z.string().nullable(),
  purpose: z.string().nullable(),
  automatic: z.boolean(),
  delivery: z.object({ status: z.enum(['queued', 'sent', 'delivered', 'failed', 'suppressed']), error: z.string().nullable(), attempts: z.number(), deliveredAt: z.string().nullable() }).nullable(),
  refusedAttachments: z.array(z.object({ filename: z.string(), contentType: z.string(), sizeBytes: z.number(), reason: z.string() })),
});

export const attachmentDto = z.object({
  id: z.string(),
  messageId: z.string().nullable(),
  filename: z.string(),
  contentType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  createdAt: z.string(),
  removedAt: z.string().nullable(),
});

export const eventDto = z.object({
  id: z.number(),
  type: z.string(),
  actorKind: z.enum(['user', 'system', 'customer']),
  actorUserId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
  at: z.string(),
});

export const complaintDetailDto = z.object({
  complaint: complaintDto,
  customer: z
    .object({
      id: z.string(),
      displayName: z.string(),
      complainantType: z.string(),
      identities: z.array(z.object({ kind: z.string(), value: z.string() })),
    })
    .nullable(),
  assignee: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  process: z
    .object({
      id: z.string(),
      key: z.string(),
      name: z.string(),
      team: z.string().nullable(),
      steps: z.array(z.object({ key: z.string(), label: z.string() })),
    })
    .nullable(),
  messages: z.array(messageDto),
  attachments: z.array(attachmentDto),
  events: z.array(eventDto),
  timeline: z.array(
    z.union([
      z.object({ kind: z.literal('message'), at: z.string(), message: messageDto }),
      z.object({ kind: z.literal('event'), at: z.string(), event: eventDto }),
    ]),
  ),
  /** What the console proposes: a holding reply when the answer deadline is near and nothing was said lately. */
  suggestions: z.object({ holdingReply: z.boolean(), acknowledgement: z.boolean() }),
  /** Statuses this complaint may move to now (the status machine; a reopening also needs a reason). */
  allowedStatuses: z.array(status),
});

/** Query-string lists: `status=nouvelle,en_cours` or `status=nouvelle&status=en_cours`. */
export function csvList(item: z.ZodType<string, string>) {
  return z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(item));
}

export const booleanQuery = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
