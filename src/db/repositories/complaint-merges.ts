import type { Kysely } from 'kysely';
import type { Database } from '../types.ts';

type Db = Kysely<Database>;

/** Moves every message and attachment of one complaint to another of the same tenant. */
export async function moveComplaintContents(db: Db, tenantId: string, fromId: string, toId: string): Promise<{ messages: number; attachments: number }> {
  const m = await db.updateTable('messages').set({ complaint_id: toId }).where('tenant_id', '=', tenantId).where('complaint_id', '=', fromId).executeTakeFirst();
  const a = await db.updateTable('attachments').set({ complaint_id: toId }).where('tenant_id', '=', tenantId).where('complaint_id', '=', fromId).executeTakeFirst();
  return { messages: Number(m.numUpdatedRows), attachments: Number(a.numUpdatedRows) };
}

export async function markMerged(db: Db, tenantId: string, id: string, intoId: string, at: Date): Promise<void> {
  await db
    .updateTable('complaints')
    .set({ merged_into_id: intoId, status: 'cloturee', closed_at: at, updated_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function setChecklist(db: Db, tenantId: string, id: string, checklist: Record<string, { done: boolean; by: string; at: string }>, at: Date): Promise<void> {
  await db.updateTable('complaints').set({ checklist: JSON.stringify(checklist), updated_at: at }).where('tenant_id', '=', tenantId).where('id', '=', id).execute();
}
