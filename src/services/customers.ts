import type { Deps } from '../deps.ts';
import { ValidationError } from '../domain/errors.ts';
import { normalizeEmail, normalizePhone } from '../domain/identity.ts';
import type { ComplainantType } from '../domain/taxonomy.ts';
import { addIdentities, findIdentities, insertCustomer, type Identity } from '../db/repositories/customers.ts';
import type { NewEvent } from '../db/repositories/events.ts';

export interface ComplainantInput {
  name: string;
  email?: string | null | undefined;
  phone?: string | null | undefined;
  type?: ComplainantType | undefined;
}

/** The order in which identities decide which customer a message belongs to when they disagree. */
const PRECEDENCE: Identity['kind'][] = ['email', 'phone', 'slack', 'contract'];

export function complainantIdentities(input: ComplainantInput, contractNumber: string | null): Identity[] {
  const fields: Record<string, string> = {};
  const identities: Identity[] = [];
  if (input.email && input.email.trim() !== '') {
    const email = normalizeEmail(input.email);
    if (email) identities.push({ kind: 'email', value: email });
    else fields['complainant.email'] = 'Adresse email invalide.';
  }
  if (input.phone && input.phone.trim() !== '') {
    const phone = normalizePhone(input.phone);
    if (phone) identities.push({ kind: 'phone', value: phone });
    else fields['complainant.phone'] = 'Numéro de téléphone invalide.';
  }
  if (Object.keys(fields).length > 0) throw new ValidationError('Coordonnées du réclamant invalides.', fields);
  if (contractNumber) identities.push({ kind: 'contract', value: contractNumber });
  return identities;
}

/**
 * Finds the customer by normalised identities, or creates one. Identities that point to different
 * customers are never merged here: the message goes to the customer of the strongest identity and an
 * event records the conflict for an agent.
 */
export async function linkCustomer(
  db: Deps['db'],
  tenantId: string,
  input: ComplainantInput,
  contractNumber: string | null,
): Promise<{ customerId: string; created: boolean; events: Omit<NewEvent, 'tenantId' | 'actorKind'>[] }> {
  const identities = complainantIdentities(input, contractNumber);
  const found = await findIdentities(db, tenantId, identities);
  const distinct = [...new Set(found.map((f) => f.customerId))];
  if (distinct.length === 0) {
    const customer = await insertCustomer(db, tenantId, {
      displayName: input.name.trim(),
      complainantType: input.type ?? 'client',
    });
    await addIdentities(db, tenantId, customer.id, identities);
    return { customerId: customer.id, created: true, events: [{ type: 'customer.created', customerId: customer.id, data: {} }] };
  }
  const chosen = PRECEDENCE.map((kind) => found.find((f) => f.kind === kind)).find((f) => f !== undefined)!.customerId;
  await addIdentities(db, tenantId, chosen, identities);
  const events: Omit<NewEvent, 'tenantId' | 'actorKind'>[] = [];
  if (distinct.length > 1) {
    events.push({
      type: 'customer.identity_conflict',
      customerId: chosen,
      data: { linkedTo: chosen, others: distinct.filter((id) => id !== chosen), identities: found },
    });
  }
  return { customerId: chosen, created: false, events };
}
