import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

type Db = Kysely<Database>;

/**
 * Complaints whose acknowledgement should leave on its own: a qualified complaint (kind `reclamation`,
 * not waiting in triage; or recorded by an agent), open, neither acknowledged nor answered, whose process
 * sends acknowledgements automatically, and for which no acknowledgement was queued nor found impossible.
 */
export async function complaintsAwaitingAutoAck(db: Db, since: Date, limit: number): Promise<{ tenantId: string; complaintId: string }[]> {
  const rows = await db
    .selectFrom('complaints as c')
    .leftJoin('processes as p', (j) => j.onRef('p.tenant_id', '=', 'c.tenant_id').onRef('p.id', '=', 'c.process_id'))
    .select(['c.tenant_id', 'c.id'])
    .where('c.kind', '=', 'reclamation')
    .where('c.status', 'in', ['nouvelle', 'en_cours', 'en_attente'])
    .where('c.acknowledged_at', 'is', null)
    .where('c.answered_at', 'is', null)
    .where('c.triage_reason', 'is', null)
    .where('c.created_at', '>=', since)
    .where((eb) => eb.or([eb('p.id', 'is', null), sql<boolean>`coalesce(p.settings->>'acknowledgement', 'auto') <> 'approval'`]))
    .where((eb) =>
      eb.or([
        eb('c.created_by', 'is not', null),
        eb.exists(eb.selectFrom('qualifications as q').select('q.id').whereRef('q.tenant_id', '=', 'c.tenant_id').whereRef('q.complaint_id', '=', 'c.id')),
      ]),
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb.selectFrom('messages as m').select('m.id').whereRef('m.tenant_id', '=', 'c.tenant_id').whereRef('m.complaint_id', '=', 'c.id').where('m.purpose', '=', 'ack').where('m.direction', '=', 'outbound'),
        ),
      ),
    )
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('events as e').select('e.id').whereRef('e.tenant_id', '=', 'c.tenant_id').whereRef('e.complaint_id', '=', 'c.id').where('e.type', '=', 'acknowledgement.no_channel'))),
    )
    .orderBy('c.created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, complaintId: r.id }));
}

/** Stops the acknowledgement clock once our acknowledgement has left (first time only). */
export async function markAcknowledged(db: Db, tenantId: string, complaintId: string, at: Date): Promise<boolean> {
  const r = await db
    .updateTable('complaints')
    .set({ acknowledged_at: at, updated_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', complaintId)
    .where('acknowledged_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
