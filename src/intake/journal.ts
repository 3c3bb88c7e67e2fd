import type { Deps } from '../deps.ts';
import { NotFoundError, RuleError } from '../domain/errors.ts';
import {
  acceptJournal,
  findJournal,
  getTenantJournal,
  insertJournalMany,
  pendingJournalByTenant,
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

type RawInbound = { tenantId: string; channel: InboundChannel; externalId: string; payload: Uint8Array; contentType: string; receivedAt?: Date };

/**
 * The first thing every channel does with a payload: write it to the journal (committed before the
 * channel gets its 2xx or its IMAP flag), then queue its ingestion. A crash after the commit loses
 * nothing: recoverPendingInbound() queues pending rows again (at start, and in the workers' sweep).
 * Concurrent accepts are group-committed (see JournalGroupCommit): each caller still returns only once
 * its own row is durable.
 */
export async function acceptInbound(deps: Deps, raw: RawInbound): Promise<AcceptedInbound> {
  const row = await groupCommitFor(deps).accept({ ...raw, receivedAt: raw.receivedAt ?? deps.clock.now() });
  // The channel is answered once the row is durable, without waiting for the job: if queueing fails
  // (Redis away), the row stays pending and the workers' sweep queues it again.
  if (row.created || row.status === 'pending') {
    queueIngest(deps, raw.tenantId, row.id).catch((err: unknown) =>
      deps.logger.warn({ journalId: row.id, error: (err as Error).message }, 'ingest job not queued; the recovery sweep will queue it'),
    );
  }
  return { journalId: row.id, duplicate: !row.created, status: row.status };
}

interface Journaled {
  id: string;
  status: JournalStatus;
  /** False when the same (tenant, channel, external id) was journaled before, or earlier in the same group. */
  created: boolean;
}
interface WaitingAccept {
  raw: RawInbound & { receivedAt: Date };
  resolve: (row: Journaled) => void;
  reject: (error: unknown) => void;
}

/** Rows per group (one multi-row INSERT per tenant and channel) and groups being written at once. */
const GROUP_MAX_ROWS = 250;
const GROUP_MAX_IN_FLIGHT = 3;

/**
 * Group commit of journal writes. A quiet channel's payload is written at once, alone (one statement,
 * committed on its own). Under load, payloads arriving while writes are in flight wait for the next one,
 * which writes them all in one transaction — one multi-row INSERT per (tenant, channel) — so hundreds of
 * concurrent webhooks cost a few commits instead of one each, and the pool is not exhausted by
 * single-row transactions. If a group fails, its payloads are written again one by one, so a payload
 * that the database refuses fails alone and the others are still journaled.
 */
class JournalGroupCommit {
  private waiting: WaitingAccept[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly db: Deps['db']) {}

  accept(raw: WaitingAccept['raw']): Promise<Journaled> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ raw, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.scheduled || this.inFlight >= GROUP_MAX_IN_FLIGHT || this.waiting.length === 0) return;
    this.scheduled = true;
    // Once per turn of the event loop: the payloads parsed in this turn share the write.
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < GROUP_MAX_IN_FLIGHT && this.waiting.length > 0) {
        const group = this.waiting.splice(0, GROUP_MAX_ROWS);
        this.inFlight++;
        void this.write(group).finally(() => {
          this.inFlight--;
          this.kick();
        });
      }
    });
  }

  private async write(group: WaitingAccept[]): Promise<void> {
    if (group.length === 1) return this.writeOne(group[0]!);
    let rows: Map<WaitingAccept, Journaled>;
    try {
      rows = await this.db.transaction().execute(async (trx) => {
        const out = new Map<WaitingAccept, Journaled>();
        const byStream = new Map<string, WaitingAccept[]>();
        for (const w of group) {
          const key = `${w.raw.tenantId}\u0000${w.raw.channel}`;
          const stream = byStream.get(key);
          if (stream) stream.push(w);
          else byStream.set(key, [w]);
        }
        for (const stream of byStream.values()) {
          const written = await insertJournalMany(trx, stream.map((w) => w.raw));
          const seen = new Set<string>();
          for (const w of stream) {
            const row = written.get(w.raw.externalId);
            if (!row) throw new Error('journal row vanished');
            out.set(w, { id: row.id, status: row.status, created: row.created && !seen.has(w.raw.externalId) });
            seen.add(w.raw.externalId);
          }
        }
        return out;
      });
    } catch {
      await Promise.all(group.map((w) => this.writeOne(w)));
      return;
    }
    for (const w of group) w.resolve(rows.get(w)!);
  }

  private async writeOne(w: WaitingAccept): Promise<void> {
    try {
      const { row, created } = await acceptJournal(this.db, w.raw);
      w.resolve({ id: row.id, status: row.status, created });
    } catch (error) {
      w.reject(error);
    }
  }
}

const groupCommits = new WeakMap<Deps['db'], JournalGroupCommit>();
function groupCommitFor(deps: Deps): JournalGroupCommit {
  let g = groupCommits.get(deps.db);
  if (!g) groupCommits.set(deps.db, (g = new JournalGroupCommit(deps.db)));
  return g;
}

/** At most one ingest job per tenant and process in this many milliseconds. */
const COALESCE_MS = 10;

/**
 * Queues an ingest job for a committed journal row. The job ingests every pending row of the tenant (see
 * workers/ingest.ts), so rows accepted close together share one: the first row of a quiet tenant is queued
 * at once, later ones join the next job, queued at most COALESCE_MS after the previous one (the row was
 * committed before; the job starts after).
 */
function queueIngest(deps: Deps, tenantId: string, journalId: string): Promise<void> {
  return deps.queue.addCoalesced('ingest', { journalId }, { jobId: `ingest-${journalId}`, key: `ingest:${tenantId}`, windowMs: COALESCE_MS });
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
    const written = await insertJournalMany(
      trx,
      raws.map((r) => ({ ...r, receivedAt: r.receivedAt ?? now })),
    );
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
  await Promise.all(ingestJobsFor(rows).map((id) => deps.queue.add('ingest', { journalId: id }, { jobId: `ingest-${id}` })));
  return results;
}

/**
 * The journal rows of one acceptInboundMany batch to queue an ingest job for. An ingest job ingests every
 * pending row of its tenant (workers/ingest.ts), so one job, named after the first new row, covers the
 * whole batch; a batch with nothing new (a re-scan) queues its pending rows as before.
 */
function ingestJobsFor(rows: Map<string, { id: string; status: JournalStatus; created: boolean }>): string[] {
  for (const r of rows.values()) if (r.created) return [r.id];
  return [...new Set([...rows.values()].filter((r) => r.status === 'pending').map((r) => r.id))];
}

/**
 * Queues again every journal row still pending (after a crash or a restart): one ingest job per tenant,
 * which ingests all of the tenant's pending rows. Returns how many rows were pending.
 */
export async function recoverPendingInbound(deps: Deps): Promise<number> {
  const tenants = await pendingJournalByTenant(deps.db);
  for (const t of tenants) await deps.queue.add('ingest', { journalId: t.firstId }, { jobId: `ingest-${t.firstId}` });
  const count = tenants.reduce((n, t) => n + t.pending, 0);
  if (count > 0) deps.logger.info({ count, tenants: tenants.length }, 'pending inbound payloads queued again');
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
