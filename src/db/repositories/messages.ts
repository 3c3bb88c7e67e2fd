import type { Insertable, Kysely } from 'kysely';
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
