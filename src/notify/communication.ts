import { z } from 'zod';

/**
 * What every message to a customer says about the firm (tenants.settings.customerCommunication): the
 * médiateur named in acknowledgements and in any answer that refuses even partly, and the signature.
 */
export const DEFAULT_MEDIATOR = 'La Médiation de l’Assurance, TSA 50110, 75441 Paris Cedex 09 — www.mediation-assurance.org';

export const customerCommunicationSchema = z.object({
  /** Name and contact details of the médiateur the customer may seize. */
  mediator: z.string().trim().min(10, 'Indiquez le nom et les coordonnées du médiateur.').max(500).default(DEFAULT_MEDIATOR),
  /** Closing lines of every message (the firm's name when empty). */
  signature: z.string().trim().max(1000).nullable().default(null),
  /** Status changes are written to the customer on the channels they used. */
  statusUpdates: z.boolean().default(true),
  /** Days before the answer deadline from which a holding reply is proposed to the agent. */
  holdingReplyDays: z.number().int().min(0).max(30).default(7),
});
export type CustomerCommunication = z.infer<typeof customerCommunicationSchema>;

export function customerCommunicationOf(settings: Record<string, unknown> | null | undefined): CustomerCommunication {
  const parsed = customerCommunicationSchema.safeParse((settings ?? {}).customerCommunication ?? {});
  return parsed.success ? parsed.data : customerCommunicationSchema.parse({});
}
