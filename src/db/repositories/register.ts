import { sql, type Kysely } from 'kysely';
import type { Database } from '../types.ts';

type Db = Kysely<Database>;

/** One line of the complaints register (Code des assurances / L.612-2 fields), as stored. */
export interface RegisterRow {
  id: string;
  reference: string;
  customerId: string;
  customerName: string;
  complainantType: string;
  emails: string[];
  phones: string[];
  sentOn: string;
  sentOnSource: string;
  receivedAt: Date;
  channel: string;
  subject: string;
  nature: string | null;
  cause: string | null;
  product: string | null;
  contractNumber: string | null;
  status: string;
  acknowledgedAt: Date | null;
  answeredAt: Date | null;
  outcome: string | null;
  closedAt: Date | null;
  actions: { id: string; title: string; status: string; completedOn: string | null }[];
}

export interface RegisterQuery {
  from: string;
  to: string;
  limit: number;
  offset?: number;
  /** Keyset: the last row of the previous batch (exports). */
  after?: { receivedAt: Date; id: string } | undefined;
}

const parseJson = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

/**
 * Complaints (kind reclamation, not merged into another) received from `from` to `to` (Europe/Paris dates, both included), in order
 * of receipt, with the complainant's identities and the actions linked to each (corrective measures).
 */
export async function listRegister(db: Db, tenantId: string, q: RegisterQuery): Promise<{ rows: RegisterRow[]; total: number }> {
  const after = q.after ? sql`AND (c.received_at, c.id) > (${q.after.receivedAt}::timestamptz, ${q.after.id}::uuid)` : sql``;
  const { rows } = await sql<Record<string, unknown>>`
    SELECT c.id, c.reference, c.customer_id, cu.display_name, cu.complainant_type, c.sent_on, c.sent_on_source, c.received_at,
      c.channel, c.subject, c.nature, c.cause, c.product, c.contract_number, c.status, c.acknowledged_at, c.answered_at,
      c.outcome, c.closed_at,
      coalesce((SELECT json_agg(i.value ORDER BY i.created_at, i.value) FROM customer_identities i
                WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.customer_id AND i.kind = 'email'), '[]'::json) AS emails,
      coalesce((SELECT json_agg(i.value ORDER BY i.created_at, i.value) FROM customer_identities i
                WHERE i.tenant_id = c.tenant_id AND i.customer_id = c.customer_id AND i.kind = 'phone'), '[]'::json) AS phones,
      coalesce((SELECT json_agg(json_build_object('id', a.id, 'title', a.title, 'status', a.status, 'completedOn', a.completed_on) ORDER BY a.created_at, a.id)
                FROM steering_action_complaints l JOIN steering_actions a ON a.tenant_id = l.tenant_id AND a.id = l.action_id
                WHERE l.tenant_id = c.tenant_id AND l.complaint_id = c.id), '[]'::json) AS actions,
      ${q.after ? sql`0` : sql`count(*) OVER ()`} AS total
    FROM complaints c
    JOIN customers cu ON cu.tenant_id = c.tenant_id AND cu.id = c.customer_id
    WHERE c.tenant_id = ${tenantId} AND c.kind = 'reclamation' AND c.merged_into_id IS NULL
      AND c.received_at >= (${q.from}::date::timestamp AT TIME ZONE 'Europe/Paris')
      AND c.received_at < ((${q.to}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')
      ${after}
    ORDER BY c.received_at, c.id
    LIMIT ${q.limit} ${q.offset ? sql`OFFSET ${q.offset}` : sql``}`.execute(db);
  let total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  if (!q.after && rows.length === 0 && q.offset) total = await countRegister(db, tenantId, q.from, q.to);
  return {
    total,
    rows: rows.map((r) => ({
      id: String(r.id),
      reference: String(r.reference),
      customerId: String(r.customer_id),
      customerName: String(r.display_name),
      complainantType: String(r.complainant_type),
      emails: parseJson<string[]>(r.emails),
      phones: parseJson<string[]>(r.phones),
      sentOn: String(r.sent_on),
      sentOnSource: String(r.sent_on_source),
      receivedAt: new Date(r.received_at as Date),
      channel: String(r.channel),
      subject: String(r.subject),
      nature: (r.nature as string | null) ?? null,
      cause: (r.cause as string | null) ?? null,
      product: (r.product as string | null) ?? null,
      contractNumber: (r.contract_number as string | null) ?? null,
      status: String(r.status),
      acknowledgedAt: r.acknowledged_at ? new Date(r.acknowledged_at as Date) : null,
      answeredAt: r.answered_at ? new Date(r.answered_at as Date) : null,
      outcome: (r.outcome as string | null) ?? null,
      closedAt: r.closed_at ? new Date(r.closed_at as Date) : null,
      actions: parseJson<RegisterRow['actions']>(r.actions),
    })),
  };
}

export async function countRegister(db: Db, tenantId: string, from: string, to: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*) AS n FROM complaints c
    WHERE c.tenant_id = ${tenantId} AND c.kind = 'reclamation' AND c.merged_into_id IS NULL
      AND c.received_at >= (${from}::date::timestamp AT TIME ZONE 'Europe/Paris')
      AND c.received_at < ((${to}::date + 1)::timestamp AT TIME ZONE 'Europe/Paris')`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
