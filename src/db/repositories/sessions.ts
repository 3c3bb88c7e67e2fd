import type { Kysely } from 'kysely';
import type { Database } from '../types.ts';

type Db = Kysely<Database>;

export interface SessionRow {
  id: string;
  tenantId: string;
  userId: string;
  expiresAt: Date;
  role: 'agent' | 'manager' | 'admin';
  name: string;
  email: string;
  status: 'invited' | 'active' | 'deactivated';
}

export async function insertSession(
  db: Db,
  row: { id: string; tenantId: string; userId: string; expiresAt: Date; ip: string | null; userAgent: string | null },
): Promise<void> {
  await db
    .insertInto('sessions')
    .values({
      id: row.id,
      tenant_id: row.tenantId,
      user_id: row.userId,
      expires_at: row.expiresAt,
      ip: row.ip,
      user_agent: row.userAgent,
    })
    .execute();
}

/** The session with its user, when it exists and has not expired. `id` is the hash of the cookie token. */
export async function findLiveSession(db: Db, id: string, now: Date): Promise<SessionRow | undefined> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.id', 's.tenant_id', 's.user_id', 's.expires_at', 'u.role', 'u.name', 'u.email', 'u.status'])
    .where('s.id', '=', id)
    .where('s.expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    userId: row.user_id,
    expiresAt: row.expires_at,
    role: row.role,
    name: row.name,
    email: row.email,
    status: row.status,
  };
}

export async function touchSession(db: Db, id: string, now: Date, expiresAt: Date): Promise<void> {
  await db.updateTable('sessions').set({ last_seen_at: now, expires_at: expiresAt }).where('id', '=', id).execute();
}

export async function deleteSession(db: Db, id: string): Promise<void> {
  await db.deleteFrom('sessions').where('id', '=', id).execute();
}

export async function deleteUserSessions(db: Db, tenantId: string, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('tenant_id', '=', tenantId).where('user_id', '=', userId).execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const res = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(res.numDeletedRows);
}
