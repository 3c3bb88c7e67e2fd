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
): Promise<{ rows: ListedComplaint[]; total: number }> {
  const base = db
    .selectFrom('complaints as c')
    .innerJoin('customers as cu', 'cu.id', 'c.customer_id')
    .leftJoin('users as u', 'u.id', 'c.assignee_id')
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
        const q = filters.q.trim();
        const like = `%${q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
        parts.push(
          eb.or([
            sql<SqlBool>`c.search_vector @@ websearch_to_tsquery('guichet_fr', ${q})`,
            eb('c.reference', 'ilike', like),
            eb('cu.display_name', 'ilike', like),
            eb('c.contract_number', 'ilike', like),
          ]),
        );
      }
      return eb.and(parts);
    });

  const totalRow = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();

  const { column, dir } = SORTS[page.sort];
  let q = base.selectAll('c').select(['cu.display_name as customer_name', 'u.name as assignee_name']);
  if (page.after) {
    const op = dir === 'asc' ? sql`>` : sql`<`;
    q = q.where(sql<SqlBool>`(${sql.ref(column)}, c.id) ${op} (${page.after.value}, ${page.after.id}::uuid)`);
  }
  const rows = await q
    .orderBy(sql.ref(column), dir)
    .orderBy('c.id', dir)
    .limit(page.limit)
    .execute();
  return { rows: rows as ListedComplaint[], total: Number(totalRow.n) };
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
