import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Database, User, UsersTable } from '../types.ts';

type Db = Kysely<Database>;

export async function insertUser(db: Db, row: Insertable<UsersTable>): Promise<User> {
  return db.insertInto('users').values(row).returningAll().executeTakeFirstOrThrow();
}

/** Login looks an address up across tenants: one account per address. */
export async function findUserByEmail(db: Db, email: string): Promise<User | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where(sql<string>`lower(email)`, '=', email.toLowerCase())
    .executeTakeFirst();
}

export async function getUser(db: Db, tenantId: string, userId: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('id', '=', userId).executeTakeFirst();
}

export async function listUsers(db: Db, tenantId: string): Promise<User[]> {
  return db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('name').orderBy('id').execute();
}

export async function countSeats(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('status', '!=', 'deactivated')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countActiveAdmins(db: Db, tenantId: string): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('tenant_id', '=', tenantId)
    .where('status', '=', 'active')
    .where('role', '=', 'admin')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function updateUser(db: Db, tenantId: string, userId: string, patch: Updateable<UsersTable>): Promise<User | undefined> {
  return db
    .updateTable('users')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/** Counts a failed login atomically and locks the account when the limit is reached. */
export async function recordFailedLogin(db: Db, userId: string, maxAttempts: number, lockUntil: Date): Promise<User> {
  return db
    .updateTable('users')
    .set((eb) => ({
      failed_logins: eb('failed_logins', '+', 1),
      locked_until: sql<Date | null>`CASE WHEN failed_logins + 1 >= ${maxAttempts} THEN ${lockUntil.toISOString()}::timestamptz ELSE locked_until END`,
    }))
    .where('id', '=', userId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findUserByInvitationHash(db: Db, hash: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('invitation_token_hash', '=', hash).executeTakeFirst();
}

/** Gives a never-activated user a fresh invitation; undefined when they accepted meanwhile. */
export async function renewInvitation(
  db: Db,
  tenantId: string,
  userId: string,
  invitation: Pick<Updateable<UsersTable>, 'name' | 'role' | 'status' | 'invitation_token_hash' | 'invitation_expires_at'>,
): Promise<User | undefined> {
  return db
    .updateTable('users')
    .set(invitation)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', userId)
    .where('password_hash', 'is', null)
    .returningAll()
    .executeTakeFirst();
}
