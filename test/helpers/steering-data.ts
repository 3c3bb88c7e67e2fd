import { randomUUID } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import { addDays, localDateOf } from '../../src/domain/calendar.ts';
import { computeDeadlines } from '../../src/domain/deadlines.ts';
import type { Complaint, NewComplaint } from '../../src/db/types.ts';

/** A small deterministic PRNG (mulberry32), so that a generated data set is the same on every run. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
    chance: (p: number) => next() < p,
  };
}

const FIRST = ['Élodie', 'François', 'Hélène', 'Jérôme', 'Zoé', 'Anaïs', 'Gaëlle', 'Noël', 'Céline', 'Loïc'];
const LAST = ['Dupré', 'Lefèvre', 'Bénard', 'Prévost', 'Gérard', 'Mercier', 'Noël', 'Faure', 'Lacroix', 'Chevalier'];

export interface GeneratedCustomer {
  id: string;
  name: string;
  email: string;
}

/** Customers with accented names and an email identity each, inserted in one statement per table. */
export async function insertCustomers(deps: Deps, tenantId: string, n: number): Promise<GeneratedCustomer[]> {
  const customers = Array.from({ length: n }, (_, i) => ({
    id: randomUUID(),
    name: `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]}${i >= 100 ? ` ${i}` : ''}`,
    email: `client${i}.${randomUUID().slice(0, 8)}@exemple.fr`,
  }));
  await deps.db.insertInto('customers').values(customers.map((c) => ({ id: c.id, tenant_id: tenantId, display_name: c.name }))).execute();
  await deps.db.insertInto('customer_identities').values(customers.map((c) => ({ tenant_id: tenantId, customer_id: c.id, kind: 'email' as const, value: c.email }))).execute();
  return customers;
}

export interface GenerateOptions {
  tenantId: string;
  customers: GeneratedCustomer[];
  processIds: string[];
  userIds: string[];
  now: Date;
  n: number;
  weeks: number;
  seed?: number;
  /** Complaint texts, by index (default: a generic text by cause). */
  text?: (i: number, r: ReturnType<typeof prng>) => { subject: string; description: string; cause?: string | null };
}

const CHANNELS = ['email', 'webform', 'sms', 'letter', 'phone'] as const;
const CAUSES = ['indemnisation', 'delai', 'resiliation', 'tarification', 'gestion_contrat', null] as const;
const PRODUCTS = ['auto', 'habitation', 'sante', 'vie', null] as const;
const OPEN = ['nouvelle', 'en_cours', 'en_attente'] as const;

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Complaint rows spread over the `weeks` weeks before `now`: both kinds, every channel, causes, products,
 * processes and assignees (some missing), acknowledged / answered / closed or not, on time or late, with
 * outcomes. Nothing in the future of `now`. Returned ready to insert.
 */
export function generateComplaints(o: GenerateOptions): NewComplaint[] {
  const r = prng(o.seed ?? 42);
  const rows: NewComplaint[] = [];
  for (let i = 0; i < o.n; i++) {
    const received = new Date(o.now.getTime() - r.int(1, o.weeks * 7 * 24) * HOUR);
    const receivedOn = localDateOf(received);
    const sentOn = addDays(receivedOn, -r.int(0, 3));
    const { ackDueOn, answerDueOn } = computeDeadlines({ sentOn, receivedOn });
    const at = (days: number) => {
      const d = new Date(received.getTime() + days * DAY + r.int(0, 8) * HOUR);
      return d.getTime() <= o.now.getTime() ? d : null;
    };
    const acknowledged = r.chance(0.7) ? at(r.int(0, 16)) : null;
    const answered = r.chance(0.65) ? at(r.int(1, 75)) : null;
    let status: Complaint['status'] = r.pick(OPEN);
    let closed: Date | null = null;
    let outcome: Complaint['outcome'] = null;
    if (answered) {
      outcome = r.pick(['accepte', 'partiel', 'refuse'] as const);
      // A few answered complaints were reopened.
      if (!r.chance(0.08)) {
        closed = r.chance(0.5) ? at((answered.getTime() - received.getTime()) / DAY + r.int(1, 10)) : null;
        status = closed ? 'cloturee' : 'resolue';
      }
    } else if (r.chance(0.04)) {
      // Closed without an answer (withdrawn by the customer).
      closed = at(r.int(2, 30));
      if (closed) status = 'cloturee';
    }
    const text = o.text?.(i, r);
    const cause = text?.cause !== undefined ? text.cause : r.pick(CAUSES);
    rows.push({
      id: randomUUID(),
      tenant_id: o.tenantId,
      reference: `GEN-2026-${String(i + 1).padStart(6, '0')}`,
      customer_id: r.chance(0.3) ? o.customers[r.int(0, Math.min(5, o.customers.length - 1))]!.id : r.pick(o.customers).id,
      channel: r.pick(CHANNELS),
      kind: r.chance(0.8) ? 'reclamation' : 'demande',
      cause,
      product: r.pick(PRODUCTS),
      priority: 'normale',
      status,
      outcome,
      subject: text?.subject ?? `Réclamation générée n° ${i + 1}`,
      nature: r.chance(0.5) ? `Nature déclarée ${i + 1} : désaccord sur l’indemnité` : null,
      description: text?.description ?? `Texte de la réclamation générée n° ${i + 1}, cause ${cause ?? 'inconnue'}.`,
      contract_number: r.chance(0.7) ? `CTR-${1000 + i}` : null,
      process_id: r.chance(0.9) ? r.pick(o.processIds) : null,
      assignee_id: r.chance(0.8) ? r.pick(o.userIds) : null,
      sent_on: sentOn,
      sent_on_source: 'sent',
      received_at: received,
      ack_due_on: ackDueOn,
      answer_due_on: answerDueOn,
      acknowledged_at: acknowledged,
      answered_at: answered,
      closed_at: closed,
      tracking_token: randomUUID(),
      created_at: received,
      updated_at: received,
    });
  }
  return rows;
}

/** Multi-row INSERTs, as the batched ingest does (statement triggers see many rows at once). */
export async function insertComplaintRows(deps: Deps, rows: NewComplaint[], batch = 150): Promise<void> {
  for (let i = 0; i < rows.length; i += batch) await deps.db.insertInto('complaints').values(rows.slice(i, i + batch)).execute();
}
