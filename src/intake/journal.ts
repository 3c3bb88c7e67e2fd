import type { Deps } from '../deps.ts';
import { NotFoundError, RuleError } from '../domain/errors.ts';
import {
  findJournal,
  getTenantJournal,
  insertJournal,
  insertJournalMany,
  listPendingJournalIds,
  listQuarantine,
  resetJournal,
  type JournalStatus,
} from '../db/repositories/inbound.ts';
import { getComplaint } from '../db/repositories/complaints.ts';
import type { InboundChannel } from './contract.ts';

export interface AcceptedInbound {
  journalId: string;
  /** True when the same payload (same provider id) was already journaled: nothing new was stored. */
  duplicate: boolean;
  status: JournalStatus;
}

/**
 * The first thing every channel does with a payload: write it to the journal (committed before the
 * channel gets its 2xx or its IMAP flag), then queue its ingestion. A crash after the commit loses
 * nothing: recoverPendingInbound() queues pending rows again at start.
 */
export async function acceptInbound(
  deps: Deps,
  raw: { tenantId: string; channel: InboundChannel; externalId: string; payload: Uint8Array; contentType: string; receivedAt?: Date },
): Promise<AcceptedInbound> {
  const { row, created } = await insertJournal(deps.db, { ...raw, receivedAt: raw.receivedAt ?? deps.clock.now() });
  if (created || row.status === 'pending') await deps.queue.add('ingest', { journalId: row.id }, { jobId: `ingest-${row.id}` });
  return { journalId: row.id, duplicate: !created, status: row.status };
}

/**
 * acceptInbound for a batch of one tenant and channel (a mailbox backlog): one INSERT for all, inside one
 * transaction where `alsoInTransaction` runs too (the mailbox checkpoint moves with the rows it covers;
 * if it throws, nothing is journaled). Ingest jobs are queued after the commit (a crash in between is
 * caught by recoverPendingInbound). Results come back in the order of `raws`; a payload seen before,
 * here or in an earlier batch, is `duplicate`.
 */
export async function acceptInboundMany(
  deps: Deps,
  raws: { tenantId: string; channel: InboundChannel; externalId: string; payload: Uint8Array; contentType: string; receivedAt?: Date }[],
  options: { alsoInTransaction?: (trx: Deps['db']) => Promise<void> } = {},
): Promise<AcceptedInbound[]> {
  if (raws.length === 0) return [];
  const now = deps.clock.now();
  const rows = await deps.db.transaction().execute(async (trx) => {
    const written = await insertJournalMany(trx, raws.map((r) => ({ ...r, receivedAt: r.receivedAt ?? now })));
    await options.alsoInTransaction?.(trx);
    return written;
  });
  const seen = new Set<string>();
  const results = raws.map((r) => {
    const row = rows.get(r.externalId);
    if (!row) throw new Error('journal row vanished');
    const duplicate = !row.created || seen.has(r.externalId);
    seen.add(r.externalId);
    return { journalId: row.id, duplicate, status: row.status };
  });
  const toQueue = [...new Set([...rows.values()].filter((r) => r.created || r.status === 'pending').map((r) => r.id))];
  await Promise.all(toQueue.map((id) => deps.queue.add('ingest', { journalId: id }, { jobId: `ingest-${id}` })));
  return results;
}

/** Queues every journal row still pending (after a crash or a restart); returns how many. */
export async function recoverPendingInbound(deps: Deps): Promise<number> {
  let count = 0;
  let after: string | undefined;
  for (;;) {
    const ids = await listPendingJournalIds(deps.db, 500, after);
    if (ids.length === 0) break;
    for (const id of ids) await deps.queue.add('ingest', { journalId: id }, { jobId: `ingest-${id}` });
    count += ids.length;
    after = ids[ids.length - 1];
  }
  if (count > 0) deps.logger.info({ count }, 'pending inbound payloads queued again');
  return count;
}

export interface InboundOutcome {
  status: JournalStatus;
  reason: string | null;
  messageId: string | null;
  complaintId: string | null;
  reference: string | null;
  customerId: string | null;
}

/** What became of one payload, by its provider id (public contract: GET /api/inbound). */
export async function inboundOutcome(deps: Deps, tenantId: string, channel: string, externalId: string): Promise<InboundOutcome> {
  const row = await findJournal(deps.db, tenantId, channel, externalId);
  if (!row) throw new NotFoundError('Aucun message reçu avec cet identifiant sur ce canal.');
  const complaint = row.complaint_id ? await getComplaint(deps.db, tenantId, row.complaint_id) : undefined;
  return {
    status: row.status,
    reason: row.last_error,
    messageId: row.message_id,
    complaintId: row.complaint_id,
    reference: complaint?.reference ?? null,
    customerId: complaint?.customer_id ?? null,
  };
}

export async function quarantineList(deps: Deps, tenantId: string, limit: number, cursor?: string) {
  let before: { receivedAt: Date; id: string } | undefined;
  if (cursor) {
    const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
    if (at && id) before = { receivedAt: new Date(at), id };
  }
  const rows = await listQuarantine(deps.db, tenantId, { limit: limit + 1, before });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => ({
      id: r.id,
      channel: r.channel,
      externalId: r.external_id,
      contentType: r.content_type,
      reason: r.last_error,
      attempts: r.attempts,
      receivedAt: r.received_at.toISOString(),
    })),
    nextCursor:
      rows.length > limit && last ? Buffer.from(`${last.received_at.toISOString()}|${last.id}`).toString('base64url') : null,
  };
}

/** Puts a quarantined payload back through ingestion (after a fix of the mapper, say). */
export async function replayInbound(deps: Deps, tenantId: string, journalId: string): Promise<void> {
  const row = await getTenantJournal(deps.db, tenantId, journalId);
  if (!row) throw new NotFoundError('Message reçu introuvable.');
  if (row.status !== 'quarantined') throw new RuleError('not_quarantined', 'Seul un message en quarantaine peut être rejoué.');
  await resetJournal(deps.db, tenantId, journalId);
  await deps.queue.add('ingest', { journalId }, { jobId: `ingest-${journalId}-replay-${Date.now()}` });
}
