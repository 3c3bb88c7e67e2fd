import type { Deps } from '../deps.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { insertCustomer } from '../db/repositories/customers.ts';
import { openComplaint } from '../services/complaint-records.ts';

/** One customer and one complaint to hang raw rows on (benchmark ceilings). */
export async function oneComplaint(deps: Deps, tenantId: string): Promise<{ customerId: string; complaintId: string }> {
  const tenant = (await getTenant(deps.db, tenantId))!;
  return deps.db.transaction().execute(async (trx) => {
    const customer = await insertCustomer(trx, tenantId, { displayName: 'Plafond', complainantType: 'client' });
    const now = deps.clock.now();
    const c = await openComplaint(trx, {
      tenant,
      customerId: customer.id,
      channel: 'email',
      sentOn: null,
      receivedAt: now,
      subject: 'Plafond',
      description: 'Plafond',
      createdBy: null,
      now,
    });
    return { customerId: customer.id, complaintId: c.id };
  });
}
