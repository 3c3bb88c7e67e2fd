import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, InboundJournalTable, Tenant } from '../types.ts';

type Db = Kysely<Database>;
export type JournalRow = Selectable<InboundJournalTable>;
export type JournalStatus = JournalRow['status'];

/**
 * Writes the raw payload once. A second payload with the same (tenant, channel, external id) — a provider
 * retry, a double submit, the same mail fetched twice — inserts nothing and returns the first row.
 */
export async function insertJournal(
  db: Db,
  row: { tenantId: string; channel: string; externalId: string; payload: Uint8Array; contentType: string; receivedAt: Date },
): Promise<{ row: JournalRow; created: boolean }> {
  const inserted = await db
    .insertInto('inbound_journal')
    .values({
      tenant_id: row.tenantId,
      channel: row.channel,
      external_id: row.externalId,
      payload: row.payload,
      content_type: row.contentType,
      received_at: row.receivedAt,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'channel', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await findJournal(db, row.tenantId, row.channel, row.externalId);
  if (!existing) throw new Error('journal row vanished');
  return { row: existing, created: false };
}

export async function findJournal(db: Db, tenantId: string, channel: string, externalId: string): Promise<JournalRow | undefined> {
  return db
    .selectFrom('inbound_journal')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function getJournal(db: Db, journalId: string): Promise<JournalRow | undefined> {
  return db.selectFrom('inbound_journal').selectAll().where('id', '=', journalId).executeTakeFirst();
}

export async function getTenantJournal(db: Db, tenantId: string, journalId: string): Promise<JournalRow | undefined> {
  return db.selectFrom('inbound_journal').selectAll().where('tenant_id', '=', tenantId).where('id', '=', journalId).executeTakeFirst();
}

/** Locks the row for the rest of the transaction: one ingest at a time per payload. */
export async function lockJournal(db: Db, journalId: string): Promise<JournalRow | undefined> {
  return db.selectFrom('inbound_journal').selectAll().where('id', '=', journalId).forUpdate().executeTakeFirst();
}

export async function finishJournal(
  db: Db,
  journalId: string,
  result: { status: Exclude<JournalStatus, 'pending'>; messageId?: string | null; complaintId?: string | null; reason?: string | null; at: Date },
): Promise<void> {
  await db
    .updateTable('inbound_journal')
    .set((eb) => ({
      status: result.status,
      message_id: result.messageId ?? null,
      complaint_id: result.complaintId ?? null,
      last_error: result.reason ?? null,
      processed_at: result.at,
      attempts: eb('attempts', '+', 1),
    }))
    .where('id', '=', journalId)
    .execute();
}

/** A failed attempt that will be retried: the row stays pending, with the error visible. */
export async function recordJournalFailure(db: Db, journalId: string, error: string): Promise<void> {
  await db
    .updateTable('inbound_journal')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 2000) }))
    .where('id', '=', journalId)
    .where('status', '=', 'pending')
    .execute();
}

/** Back to pending, for a replay after a fix. */
export async function resetJournal(db: Db, tenantId: string, journalId: string): Promise<JournalRow | undefined> {
  return db
    .updateTable('inbound_journal')
    .set({ status: 'pending', processed_at: null })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', journalId)
    .where('status', '=', 'quarantined')
    .returningAll()
    .executeTakeFirst();
}

export async function listPendingJournalIds(db: Db, limit: number, afterId?: string): Promise<string[]> {
  let q = db.selectFrom('inbound_journal').select('id').where('status', '=', 'pending');
  if (afterId) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

export async function listQuarantine(
  db: Db,
  tenantId: string,
  page: { limit: number; before?: { receivedAt: Date; id: string } | undefined },
): Promise<Omit<JournalRow, 'payload'>[]> {
  let q = db
    .selectFrom('inbound_journal')
    .select(['id', 'tenant_id', 'channel', 'external_id', 'content_type', 'status', 'attempts', 'last_error', 'message_id', 'complaint_id', 'received_at', 'processed_at'])
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'quarantined');
  if (page.before) {
    const { receivedAt, id } = page.before;
    q = q.where((eb) => eb.or([eb('received_at', '<', receivedAt), eb.and([eb('received_at', '=', receivedAt), eb('id', '<', id)])]));
  }
  return q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(page.limit).execute();
}

