import type { Insertable, Kysely } from 'kysely';
import type { Attachment, AttachmentsTable, Database } from '../types.ts';

type Db = Kysely<Database>;

export async function insertAttachments(db: Db, rows: Insertable<AttachmentsTable>[]): Promise<Attachment[]> {
  if (rows.length === 0) return [];
  return db.insertInto('attachments').values(rows).returningAll().execute();
}

export async function listComplaintAttachments(db: Db, tenantId: string, complaintId: string): Promise<Attachment[]> {
  return db
    .selectFrom('attachments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', '=', complaintId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function getAttachment(db: Db, tenantId: string, complaintId: string, attachmentId: string): Promise<Attachment | undefined> {
  return db
    .selectFrom('attachments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('complaint_id', '=', complaintId)
    .where('id', '=', attachmentId)
    .executeTakeFirst();
}

/** Documents are never erased from the history: removal hides them and records who and when. */
export async function markAttachmentRemoved(
  db: Db,
  tenantId: string,
  attachmentId: string,
  by: string,
  at: Date,
): Promise<Attachment | undefined> {
  return db
    .updateTable('attachments')
    .set({ removed_at: at, removed_by: by })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', attachmentId)
    .where('removed_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

export async function listMessageAttachments(db: Db, tenantId: string, messageId: string): Promise<Attachment[]> {
  return db
    .selectFrom('attachments')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('message_id', '=', messageId)
    .where('removed_at', 'is', null)
    .orderBy('created_at')
    .execute();
}
