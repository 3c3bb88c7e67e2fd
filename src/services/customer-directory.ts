import type { Deps } from '../deps.ts';
import { NotFoundError } from '../domain/errors.ts';
import { normalizeContractNumber, normalizeEmail, normalizePhone } from '../domain/identity.ts';
import { getCustomer, listIdentities, searchCustomers, type Identity } from '../db/repositories/customers.ts';
import { listCustomerMerges } from '../db/repositories/merges.ts';
import type { Actor } from './actor.ts';
import { listComplaints } from './complaints.ts';

/** What an agent typed may be a name, an email, a phone number or a contract number. */
function identityOf(q: string): Identity | null {
  const email = q.includes('@') ? normalizeEmail(q) : null;
  if (email) return { kind: 'email', value: email };
  if (/^[+\d][\d\s.()-]{5,}$/.test(q)) {
    const phone = normalizePhone(q);
    if (phone) return { kind: 'phone', value: phone };
  }
  const contract = /\d/.test(q) ? normalizeContractNumber(q) : null;
  return contract ? { kind: 'contract', value: contract } : null;
}

export async function findCustomers(deps: Deps, actor: Actor, q: string, limit = 20) {
  return { items: await searchCustomers(deps.db, actor.tenantId, q.trim(), identityOf(q.trim()), Math.min(limit, 50)) };
}

export async function getCustomerFile(deps: Deps, actor: Actor, customerId: string) {
  const customer = await getCustomer(deps.db, actor.tenantId, customerId);
  if (!customer) throw new NotFoundError('Client introuvable.');
  const [identities, complaints, merges] = await Promise.all([
    listIdentities(deps.db, actor.tenantId, customerId),
    listComplaints(deps, actor, { customerId, limit: 100 }),
    listCustomerMerges(deps.db, actor.tenantId, customerId),
  ]);
  return {
    id: customer.id,
    displayName: customer.display_name,
    complainantType: customer.complainant_type,
    createdAt: customer.created_at.toISOString(),
    identities,
    complaints: complaints.items,
    complaintsTotal: complaints.total,
    /** Merges this customer took part in; an active one (not undone) can be undone. */
    merges: merges.map((m) => ({
      id: m.id,
      keptCustomerId: m.kept_customer_id,
      keptName: m.kept_name ?? null,
      mergedCustomerId: m.merged_customer_id,
      mergedName: m.merged_name ?? null,
      by: m.by_name ?? null,
      at: m.created_at.toISOString(),
      undoneAt: m.undone_at?.toISOString() ?? null,
    })),
  };
}
