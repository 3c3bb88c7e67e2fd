import type { Deps } from '../deps.ts';
import { addDays, joursOuvrablesBetween, localDateOf } from '../domain/calendar.ts';
import { findTenantBySlug } from '../db/repositories/tenants.ts';
import { insertUser, updateUser } from '../db/repositories/users.ts';
import { insertMessage } from '../db/repositories/messages.ts';
import { markArrivedByItself, updateComplaint } from '../db/repositories/complaints.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { signup } from '../services/accounts.ts';
import { addNote, assignComplaint, changeStatus, createComplaint } from '../services/complaints.ts';
import { hashPassword } from '../services/passwords.ts';
import { newToken } from '../services/tokens.ts';
import type { Actor } from '../services/actor.ts';
import type { Outcome } from '../domain/taxonomy.ts';
import { DEMO_AGENTS, DEMO_ANSWERS, DEMO_INCIDENT, DEMO_ITEMS, DEMO_NOTES, DEMO_PEOPLE, type DemoItem, type DemoPerson } from './corpus.ts';
import { createAction, updateActionFields } from '../steering/actions.ts';
import { computeSignals } from '../steering/signals.ts';
import { listSignalDtos } from '../steering/signal-list.ts';
import { weekStart } from '../steering/stats.ts';

export const DEMO_SLUG = 'cabinet-duval-assurances';
export const DEMO_LOGIN = 'demo@duval-assurances.example';

/** Small deterministic generator (mulberry32), so every new install shows the same demo. */
function rng(seed: number) {
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
    pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!,
    chance: (p: number) => next() < p,
    /** A shuffled copy (Fisher–Yates). */
    shuffle: <T>(list: readonly T[]): T[] => {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j]!, out[i]!];
      }
      return out;
    },
  };
}

function asciiLower(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z]+/g, '');
}

function contactFor(item: DemoItem, person: DemoPerson, r: ReturnType<typeof rng>, index: number) {
  const email = `${asciiLower(person.firstName)}.${asciiLower(person.lastName)}@example.fr`;
  const phone = `06 ${12 + (index % 27)} ${r.int(10, 99)} ${r.int(10, 99)} ${r.int(10, 99)}`;
  const name = `${person.firstName} ${person.lastName}`;
  switch (item.channel) {
    case 'sms':
    case 'voice':
      return { name, phone };
    case 'phone':
      return { name, phone, ...(r.chance(0.5) ? { email } : {}) };
    case 'letter':
      return { name, ...(r.chance(0.3) ? { email } : {}) };
    default:
      return { name, email, ...(r.chance(0.4) ? { phone } : {}) };
  }
}

const DAY = 86_400_000;

export interface DemoResult {
  created: boolean;
  tenantId: string;
  email: string;
  password: string | null;
  complaints: number;
}

/**
 * Creates the demo firm "Cabinet Duval Assurances" with its staff and about 220 complaints spread over
 * the last five months, in every status, some overdue — so the first screen is alive.
 */
