import type { Insertable, Kysely, Updateable } from 'kysely';
import type { Database, Message, MessagesTable } from '../types.ts';

type Db = Kysely<Database>;

export async function insertMessage(db: Db, row: Insertable<MessagesTable>): Promise<Message> {
  return db.insertInto('messages').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function listComplaintMessages(db: Db, tenantId: string, complaintId: string): Promise<Message[]> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', '=', complaintId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function findInboundByExternalId(db: Db, tenantId: string, channel: string, externalId: string): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('channel', '=', channel)
    .where('direction', '=', 'inbound')
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** Complaints holding a message (inbound or one of ours) with one of these provider ids, newest first. */
export async function complaintIdsByMessageIds(db: Db, tenantId: string, externalIds: string[]): Promise<string[]> {
  if (externalIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .select(['complaint_id'])
    .where('tenant_id', '=', tenantId)
    .where('external_id', 'in', externalIds)
    .orderBy('created_at', 'desc')
    .execute();
  return [...new Set(rows.map((r) => r.complaint_id))];
}

/** The open complaint of the latest message in this conversation (same phone, same Slack thread) since `since`. */
export async function openComplaintOfConversation(db: Db, tenantId: string, key: string, since: Date): Promise<string | undefined> {
  const row = await db
    .selectFrom('messages as m')
    .innerJoin('complaints as c', 'c.id', 'm.complaint_id')
    .select('m.complaint_id')
    .where('m.tenant_id', '=', tenantId)
    .where('m.conversation_key', '=', key)
    .where('m.created_at', '>=', since)
    .where('c.status', 'in', ['nouvelle', 'en_cours', 'en_attente'])
    .orderBy('m.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.complaint_id;
}

export async function clearReviewFlags(db: Db, tenantId: string, messageIds: string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await db.updateTable('messages').set({ review_reason: null }).where('tenant_id', '=', tenantId).where('id', 'in', messageIds).execute();
}

export async function getComplaintMessage(db: Db, tenantId: string, complaintId: string, messageId: string): Promise<Message | undefined> {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', '=', complaintId)
    .where('id', '=', messageId)
    .executeTakeFirst();
}

/** Moves a message and its attachments to another complaint of the same tenant. */
export async function moveMessage(db: Db, tenantId: string, messageId: string, toComplaintId: string): Promise<void> {
  await db.updateTable('messages').set({ complaint_id: toComplaintId }).where('tenant_id', '=', tenantId).where('id', '=', messageId).execute();
  await db.updateTable('attachments').set({ complaint_id: toComplaintId }).where('tenant_id', '=', tenantId).where('message_id', '=', messageId).execute();
}

/** The message that opened the complaint (its earliest inbound one). */
export async function firstInboundMessageId(db: Db, tenantId: string, complaintId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', '=', complaintId)
    .where('direction', '=', 'inbound')
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export async function getMessage(db: Db, tenantId: string, messageId: string): Promise<Message | undefined> {
  return db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', '=', messageId).executeTakeFirst();
}

/**
 * Recent inbound messages never qualified (their classify job was lost in a crash), oldest first; with
 * `before`, only those created before it (younger ones may be in the middle of their qualification).
 */
export async function unqualifiedInboundMessages(db: Db, since: Date, limit: number, before?: Date): Promise<{ tenantId: string; messageId: string }[]> {
  let q = db
    .selectFrom('messages as m')
    .leftJoin('qualifications as q', (join) => join.onRef('q.message_id', '=', 'm.id').onRef('q.tenant_id', '=', 'm.tenant_id'))
    .select(['m.tenant_id', 'm.id'])
    .where('m.direction', '=', 'inbound')
    .where('m.journal_id', 'is not', null)
    .where('m.created_at', '>=', since)
    .where('q.id', 'is', null);
  if (before) q = q.where('m.created_at', '<', before);
  const rows = await q.orderBy('m.created_at').limit(limit).execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, messageId: r.id }));
}

/** Outbound messages to this recipient sent automatically since `since` (the loop guard counts them). */
export async function countAutomaticOutbound(db: Db, tenantId: string, recipient: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('direction', '=', 'outbound')
    .where('recipient', '=', recipient)
    .where('automatic', '=', true)
    .where('delivery_status', 'in', ['queued', 'sent', 'delivered'])
    .where('created_at', '>=', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Our outbound message with this provider id (email Message-ID, Twilio SID, Slack ts). */
export async function findOutboundByExternalId(db: Db, tenantId: string, externalIds: string[]): Promise<Message | undefined> {
  if (externalIds.length === 0) return undefined;
  return db
    .selectFrom('messages')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('direction', '=', 'outbound')
    .where('external_id', 'in', externalIds)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function updateDelivery(
  db: Db,
  tenantId: string,
  messageId: string,
  patch: Pick<Updateable<MessagesTable>, 'delivery_status' | 'delivery_error' | 'delivery_attempts' | 'delivered_at' | 'external_id' | 'sent_at' | 'meta'>,
): Promise<void> {
  await db.updateTable('messages').set(patch).where('tenant_id', '=', tenantId).where('id', '=', messageId).execute();
}

/** Outbound messages still queued since before `before` (a send job lost in a crash): queued again by the sweep. */
export async function staleQueuedOutbound(db: Db, before: Date, limit: number): Promise<{ tenantId: string; messageId: string }[]> {
  const rows = await db
    .selectFrom('messages')
    .select(['tenant_id', 'id'])
    .where('direction', '=', 'outbound')
    .where('delivery_status', '=', 'queued')
    .where('created_at', '<', before)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, messageId: r.id }));
}

// ---------------------------------------------------------------------------------------------------
// Batch ingestion and qualification

/** Multi-row insert (ids given by the caller), nothing returned. */
export async function insertMessages(db: Db, rows: Insertable<MessagesTable>[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('messages').values(rows.slice(i, i + 500)).execute();
}

export interface MessageKey {
  id: string;
  complaint_id: string;
  direction: Message['direction'];
  channel: string;
  external_id: string;
  created_at: Date;
}

/**
 * Every message of the tenant (inbound or ours) with one of these provider ids, newest first: serves both
 * exact deduplication (inbound, same channel) and threading by reply headers.
 */
export async function messagesByExternalIds(db: Db, tenantId: string, externalIds: readonly string[]): Promise<MessageKey[]> {
  if (externalIds.length === 0) return [];
  const rows = await db
    .selectFrom('messages')
    .select(['id', 'complaint_id', 'direction', 'channel', 'external_id', 'created_at'])
    .where('tenant_id', '=', tenantId)
    .where('external_id', 'in', [...new Set(externalIds)])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows as MessageKey[];
}

/** openComplaintOfConversation for many keys: key -> the open complaint of its latest message since `since`. */
export async function openComplaintsOfConversations(db: Db, tenantId: string, keys: readonly string[], since: Date): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages as m')
    .innerJoin('complaints as c', 'c.id', 'm.complaint_id')
    .select(['m.conversation_key', 'm.complaint_id'])
    .distinctOn('m.conversation_key')
    .where('m.tenant_id', '=', tenantId)
    .where('m.conversation_key', 'in', [...new Set(keys)])
    .where('m.created_at', '>=', since)
    .where('c.status', 'in', ['nouvelle', 'en_cours', 'en_attente'])
    .orderBy('m.conversation_key')
    .orderBy('m.created_at', 'desc')
    .execute();
  return new Map(rows.map((r) => [r.conversation_key!, r.complaint_id]));
}

/** firstInboundMessageId for many complaints: complaint id -> id of its earliest inbound message. */
export async function firstInboundMessageIds(db: Db, tenantId: string, complaintIds: readonly string[]): Promise<Map<string, string>> {
  if (complaintIds.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages')
    .select(['complaint_id', 'id'])
    .distinctOn('complaint_id')
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', 'in', [...complaintIds])
    .where('direction', '=', 'inbound')
    .orderBy('complaint_id')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return new Map(rows.map((r) => [r.complaint_id, r.id]));
}

/** Inbound messages by id, for qualification (one read for a batch). */
export async function getInboundMessages(db: Db, tenantId: string, ids: readonly string[]): Promise<Message[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('messages').selectAll().where('tenant_id', '=', tenantId).where('id', 'in', [...ids]).where('direction', '=', 'inbound').execute();
}
