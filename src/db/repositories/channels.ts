import { sql, type Insertable, type Kysely, type Updateable } from 'kysely';
import type { Channel, ChannelKind, ChannelsTable, Database } from '../types.ts';

type Db = Kysely<Database>;

export async function insertChannel(db: Db, row: Insertable<ChannelsTable>): Promise<Channel> {
  return db.insertInto('channels').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function updateChannel(db: Db, tenantId: string, id: string, patch: Updateable<ChannelsTable>): Promise<Channel | undefined> {
  return db.updateTable('channels').set(patch).where('tenant_id', '=', tenantId).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deleteChannel(db: Db, tenantId: string, id: string): Promise<boolean> {
  const r = await db.deleteFrom('channels').where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function listChannels(db: Db, tenantId: string, kind?: ChannelKind): Promise<Channel[]> {
  let q = db.selectFrom('channels').selectAll().where('tenant_id', '=', tenantId);
  if (kind) q = q.where('kind', '=', kind);
  return q.orderBy('kind').orderBy('address').execute();
}

export async function getChannel(db: Db, tenantId: string, id: string): Promise<Channel | undefined> {
  return db.selectFrom('channels').selectAll().where('tenant_id', '=', tenantId).where('id', '=', id).executeTakeFirst();
}

/**
 * The channel an inbound webhook is addressed to (a Twilio `To` number, a Slack team id), across tenants:
 * this is how the webhook finds its tenant. Only enabled channels answer (`enabledOnly: false`: any, to
 * keep an address unique when saving).
 */
export async function findChannelByAddress(db: Db, kind: ChannelKind, address: string, options: { enabledOnly?: boolean } = {}): Promise<Channel | undefined> {
  let q = db.selectFrom('channels').selectAll().where('kind', '=', kind).where('address', '=', address);
  if (options.enabledOnly !== false) q = q.where('enabled', '=', true);
  return q.executeTakeFirst();
}

/** Every enabled channel of one kind, all tenants (the mailbox readers start from this). */
export async function listEnabledChannels(db: Db, kind: ChannelKind): Promise<Channel[]> {
  return db.selectFrom('channels').selectAll().where('kind', '=', kind).where('enabled', '=', true).orderBy('created_at').execute();
}

/** Merges fields into the channel's health (last success, last error, backlog…), atomically (jsonb ||). */
export async function mergeChannelHealth(db: Db, tenantId: string, id: string, health: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('channels')
    .set({ health: sql`health || ${JSON.stringify(health)}::jsonb` })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', id)
    .execute();
}

export async function isOptedOut(db: Db, tenantId: string, channel: string, address: string): Promise<boolean> {
  const row = await db.selectFrom('opt_outs').select('address').where('tenant_id', '=', tenantId).where('channel', '=', channel).where('address', '=', address).executeTakeFirst();
  return row !== undefined;
}

export async function setOptOut(db: Db, tenantId: string, channel: string, address: string, optedOut: boolean, at: Date): Promise<void> {
  if (optedOut) {
    await db.insertInto('opt_outs').values({ tenant_id: tenantId, channel, address, created_at: at }).onConflict((oc) => oc.doNothing()).execute();
  } else {
    await db.deleteFrom('opt_outs').where('tenant_id', '=', tenantId).where('channel', '=', channel).where('address', '=', address).execute();
  }
}