export async function loadDemo(deps: Deps, options: { onProgress?: (done: number, total: number) => void } = {}): Promise<DemoResult> {
  const existing = await findTenantBySlug(deps.db, DEMO_SLUG);
  if (existing) return { created: false, tenantId: existing.id, email: DEMO_LOGIN, password: null, complaints: 0 };

  const r = rng(20261201);
  const password = `demo-${newToken(9)}`;
  const { tenant, user: admin } = await signup(deps, {
    companyName: 'Cabinet Duval Assurances',
    orias: '07001234',
    managerName: 'Responsable démo',
    email: DEMO_LOGIN,
    phone: '01 40 71 18 00',
    plan: 'pro',
    password,
  });
  // The demo login belongs to the front-office team, so that « Mon équipe » shows something at once.
  await updateUser(deps.db, tenant.id, admin.id, { teams: ['Relation client'] });
  const staffHash = await hashPassword(newToken(24));
  const staff: Actor[] = [];
  for (const a of DEMO_AGENTS) {
    const u = await insertUser(deps.db, {
      tenant_id: tenant.id,
      email: a.email,
      name: a.name,
      role: a.role,
      status: 'active',
      password_hash: staffHash,
      teams: [...a.teams],
    });
    staff.push({ tenantId: tenant.id, userId: u.id, role: a.role });
  }
  const manager = staff.find((s) => s.role === 'manager') ?? { tenantId: tenant.id, userId: admin.id, role: 'admin' as const };
  const now = deps.clock.now();
  const at = (d: Date): Deps => ({ ...deps, clock: { now: () => d } });
  const plan = demoSchedule(r, localDateOf(now));
  const total = plan.length;

  for (let i = 0; i < total; i++) {
    options.onProgress?.(i, total);
    const { item, ageDays } = plan[i]!;
    const receivedAt = new Date(now.getTime() - ageDays * DAY - r.int(0, 8) * 3_600_000);
    if (receivedAt > now) receivedAt.setTime(now.getTime() - 60_000);
    const receivedOn = localDateOf(receivedAt);
    const lag = item.channel === 'letter' ? r.int(1, 4) : item.channel === 'email' || item.channel === 'webform' ? r.int(0, 1) : 0;
    const sentOn = addDays(receivedOn, -lag);
    const person = r.pick(DEMO_PEOPLE);
    const actor = r.pick(staff);
    const assigned = ageDays > 1 || r.chance(0.5) ? r.pick(staff.filter((s) => s.role === 'agent')) : null;
    const complaint = await createComplaint(at(receivedAt), actor, {
      channel: item.channel,
      sentOn,
      receivedAt,
      complainant: { ...contactFor(item, person, r, i), type: item.complainantType },
      subject: item.subject,
      description: item.text,
      kind: item.kind,
      cause: item.cause,
      product: item.product,
      priority: item.priority,
    });
    if (ARRIVES_BY_ITSELF.has(item.channel)) await asArrivedByItself(deps, tenant.id, complaint.id);
    if (assigned) await assignComplaint(at(new Date(receivedAt.getTime() + 3_600_000)), manager, complaint.id, assigned.userId);
    const handler = assigned ?? actor;

    // How far this one went, by age: old ones are mostly answered, a few are late on purpose.
    const stuck = r.chance(ageDays > 60 ? 0.12 : 0.05);
    const forgotten = ageDays > 14 && r.chance(0.05); // never acknowledged: the console must flag it
    const stage = forgotten
      ? 0
      : ageDays <= 2
        ? 0
        : ageDays <= 10
          ? r.int(0, 2)
          : ageDays <= 40
            ? r.int(1, 3)
            : stuck
              ? r.int(1, 2)
              : r.int(3, 4);
    const clock = { t: new Date(receivedAt.getTime() + 2 * 3_600_000) };
    const step = (days: number) => {
      clock.t = new Date(Math.min(now.getTime() - 60_000, clock.t.getTime() + days * DAY + r.int(1, 5) * 3_600_000));
      return at(clock.t);
    };
    if (stage >= 1) {
      const ackLate = r.chance(0.06);
      const d = step(ackLate ? r.int(13, 18) : r.int(0, 6));
      await recordSent(d, handler, complaint.id, complaint.reference, 'ack', item.channel);
      await changeStatus(d, handler, complaint.id, { status: 'en_cours' });
      if (r.chance(0.6)) await addNote(step(r.int(1, 5)), handler, complaint.id, r.pick(DEMO_NOTES));
    }
    if (stage === 2) {
      await changeStatus(step(r.int(1, 4)), handler, complaint.id, { status: 'en_attente' });
      continue;
    }
    if (stage >= 3) {
      const outcome: Outcome = item.kind === 'demande' ? 'accepte' : r.pick(['accepte', 'accepte', 'partiel', 'refuse'] as const);
      const d = step(item.kind === 'demande' ? r.int(1, 4) : r.int(8, Math.min(45, Math.max(9, ageDays - 8))));
      await recordSent(d, handler, complaint.id, complaint.reference, 'answer', item.channel, r.pick(DEMO_ANSWERS[outcome]));
      await changeStatus(d, handler, complaint.id, { status: 'resolue', outcome });
    }
    if (stage >= 4 && joursOuvrablesBetween(localDateOf(clock.t), localDateOf(now), 'metropole') > 6) {
      await changeStatus(step(r.int(5, 7)), handler, complaint.id, { status: 'cloturee' });
    }
  }
  await demoActions(deps, at, tenant.id, manager, staff, now);
  options.onProgress?.(total, total);
  return { created: true, tenantId: tenant.id, email: DEMO_LOGIN, password, complaints: total };
}

/** The demo's preventive action was completed this many weeks ago (see demoSchedule). */
const DELAY_FIX_WEEKS = 10;
/** The demo's history spans this many days before today. */
const DEMO_DAYS = 150;

/**
 * When each demo item arrived, oldest first (references follow the receipt order), as days before today:
 * - the corpus, written channel by channel, in a seeded mixed order spread over DEMO_DAYS, so that every
 *   week has its emails, forms, calls and messages;
 * - the demo's story for the steering pages: complaints about delays became rarer once the firm started
 *   chasing the experts (the action completed DELAY_FIX_WEEKS weeks ago), so most of them come before it;
 * - the incident of DEMO_INCIDENT, in the last complete week (Tuesday to Friday), for the signals page.
 */
function demoSchedule(r: ReturnType<typeof rng>, today: string): { item: DemoItem; ageDays: number }[] {
  const order = rng(20261202).shuffle(DEMO_ITEMS);
  const n = order.length;
  const ageAt = (i: number) => ((n - 1 - i) / (n - 1)) * DEMO_DAYS;
  const beforeFix = (i: number) => ageAt(i) > DELAY_FIX_WEEKS * 7 + 2;
  const olderSlots = order.map((_, i) => i).filter(beforeFix);
  for (let i = 0; i < n; i++) {
    if (order[i]!.cause !== 'delai' || beforeFix(i) || !r.chance(0.5)) continue;
    const j = r.pick(olderSlots.filter((k) => order[k]!.cause !== 'delai'));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const regular = order.map((item, i) => ({ item, ageDays: Math.max(0, Math.round(ageAt(i) - r.next() * 2)) }));
  const lastMonday = addDays(weekStart(today), -7);
  const incident = DEMO_INCIDENT.map((item, k) => ({ item, ageDays: daysBetween(addDays(lastMonday, 1 + (k % 4)), today) }));
  return [...regular, ...incident].sort((a, b) => b.ageDays - a.ageDays);
}

const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / DAY);

