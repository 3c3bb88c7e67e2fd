import { sql, type Kysely, type Selectable } from 'kysely';
import type { Database, MailboxStateTable } from '../types.ts';

type Db = Kysely<Database>;
export type MailboxState = Selectable<MailboxStateTable>;

/** The state row of a mailbox, created empty the first time (checkpoint at UID 0, no lease). */
export async function ensureMailboxState(db: Db, tenantId: string, channelId: string): Promise<void> {
  await db.insertInto('mailbox_state').values({ channel_id: channelId, tenant_id: tenantId }).onConflict((oc) => oc.column('channel_id').doNothing()).execute();
}

export async function getMailboxState(db: Db, tenantId: string, channelId: string): Promise<MailboxState | undefined> {
  return db.selectFrom('mailbox_state').selectAll().where('tenant_id', '=', tenantId).where('channel_id', '=', channelId).executeTakeFirst();
}

/**
 * Takes or renews the reader lease in one atomic UPDATE: only when it is free, expired, or already ours.
 * Two processes racing for the same row cannot both win (the row lock orders them and the second one
 * re-checks the condition). Times come from the database clock, shared by every process.
 */
export async function takeMailboxLease(db: Db, channelId: string, owner: string, leaseMs: number): Promise<MailboxState | undefined> {
  return db
    .updateTable('mailbox_state')
    .set({ lease_owner: owner, lease_until: sql<Date>`now() + ${`${Math.ceil(leaseMs)} milliseconds`}::interval`, updated_at: sql<Date>`now()` })
    .where('channel_id', '=', channelId)
    .where((eb) => eb.or([eb('lease_owner', 'is', null), eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`), eb('lease_owner', '=', owner)]))
    .returningAll()
    .executeTakeFirst();
}

export async function releaseMailboxLease(db: Db, channelId: string, owner: string): Promise<void> {
  await db.updateTable('mailbox_state').set({ lease_owner: null, lease_until: null }).where('channel_id', '=', channelId).where('lease_owner', '=', owner).execute();
}

/**
 * Starts over from UID 1 (first connection, new UIDVALIDITY, another folder). Only the lease holder
 * may do it; false when the lease is no longer ours.
 */
export async function resetMailboxCheckpoint(db: Db, channelId: string, owner: string, at: { folder: string; uidValidity: number }): Promise<boolean> {
  const r = await db
    .updateTable('mailbox_state')
    .set({ folder: at.folder, uid_validity: at.uidValidity, last_uid: 0, import_total: 0, import_done: 0, import_started_at: null, import_finished_at: null, updated_at: sql<Date>`now()` })
    .where('channel_id', '=', channelId)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** The date before which mails are not imported (IMAP SEARCH SINCE), or null for all of them. */
export async function setMailboxImportSince(db: Db, channelId: string, since: string | null): Promise<void> {
  await db.updateTable('mailbox_state').set({ import_since: since }).where('channel_id', '=', channelId).execute();
}

/**
 * An import pass begins with `total` mails to go, `done` of them already imported (an interrupted import
 * resumed keeps its start time and its count).
 */
export async function startMailboxImport(db: Db, channelId: string, owner: string, progress: { total: number; done: number; resume: boolean }): Promise<void> {
  await db
    .updateTable('mailbox_state')
    .set((eb) => ({
      import_total: progress.total,
      import_done: progress.done,
      import_started_at: progress.resume ? sql<Date>`coalesce(${eb.ref('import_started_at')}, now())` : sql<Date>`now()`,
      import_finished_at: null,
      updated_at: sql<Date>`now()`,
    }))
    .where('channel_id', '=', channelId)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Moves the checkpoint forward (never back) after a batch was journaled, inside the same transaction,
 * and extends the lease. False when the lease is no longer ours: the caller must roll back.
 */
export async function advanceMailboxCheckpoint(
  db: Db,
  channelId: string,
  owner: string,
  progress: { uidValidity: number; lastUid: number; done: number; finished: boolean; leaseMs: number },
): Promise<boolean> {
  const r = await db
    .updateTable('mailbox_state')
    .set((eb) => ({
      last_uid: sql<number>`greatest(${eb.ref('last_uid')}, ${progress.lastUid})`,
      import_done: progress.done,
      ...(progress.finished ? { import_finished_at: sql<Date>`now()` } : {}),
      lease_until: sql<Date>`now() + ${`${Math.ceil(progress.leaseMs)} milliseconds`}::interval`,
      updated_at: sql<Date>`now()`,
    }))
    .where('channel_id', '=', channelId)
    .where('lease_owner', '=', owner)
    .where('uid_validity', '=', progress.uidValidity)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
