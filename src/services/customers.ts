import type { Deps } from '../deps.ts';
import { ValidationError } from '../domain/errors.ts';
import { normalizeEmail, normalizePhone } from '../domain/identity.ts';
import type { ComplainantType } from '../domain/taxonomy.ts';
import { randomUUID } from 'node:crypto';
import { addIdentities, findIdentities, insertCustomer, type Identity, type IdentityKind } from '../db/repositories/customers.ts';
import { insertMergeSuggestion } from '../db/repositories/merges.ts';
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

export interface LinkResult {
  customerId: string;
  created: boolean;
  /** Other customers holding one of the identities: each becomes a merge suggestion, never a silent merge. */
  conflicts: string[];
  found: { customerId: string; kind: Identity['kind']; value: string }[];
}

/**
 * Finds the customer holding these normalised identities, or creates one. A single match links; when
 * identities point to different customers, the message goes to the customer of the strongest identity
 * and the others are returned as conflicts for the caller to raise as merge suggestions.
 */
export async function linkIdentities(
  db: Deps['db'],
  tenantId: string,
  identities: readonly Identity[],
  profile: { name: string; type?: ComplainantType | undefined },
): Promise<LinkResult> {
  const found = await findIdentities(db, tenantId, identities);
  const distinct = [...new Set(found.map((f) => f.customerId))];
  if (distinct.length === 0) {
    const customer = await insertCustomer(db, tenantId, { displayName: profile.name.trim() || 'Client sans nom', complainantType: profile.type ?? 'client' });
    await addIdentities(db, tenantId, customer.id, identities);
    return { customerId: customer.id, created: true, conflicts: [], found };
  }
  const chosen = PRECEDENCE.map((kind) => found.find((f) => f.kind === kind)).find((f) => f !== undefined)!.customerId;
  await addIdentities(db, tenantId, chosen, identities);
  return { customerId: chosen, created: false, conflicts: distinct.filter((id) => id !== chosen), found };
}

/** Raises one merge suggestion per conflicting customer (an existing pending one for the pair is kept). */
export async function raiseMergeSuggestions(
  db: Deps['db'],
  s: { tenantId: string; customerId: string; others: string[]; reason: string; evidence: Record<string, unknown>; complaintId?: string | null; messageId?: string | null; at: Date },
): Promise<number> {
  let raised = 0;
  for (const other of s.others) {
    if (other === s.customerId) continue;
    const row = await insertMergeSuggestion(db, { ...s, otherCustomerId: other });
    if (row) raised++;
  }
  return raised;
}

/** Manual creation: the complainant's identities, linked as for any inbound message. */
export async function linkCustomer(
  db: Deps['db'],
  tenantId: string,
  input: ComplainantInput,
  contractNumber: string | null,
): Promise<{ customerId: string; conflicts: string[]; found: LinkResult['found']; events: Omit<NewEvent, 'tenantId' | 'actorKind'>[] }> {
  const identities = complainantIdentities(input, contractNumber);
  const link = await linkIdentities(db, tenantId, identities, { name: input.name, type: input.type });
  const events: Omit<NewEvent, 'tenantId' | 'actorKind'>[] = link.created
    ? [{ type: 'customer.created', customerId: link.customerId, data: {} }]
    : [];
  return { customerId: link.customerId, conflicts: link.conflicts, found: link.found, events };
}

const identityKey = (i: Identity) => `${i.kind}\u0000${i.value}`;

/**
 * linkIdentities in memory, for a batch of messages: loaded once with the identity rows of every message
 * of the batch, it links message after message exactly as linkIdentities would, each seeing the customers
 * and identities the earlier ones created; the caller writes `newCustomers` and `newIdentities` at the end.
 */
export class IdentityBook {
  private readonly owner = new Map<string, string>();
  readonly newCustomers: { id: string; displayName: string; complainantType: string }[] = [];
  /** `forNewCustomer`: part of a customer created by this batch (a concurrent writer taking it first must abort the batch). */
  readonly newIdentities: { customerId: string; kind: IdentityKind; value: string; forNewCustomer: boolean }[] = [];

  constructor(rows: readonly { customerId: string; kind: IdentityKind; value: string }[]) {
    for (const r of rows) this.owner.set(identityKey(r), r.customerId);
  }

  /** The customer holding this identity now, if any. */
  holder(i: Identity): string | undefined {
    return this.owner.get(identityKey(i));
  }

  /** Customers known to hold an identity (from the database, not those created in memory). */
  existingCustomers(): string[] {
    const created = new Set(this.newCustomers.map((c) => c.id));
    return [...new Set(this.owner.values())].filter((id) => !created.has(id));
  }

  link(identities: readonly Identity[], profile: { name: string; type?: ComplainantType | undefined }): LinkResult {
    const found: LinkResult['found'] = [];
    for (const i of identities) {
      const customerId = this.owner.get(identityKey(i));
      if (customerId && !found.some((f) => f.kind === i.kind && f.value === i.value)) found.push({ customerId, kind: i.kind, value: i.value });
    }
    const distinct = [...new Set(found.map((f) => f.customerId))];
    if (distinct.length === 0) {
      const id = randomUUID();
      this.newCustomers.push({ id, displayName: profile.name.trim() || 'Client sans nom', complainantType: profile.type ?? 'client' });
      this.add(id, identities, true);
      return { customerId: id, created: true, conflicts: [], found };
    }
    const chosen = PRECEDENCE.map((kind) => found.find((f) => f.kind === kind)).find((f) => f !== undefined)!.customerId;
    this.add(chosen, identities, false);
    return { customerId: chosen, created: false, conflicts: distinct.filter((id) => id !== chosen), found };
  }

  private add(customerId: string, identities: readonly Identity[], forNewCustomer: boolean): void {
    for (const i of identities) {
      const k = identityKey(i);
      if (this.owner.has(k)) continue;
      this.owner.set(k, customerId);
      this.newIdentities.push({ customerId, kind: i.kind, value: i.value, forNewCustomer });
    }
  }
}
