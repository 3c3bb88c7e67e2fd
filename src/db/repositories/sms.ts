import type { Kysely } from 'kysely';
import type { Complaint, Database, Message } from '../types.ts';

type Db = Kysely<Database>;

/** Queries of the SMS and voice channel (STATUT answers, transcriptions of voice messages). */

/** The complaints of the customer holding this (normalised) phone identity, newest first. */
export async function complaintsOfPhone(db: Db, tenantId: string, phone: string, limit = 20): Promise<Complaint[]> {
  return db
    .selectFrom('complaints as c')
    .innerJoin('customer_identities as i', (j) => j.onRef('i.customer_id', '=', 'c.customer_id').onRef('i.tenant_id', '=', 'c.tenant_id'))
    .selectAll('c')
    .where('c.tenant_id', '=', tenantId)
    .where('i.kind', '=', 'phone')
    .where('i.value', '=', phone)
    .orderBy('c.received_at', 'desc')
    .orderBy('c.created_at', 'desc')
    .limit(limit)
    .execute();
}

/** The customer holding this (normalised) phone identity, if any. */
export async function customerIdOfPhone(db: Db, tenantId: string, phone: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('customer_identities')
    .select('customer_id')
    .where('tenant_id', '=', tenantId)
    .where('kind', '=', 'phone')
    .where('value', '=', phone)
    .executeTakeFirst();
  return row?.customer_id;
}

/** Locks an inbound message for the rest of the transaction (one transcription applied at a time). */
export async function lockInboundMessage(db: Db, tenantId: string, messageId: string): Promise<Message | undefined> {
  return db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', messageId).where('direction', '=', 'inbound').forUpdate().executeTakeFirst();
}

/** Replaces the text of an inbound message (a voice message's transcription), with its meta. */
export async function setInboundText(db: Db, tenantId: string, messageId: string, text: string, meta: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('messages')
    .set({ body_text: text, meta: JSON.stringify(meta) })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', messageId)
    .where('direction', '=', 'inbound')
    .execute();
}

/**
 * Transcriptions journaled between `since` and `before` but not applied (a process died between the
 * journal commit and the reconciliation): the sweep applies them. Older ones wait for an agent.
 */
export async function staleTranscriptions(db: Db, before: Date, since: Date, limit: number): Promise<{ tenantId: string; callSid: string }[]> {
  const rows = await db
    .selectFrom('inbound_journal')
    .select(['tenant_id', 'external_id'])
    .where('channel', '=', 'voice')
    .where('external_id', 'like', '%:transcription')
    .where('status', '=', 'ignored')
    .where('received_at', '<', before)
    .where('received_at', '>=', since)
    .orderBy('received_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, callSid: r.external_id.replace(/:transcription$/, '') }));
}