/**
 * The steering pages' demo: the preventive action on delays, completed DELAY_FIX_WEEKS weeks ago (its
 * effect is measured from the complaints, as for any action), and the signals of the last week with the
 * action opened on the incident, in progress.
 */
async function demoActions(deps: Deps, at: (d: Date) => Deps, tenantId: string, manager: Actor, staff: Actor[], now: Date) {
  const today = localDateOf(now);
  const completedOn = addDays(today, -7 * DELAY_FIX_WEEKS);
  const dayAt = (date: string) => new Date(`${date}T09:30:00Z`);
  const fix = await createAction(at(dayAt(addDays(completedOn, -24))), manager, {
    title: 'Relance des experts à J+15 sur les sinistres en attente de rapport',
    type: 'preventive',
    rootCause: 'Les rapports d’expertise en retard n’étaient pas relancés : les clients attendaient sans nouvelles et réclamaient sur le délai.',
    cause: 'delai',
    ownerId: manager.userId,
    dueOn: completedOn,
  });
  await updateActionFields(at(dayAt(completedOn)), manager, fix.id, { status: 'terminee', completedOn });

  await computeSignals(deps, tenantId);
  const signals = await listSignalDtos(deps, manager, 1);
  const signal = signals.find((x) => x.dimension === 'cause' && x.value === 'gestion_contrat') ?? signals[0];
  if (!signal) return;
  const contracts = DEMO_AGENTS.findIndex((a) => a.teams.includes('Gestion des contrats'));
  const owner = staff[contracts] ?? manager;
  const opened = await createAction(deps, manager, {
    signalId: signal.id,
    title: 'Cotisations auto prélevées deux fois : rembourser et contrôler le fichier de prélèvement',
    type: 'corrective',
    rootCause: 'Le fichier de prélèvement de l’échéance a été transmis deux fois à la banque.',
    ownerId: owner.userId,
    dueOn: addDays(today, 14),
  });
  await updateActionFields(deps, manager, opened.id, { status: 'en_cours' });
}

/** Channels whose messages come in without anyone typing them (letters and calls are entered by an agent). */
const ARRIVES_BY_ITSELF = new Set(['email', 'webform', 'sms', 'voice', 'slack']);

/**
 * Demo history only: the complaint was created through the agents' entry form (so that its type, cause and
 * product are the corpus's); a message of a digital channel is shown as the intake records it, written by
 * the customer and opened by Guichet, not “par” an agent.
 */
async function asArrivedByItself(d: Deps, tenantId: string, complaintId: string) {
  await d.db.transaction().execute((trx) => markArrivedByItself(trx, tenantId, complaintId));
}

const ACK_TEXT = (reference: string) =>
  `Bonjour,\n\nNous avons bien reçu votre réclamation, enregistrée sous la référence ${reference}. ` +
  'Elle est confiée à un conseiller qui vous répondra par écrit dans un délai de deux mois au plus. ' +
  'Vous pouvez suivre son avancement à tout moment.\n\nCabinet Duval Assurances';

/** Demo history only: an acknowledgement or answer as it would have been sent (no channel is called). */
async function recordSent(d: Deps, actor: Actor, complaintId: string, reference: string, what: 'ack' | 'answer', channel: string, text?: string) {
  const now = d.clock.now();
  const outChannel = channel === 'voice' || channel === 'phone' ? 'sms' : channel === 'letter' ? 'letter' : channel;
  await d.db.transaction().execute(async (trx) => {
    await insertMessage(trx, {
      tenant_id: actor.tenantId,
      complaint_id: complaintId,
      direction: 'outbound',
      channel: outChannel,
      author_user_id: actor.userId,
      subject: what === 'ack' ? `Accusé de réception — ${reference}` : `Réponse à votre réclamation — ${reference}`,
      body_text: what === 'ack' ? ACK_TEXT(reference) : (text ?? ''),
      sent_at: now,
      created_at: now,
      meta: JSON.stringify({ purpose: what, demo: true }),
    });
    await updateComplaint(trx, actor.tenantId, complaintId, what === 'ack' ? { acknowledged_at: now } : { answered_at: now });
    await insertEvents(trx, [
      {
        tenantId: actor.tenantId,
        complaintId,
        actorUserId: actor.userId,
        actorKind: 'user',
        type: what === 'ack' ? 'complaint.acknowledged' : 'complaint.answered',
        data: { channel: outChannel },
        at: now,
      },
    ]);
  });
}