/** After a split, what became of the payload points at the complaint its message now belongs to. */
export async function repointJournal(db: Db, tenantId: string, messageId: string, complaintId: string): Promise<void> {
  await db.updateTable('inbound_journal').set({ complaint_id: complaintId }).where('tenant_id', '=', tenantId).where('message_id', '=', messageId).execute();
}

/**
 * Writes many raw payloads of one tenant and channel in one statement (a mailbox backlog): rows whose
 * (tenant, channel, external id) already exists are left as they are. Returns, for each distinct external
 * id, its row id, status and whether this call created it.
 *
 * The payloads go as binary bind parameters, byte for byte, with nothing to encode nor decode, on both
 * drivers; how they are stored (lz4, or uncompressed without it) is the column's setting (migration 0018).
 */
export async function insertJournalMany(
  db: Db,
  rows: { tenantId: string; channel: string; externalId: string; payload: Uint8Array; contentType: string; receivedAt: Date }[],
): Promise<Map<string, { id: string; status: JournalStatus; created: boolean }>> {
  const out = new Map<string, { id: string; status: JournalStatus; created: boolean }>();
  const first = rows[0];
  if (!first) return out;
  if (rows.some((r) => r.tenantId !== first.tenantId || r.channel !== first.channel)) throw new Error('insertJournalMany: one tenant and channel per call');
  const unique = [...new Map(rows.map((r) => [r.externalId, r])).values()];
  const inserted = await db
    .insertInto('inbound_journal')
    .values(
      unique.map((r) => ({
        tenant_id: r.tenantId,
        channel: r.channel,
        external_id: r.externalId,
        payload: r.payload,
        content_type: r.contentType,
        received_at: r.receivedAt,
      })),
    )
    .onConflict((oc) => oc.columns(['tenant_id', 'channel', 'external_id']).doNothing())
    .returning(['id', 'external_id', 'status'])
    .execute();
  for (const r of inserted) out.set(r.external_id, { id: r.id, status: r.status, created: true });
  const missing = unique.filter((r) => !out.has(r.externalId)).map((r) => r.externalId);
  if (missing.length > 0) {
    const existing = await db
      .selectFrom('inbound_journal')
      .select(['id', 'external_id', 'status'])
      .where('tenant_id', '=', first.tenantId)
      .where('channel', '=', first.channel)
      .where('external_id', 'in', missing)
      .execute();
    for (const r of existing) out.set(r.external_id, { id: r.id, status: r.status, created: false });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Batch ingestion

/** The tenant a journal row belongs to (the ingest job carries only the row id). */
export async function journalTenantId(db: Db, journalId: string): Promise<string | undefined> {
  const row = await db.selectFrom('inbound_journal').select('tenant_id').where('id', '=', journalId).executeTakeFirst();
  return row?.tenant_id;
}

/** Pending rows of one tenant, oldest first (read without a lock: the batch locks them again). */
export async function listPendingJournal(db: Db, tenantId: string, limit: number, exclude: readonly string[] = []): Promise<JournalRow[]> {
  let q = db.selectFrom('inbound_journal').selectAll().where('status', '=', 'pending').where('tenant_id', '=', tenantId);
  if (exclude.length > 0) q = q.where('id', 'not in', [...exclude]);
  return q.orderBy('received_at').orderBy('id').limit(limit).execute();
}

/** Locks these rows for the rest of the transaction; returns those still pending (the others were handled meanwhile). */
export async function lockPendingJournal(db: Db, journalIds: readonly string[]): Promise<Set<string>> {
  if (journalIds.length === 0) return new Set();
  const rows = await db
    .selectFrom('inbound_journal')
    .select(['id', 'status'])
    .where('id', 'in', [...journalIds])
    .orderBy('id')
    .forUpdate()
    .execute();
  return new Set(rows.filter((r) => r.status === 'pending').map((r) => r.id));
}

/** Fixed first key of the advisory lock that serialises the ingestion batches of one tenant. */
const INGEST_LOCK = 7_294_002;

/**
 * The tenant row, with the tenant's ingestion lock taken for the rest of the transaction: the batches of
 * one tenant run one after another (whatever the process), so that a batch sees every message, customer
 * and complaint the previous one wrote — as the one-by-one path did.
 */
export async function lockTenantIntake(db: Db, tenantId: string): Promise<Tenant | undefined> {
  const row = await db
    .selectFrom('tenants')
    .selectAll()
    .select(sql<string>`pg_advisory_xact_lock(${INGEST_LOCK}, hashtext(tenants.id::text))::text`.as('_lock'))
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { _lock, ...tenant } = row;
  void _lock;
  return tenant as Tenant;
}

export interface JournalOutcome {
  id: string;
  status: Exclude<JournalStatus, 'pending'>;
  messageId: string | null;
  complaintId: string | null;
  reason: string | null;
}

/** finishJournal for many rows in one statement (UPDATE … FROM VALUES). */
export async function finishJournalMany(db: Db, outcomes: readonly JournalOutcome[], at: Date): Promise<void> {
  if (outcomes.length === 0) return;
  const values = sql.join(
    outcomes.map((o) => sql`(${o.id}::uuid, ${o.status}::text, ${o.messageId}::uuid, ${o.complaintId}::uuid, ${o.reason}::text)`),
  );
  await sql`
    UPDATE inbound_journal AS j
       SET status = v.status, message_id = v.message_id, complaint_id = v.complaint_id, last_error = v.last_error,
           processed_at = ${at}, attempts = j.attempts + 1
      FROM (VALUES ${values}) AS v(id, status, message_id, complaint_id, last_error)
     WHERE j.id = v.id`.execute(db);
}

/** For each tenant with pending rows: its oldest pending row and how many are pending (recovery queues one job per tenant). */
export async function pendingJournalByTenant(db: Db): Promise<{ tenantId: string; firstId: string; pending: number }[]> {
  const rows = await db
    .selectFrom('inbound_journal')
    .select(['tenant_id', sql<string>`(array_agg(id ORDER BY received_at, id))[1]`.as('first_id'), (eb) => eb.fn.countAll<number>().as('n')])
    .where('status', '=', 'pending')
    .groupBy('tenant_id')
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, firstId: r.first_id, pending: Number(r.n) }));
}

/**
 * insertJournal for the acceptance path: the same single durable INSERT, but the payload is not sent
 * back (nor read again for a duplicate): only what acceptInbound answers with.
 */
export async function acceptJournal(
  db: Db,
  row: { tenantId: string; channel: string; externalId: string; payload: Uint8Array; contentType: string; receivedAt: Date },
): Promise<{ row: { id: string; tenant_id: string; status: JournalStatus }; created: boolean }> {
  const inserted = await db
    .insertInto('inbound_journal')
    .values({ tenant_id: row.tenantId, channel: row.channel, external_id: row.externalId, payload: row.payload, content_type: row.contentType, received_at: row.receivedAt })
    .onConflict((oc) => oc.columns(['tenant_id', 'channel', 'external_id']).doNothing())
    .returning(['id', 'tenant_id', 'status'])
    .executeTakeFirst();
  if (inserted) return { row: inserted, created: true };
  const existing = await db
    .selectFrom('inbound_journal')
    .select(['id', 'tenant_id', 'status'])
    .where('tenant_id', '=', row.tenantId)
    .where('channel', '=', row.channel)
    .where('external_id', '=', row.externalId)
    .executeTakeFirst();
  if (!existing) throw new Error('journal row vanished');
  return { row: existing, created: false };
}
