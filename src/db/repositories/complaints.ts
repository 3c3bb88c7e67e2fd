import { parseReference } from '../../domain/reference.ts';
import { sql, type Expression, type Kysely, type SqlBool } from 'kysely';
import type { Complaint, ComplaintUpdate, Database, NewComplaint } from '../types.ts';

type Db = Kysely<Database>;

/**
 * Takes the next sequence number of a tenant's year. The counter row is locked until the calling
 * transaction ends, so concurrent creations queue up, and a rolled-back creation gives its number back:
 * references stay unique and gap-free. Must run inside the transaction that inserts the complaint.
 */
export async function takeReferenceSeq(db: Db, tenantId: string, year: number): Promise<number> {
  const row = await db
    .insertInto('reference_counters')
    .values({ tenant_id: tenantId, year, last_value: 1 })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'year']).doUpdateSet({ last_value: sql<number>`reference_counters.last_value + 1` }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return row.last_value;
}

export async function insertComplaint(db: Db, row: NewComplaint): Promise<Complaint> {
  return db.insertInto('complaints').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function getComplaint(db: Db, tenantId: string, complaintId: string): Promise<Complaint | undefined> {
  return db.selectFrom('complaints').selectAll().where('tenant_id', '=', tenantId).where('id', '=', complaintId).executeTakeFirst();
}

/** The complaint a customer's tracking link points to (the token is unguessable and unique). */
export async function getComplaintByTrackingToken(db: Db, token: string): Promise<Complaint | undefined> {
  return db.selectFrom('complaints').selectAll().where('tracking_token', '=', token).executeTakeFirst();
}

export async function getComplaintByReference(db: Db, tenantId: string, reference: string): Promise<Complaint | undefined> {
  return db.selectFrom('complaints').selectAll().where('tenant_id', '=', tenantId).where('reference', '=', reference).executeTakeFirst();
}

/** Reads the complaint and locks it for the rest of the transaction (concurrent edits queue up). */
export async function getComplaintForUpdate(db: Db, tenantId: string, complaintId: string): Promise<Complaint | undefined> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('id', '=', complaintId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateComplaint(db: Db, tenantId: string, complaintId: string, patch: ComplaintUpdate): Promise<Complaint> {
  return db
    .updateTable('complaints')
    .set(patch)
    .where('tenant_id', '=', tenantId)
    .where('id', '=', complaintId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A deactivated user's open complaints go back to the unassigned queue. */
export async function unassignOpenComplaints(db: Db, tenantId: string, userId: string): Promise<void> {
  await db
    .updateTable('complaints')
    .set({ assignee_id: null })
    .where('tenant_id', '=', tenantId)
    .where('assignee_id', '=', userId)
    .where('status', 'in', ['nouvelle', 'en_cours', 'en_attente'])
    .execute();
}

export const SORTS = {
  '-receivedAt': { column: 'c.received_at', dir: 'desc' },
  receivedAt: { column: 'c.received_at', dir: 'asc' },
  answerDueOn: { column: 'c.answer_due_on', dir: 'asc' },
  '-answerDueOn': { column: 'c.answer_due_on', dir: 'desc' },
  ackDueOn: { column: 'c.ack_due_on', dir: 'asc' },
  reference: { column: 'c.reference', dir: 'asc' },
  '-reference': { column: 'c.reference', dir: 'desc' },
} as const;
export type ComplaintSort = keyof typeof SORTS;

export interface ComplaintFilters {
  status?: string[];
  kind?: string[];
  cause?: string[];
  product?: string[];
  channel?: string[];
  priority?: string[];
  /** a user id, or null for unassigned */
  assigneeId?: string | null;
  customerId?: string;
  /** open complaints past their acknowledgement (not yet acknowledged) or answer deadline */
  overdueOn?: string;
  /** true: only complaints waiting in triage; false: only the others */
  triage?: boolean;
  /** open complaints whose answer is due between `from` and `to` inclusive */
  answerDueBetween?: { from: string; to: string };
  /**
   * Complaints of teams: routed to a process whose team is one of them, or assigned to a member of one of
   * them. `names`: these teams; `ofUserId`: the teams of that user; both: the teams of the user among
   * `names`. Team names compare case-insensitively. No team: no complaint.
   */
  teams?: { names?: string[] | undefined; ofUserId?: string | undefined };
  q?: string;
}

export interface ListedComplaint extends Complaint {
  customer_name: string;
  assignee_name: string | null;
}

const OPEN = ['nouvelle', 'en_cours', 'en_attente'] as const;


export async function listComplaints(
  db: Db,
  tenantId: string,
  filters: ComplaintFilters,
  page: { sort: ComplaintSort; limit: number; after?: { value: string; id: string } | undefined },
): Promise<{ rows: ListedComplaint[]; total: number; totalCapped: boolean }> {
  const [customerIds, team] = await Promise.all([
    filters.q && filters.q.trim().length >= 3 ? customerIdsByName(db, tenantId, filters.q.trim(), 50) : [],
    filters.teams ? teamScope(db, tenantId, filters.teams) : undefined,
  ]);
  // A team view of no team (or of teams without processes nor members) lists nothing: no query at all.
  if (team && team.processIds.length === 0 && team.memberIds.length === 0) return { rows: [], total: 0, totalCapped: false };
  // Filters touch the complaints table only (customer names were resolved to ids above), so that the
  // count never joins; the page's rows join their customer and assignee.
  const base = db
    .selectFrom('complaints as c')
    .where('c.tenant_id', '=', tenantId)
    .where((eb) => {
      const parts: Expression<SqlBool>[] = [];
      const inList = (col: 'c.status' | 'c.kind' | 'c.cause' | 'c.product' | 'c.channel' | 'c.priority', values?: string[]) => {
        if (values && values.length > 0) parts.push(eb(col, 'in', values as never[]));
      };
      inList('c.status', filters.status);
      inList('c.kind', filters.kind);
      inList('c.cause', filters.cause);
      inList('c.product', filters.product);
      inList('c.channel', filters.channel);
      inList('c.priority', filters.priority);
      if (filters.assigneeId === null) parts.push(eb('c.assignee_id', 'is', null));
      else if (filters.assigneeId) parts.push(eb('c.assignee_id', '=', filters.assigneeId));
      if (filters.customerId) parts.push(eb('c.customer_id', '=', filters.customerId));
      if (team) {
        // Both columns are in the list index (INCLUDE): the ordered walk checks them without the table.
        const either: Expression<SqlBool>[] = [];
        if (team.processIds.length > 0) either.push(eb('c.process_id', 'in', team.processIds));
        if (team.memberIds.length > 0) either.push(eb('c.assignee_id', 'in', team.memberIds));
        parts.push(eb.or(either));
      }
      if (filters.triage === true) parts.push(eb('c.triage_reason', 'is not', null));
      if (filters.triage === false) parts.push(eb('c.triage_reason', 'is', null));
      if (filters.overdueOn) {
        const today = filters.overdueOn;
        parts.push(eb('c.status', 'in', [...OPEN]));
        parts.push(
          eb.or([
            eb('c.answer_due_on', '<', today),
            eb.and([eb('c.acknowledged_at', 'is', null), eb('c.ack_due_on', '<', today)]),
          ]),
        );
      }
      if (filters.answerDueBetween) {
        parts.push(eb('c.status', 'in', [...OPEN]));
        parts.push(eb('c.answer_due_on', '>=', filters.answerDueBetween.from));
        parts.push(eb('c.answer_due_on', '<=', filters.answerDueBetween.to));
      }
      if (filters.q && filters.q.trim() !== '') {
        // Each alternative has its own index (full text: GIN on search_vector; reference and contract
        // number: trigram GIN; customer: the ids found by name beforehand), so PostgreSQL can combine them.
        const q = filters.q.trim();
        const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
        const alternatives: Expression<SqlBool>[] = [sql<SqlBool>`c.search_vector @@ websearch_to_tsquery('guichet_fr', ${q})`];
        const reference = parseReference(q.toUpperCase()) ? q.toUpperCase() : null;
        if (reference) alternatives.push(eb('c.reference', '=', reference));
        else if (q.length >= 3 && /\d/.test(q)) {
          alternatives.push(eb('c.reference', 'ilike', like), eb('c.contract_number', 'ilike', like));
        }
        if (customerIds.length > 0) alternatives.push(eb('c.customer_id', 'in', customerIds));
        parts.push(eb.or(alternatives));
      }
      return eb.and(parts);
    });

  const { column, dir } = SORTS[page.sort];
  const pageOf = (ids?: string[]) => {
    let q = base
      .innerJoin('customers as cu', 'cu.id', 'c.customer_id')
      .leftJoin('users as u', 'u.id', 'c.assignee_id')
      .selectAll('c')
      .select(['cu.display_name as customer_name', 'u.name as assignee_name']);
    if (ids) q = q.where('c.id', 'in', ids);
    if (page.after) {
      const op = dir === 'asc' ? sql`>` : sql`<`;
      q = q.where(sql<SqlBool>`(${sql.ref(column)}, c.id) ${op} (${page.after.value}, ${page.after.id}::uuid)`);
    }
    return q.orderBy(sql.ref(column), dir).orderBy('c.id', dir).limit(page.limit).execute() as Promise<ListedComplaint[]>;
  };

  if (filters.q && filters.q.trim() !== '') {
    // A search first finds up to SEARCH_CAP + 1 matches in no particular order (the planner takes the index
    // that finds them fastest). Few matches: the page is read among them by id. Many: a scan in list order
    // finds a page at once. Either way no search walks the whole table in order hoping for a match.
    const matched = await base.select('c.id').limit(SEARCH_CAP + 1).execute();
    if (matched.length <= SEARCH_CAP) {
      const rows = matched.length === 0 ? [] : await pageOf(matched.map((m) => m.id));
      return { rows, total: matched.length, totalCapped: false };
    }
    return { rows: await pageOf(), total: SEARCH_CAP, totalCapped: true };
  }

  // Counted up to a cap: an exact count of a million rows costs more than the page itself. The count and
  // the page run side by side (two pool connections on PostgreSQL); the list index carries the filtered
  // columns, so the count reads the index only.
  const counting = db
    .selectFrom(base.select(sql.lit(1).as('one')).limit(COUNT_CAP + 1).as('capped'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  const [totalRow, rows] = await Promise.all([counting, pageOf()]);
  const total = Number(totalRow.n);
  return { rows, total: Math.min(total, COUNT_CAP), totalCapped: total > COUNT_CAP };
}

/** Lists count their rows exactly up to this many; beyond, they say "more than". */
export const COUNT_CAP = 1000;
/** The same for a search (a search is refined rather than paged through). */
export const SEARCH_CAP = 100;

/**
 * The processes and the members of the teams a list asks for, in one read of two small tables (a tenant has
 * a few dozen processes and users): the list then filters on plain ids.
 */
async function teamScope(
  db: Db,
  tenantId: string,
  scope: NonNullable<ComplaintFilters['teams']>,
): Promise<{ processIds: string[]; memberIds: string[] }> {
  const names = scope.names?.map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  if (names && names.length === 0) return { processIds: [], memberIds: [] };
  const wanted = scope.ofUserId
    ? sql`SELECT lower(t) AS name FROM users me CROSS JOIN unnest(me.teams) AS t
          WHERE me.tenant_id = ${tenantId} AND me.id = ${scope.ofUserId}${names ? sql` AND lower(t) = ANY(${names}::text[])` : sql``}`
    : sql`SELECT unnest(${names ?? []}::text[]) AS name`;
  const { rows } = await sql<{ kind: 'process' | 'member'; id: string }>`
    WITH wanted AS (${wanted})
    SELECT 'process' AS kind, p.id FROM processes p
      WHERE p.tenant_id = ${tenantId} AND lower(p.team) IN (SELECT name FROM wanted)
    UNION ALL
    SELECT 'member' AS kind, u.id FROM users u
      WHERE u.tenant_id = ${tenantId} AND EXISTS (SELECT 1 FROM unnest(u.teams) AS x WHERE lower(x) IN (SELECT name FROM wanted))`.execute(db);
  return {
    processIds: rows.filter((r) => r.kind === 'process').map((r) => r.id),
    memberIds: rows.filter((r) => r.kind === 'member').map((r) => r.id),
  };
}

/** Customers of the tenant whose name contains `q` (trigram index), for the complaint search. */
async function customerIdsByName(db: Db, tenantId: string, q: string, limit: number): Promise<string[]> {
  const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
  const rows = await db.selectFrom('customers').select('id').where('tenant_id', '=', tenantId).where('display_name', 'ilike', like).limit(limit).execute();
  return rows.map((r) => r.id);
}

export function sortValueOf(row: Complaint, sort: ComplaintSort): string {
  switch (SORTS[sort].column) {
    case 'c.received_at':
      return row.received_at.toISOString();
    case 'c.answer_due_on':
      return row.answer_due_on;
    case 'c.ack_due_on':
      return row.ack_due_on;
    case 'c.reference':
      return row.reference;
  }
}

/** A customer's open complaints received since `since`: the candidates for a cross-channel duplicate. */
export async function recentOpenComplaintsOfCustomer(db: Db, tenantId: string, customerId: string, since: Date): Promise<Complaint[]> {
  return db
    .selectFrom('complaints')
    .selectAll()
    .where('tenant_id', '=', tenantId)
    .where('customer_id', '=', customerId)
    .where('status', 'in', ['nouvelle', 'en_cours', 'en_attente'])
    .where('received_at', '>=', since)
    .orderBy('received_at', 'desc')
    .limit(20)
    .execute();
}

// ---------------------------------------------------------------------------------------------------
// Batch ingestion and qualification

/** A complaint row without its search vector (the batch paths never need it). */
export type ComplaintRow = Omit<Complaint, 'search_vector'>;

export const COMPLAINT_COLUMNS = [
  'id', 'tenant_id', 'reference', 'customer_id', 'channel', 'kind', 'cause', 'product', 'priority', 'status', 'outcome',
  'subject', 'nature', 'description', 'contract_number', 'process_id', 'assignee_id', 'sent_on', 'sent_on_source',
  'received_at', 'ack_due_on', 'answer_due_on', 'acknowledged_at', 'answered_at', 'closed_at', 'tracking_token',
  'created_by', 'created_at', 'updated_at', 'triage_reason', 'checklist', 'merged_into_id',
] as const satisfies readonly (keyof ComplaintRow)[];

/**
 * takeReferenceSeq for `count` complaints at once: returns the first of the `count` consecutive numbers.
 * Same lock as takeReferenceSeq (held until the transaction ends, given back on rollback): take it as late
 * as possible in the transaction.
 */
export async function takeReferenceSeqs(db: Db, tenantId: string, year: number, count: number): Promise<number> {
  const row = await db
    .insertInto('reference_counters')
    .values({ tenant_id: tenantId, year, last_value: count })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'year']).doUpdateSet({ last_value: sql<number>`reference_counters.last_value + ${count}::integer` }),
    )
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return row.last_value - count + 1;
}

/** Multi-row insert (ids given by the caller), nothing returned. */
export async function insertComplaints(db: Db, rows: NewComplaint[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) await db.insertInto('complaints').values(rows.slice(i, i + 500)).execute();
}

/**
 * One read, locked for the rest of the transaction, of every complaint a batch of messages may join: by id
 * (reply headers, conversations), tracking token or reference, and the recent open complaints of these
 * customers (cross-channel duplicates).
 */
export async function lockIntakeComplaints(
  db: Db,
  tenantId: string,
  keys: { ids: string[]; trackingTokens: string[]; references: string[]; customerIds: string[]; openSince: Date },
): Promise<ComplaintRow[]> {
  const { ids, trackingTokens, references, customerIds, openSince } = keys;
  if (ids.length + trackingTokens.length + references.length + customerIds.length === 0) return [];
  return db
    .selectFrom('complaints')
    .select(COMPLAINT_COLUMNS)
    .where('tenant_id', '=', tenantId)
    .where((eb) => {
      const parts: Expression<SqlBool>[] = [];
      if (ids.length) parts.push(eb('id', 'in', ids));
      if (trackingTokens.length) parts.push(eb('tracking_token', 'in', trackingTokens));
      if (references.length) parts.push(eb('reference', 'in', references));
      if (customerIds.length) {
        parts.push(eb.and([eb('customer_id', 'in', customerIds), eb('status', 'in', [...OPEN]), eb('received_at', '>=', openSince)]));
      }
      return eb.or(parts);
    })
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Reads and locks these complaints (qualification of a batch). */
export async function lockComplaints(db: Db, tenantId: string, ids: readonly string[]): Promise<ComplaintRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('complaints').select(COMPLAINT_COLUMNS).where('tenant_id', '=', tenantId).where('id', 'in', [...ids]).orderBy('id').forUpdate().execute();
}

type PatchColumn = 'kind' | 'cause' | 'product' | 'priority' | 'process_id' | 'assignee_id' | 'triage_reason' | 'sent_on' | 'sent_on_source' | 'ack_due_on' | 'answer_due_on';
const PATCH_TYPES: Record<PatchColumn, string> = {
  kind: 'text', cause: 'text', product: 'text', priority: 'text', process_id: 'uuid', assignee_id: 'uuid', triage_reason: 'text',
  sent_on: 'date', sent_on_source: 'text', ack_due_on: 'date', answer_due_on: 'date',
};

/**
 * updateComplaint for many complaints in one statement (UPDATE … FROM VALUES): each row gives the new
 * value of every listed column (callers lock the rows first, so unchanged values are written back as read).
 */
export async function updateComplaintsMany(
  db: Db,
  tenantId: string,
  columns: readonly PatchColumn[],
  rows: readonly ({ id: string; updated_at: Date } & Partial<Record<PatchColumn, string | null>>)[],
): Promise<void> {
  if (rows.length === 0) return;
  const values = sql.join(
    rows.map((r) => sql`(${sql.join([sql`${r.id}::uuid`, sql`${r.updated_at}::timestamptz`, ...columns.map((c) => sql`${r[c] ?? null}::${sql.raw(PATCH_TYPES[c])}`)])})`),
  );
  const names = sql.join(['id', 'updated_at', ...columns].map((c) => sql.ref(c)));
  const sets = sql.join([sql`updated_at = v.updated_at`, ...columns.map((c) => sql`${sql.ref(c)} = v.${sql.ref(c)}`)]);
  await sql`UPDATE complaints AS c SET ${sets} FROM (VALUES ${values}) AS v(${names}) WHERE c.tenant_id = ${tenantId} AND c.id = v.id`.execute(db);
}

/**
 * The demo only: a complaint entered through the agents' form, shown instead as a message that came in by
 * itself (no author on its inbound messages nor on the complaint, its events by the system).
 */
export async function markArrivedByItself(db: Db, tenantId: string, complaintId: string): Promise<void> {
  await db.updateTable('messages').set({ author_user_id: null }).where('tenant_id', '=', tenantId).where('complaint_id', '=', complaintId).where('direction', '=', 'inbound').execute();
  await db.updateTable('complaints').set({ created_by: null }).where('tenant_id', '=', tenantId).where('id', '=', complaintId).execute();
  await db.updateTable('events').set({ actor_kind: 'system', actor_user_id: null }).where('tenant_id', '=', tenantId).where('complaint_id', '=', complaintId).execute();
}
