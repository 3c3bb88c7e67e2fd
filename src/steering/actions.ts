import type { Deps } from '../deps.ts';
import { addDays, localDateOf } from '../domain/calendar.ts';
import { NotFoundError, ValidationError } from '../domain/errors.ts';
import { getUser } from '../db/repositories/users.ts';
import { insertEvents, type NewEvent } from '../db/repositories/events.ts';
import {
  actionComplaints,
  existingComplaintIds,
  getAction,
  getActionForUpdate,
  insertAction,
  linkComplaints,
  listActions,
  unlinkComplaints,
  updateAction,
  type Action,
  type ActionRow,
} from '../db/repositories/actions.ts';
import { getSignal } from '../db/repositories/steering-signals.ts';
import { countComplaints } from '../db/repositories/steering.ts';
import type { ActionStatus } from '../db/types.ts';
import type { Actor } from '../services/actor.ts';

export const ACTION_STATUSES = ['ouverte', 'en_cours', 'terminee', 'abandonnee'] as const;
export const ACTION_TYPES = ['corrective', 'preventive'] as const;
const OPEN: ActionStatus[] = ['ouverte', 'en_cours'];

export interface CreateActionInput {
  title?: string | undefined;
  type?: (typeof ACTION_TYPES)[number] | undefined;
  rootCause?: string | undefined;
  cause?: string | null | undefined;
  product?: string | null | undefined;
  ownerId?: string | null | undefined;
  dueOn?: string | null | undefined;
  signalId?: string | undefined;
  complaintIds?: string[] | undefined;
}

export interface ActionPatch {
  title?: string | undefined;
  type?: (typeof ACTION_TYPES)[number] | undefined;
  rootCause?: string | undefined;
  cause?: string | null | undefined;
  product?: string | null | undefined;
  ownerId?: string | null | undefined;
  dueOn?: string | null | undefined;
  status?: ActionStatus | undefined;
  /** Completion date when it is not today (recorded afterwards). */
  completedOn?: string | undefined;
  addComplaintIds?: string[] | undefined;
  removeComplaintIds?: string[] | undefined;
}

async function checkOwner(deps: Deps, db: Deps['db'], tenantId: string, ownerId: string | null | undefined): Promise<void> {
  if (!ownerId) return;
  const user = await getUser(db, tenantId, ownerId);
  if (!user || user.status === 'deactivated') throw new ValidationError('Responsable invalide.', { ownerId: 'Cet utilisateur n’existe pas ou n’est plus actif.' });
}

async function checkComplaints(db: Deps['db'], tenantId: string, ids: readonly string[]): Promise<void> {
  const found = await existingComplaintIds(db, tenantId, ids);
  if (ids.some((id) => !found.has(id))) throw new NotFoundError('Réclamation introuvable.');
}

function isOverdue(a: Pick<Action, 'status' | 'due_on'>, today: string): boolean {
  return OPEN.includes(a.status) && a.due_on !== null && a.due_on < today;
}

export function actionDto(a: Action | ActionRow, today: string) {
  return {
    id: a.id,
    title: a.title,
    type: a.type,
    rootCause: a.root_cause,
    cause: a.cause,
    product: a.product,
    signalId: a.signal_id,
    ownerId: a.owner_id,
    ownerName: 'owner_name' in a ? a.owner_name : null,
    dueOn: a.due_on,
    status: a.status,
    completedOn: a.completed_on,
    overdue: isOverdue(a, today),
    complaintCount: 'complaint_count' in a ? a.complaint_count : null,
    createdAt: a.created_at.toISOString(),
    updatedAt: a.updated_at.toISOString(),
  };
}

function event(actor: Actor, now: Date, type: string, data: Record<string, unknown>, complaintId: string | null = null): NewEvent {
  return { tenantId: actor.tenantId, complaintId, actorUserId: actor.userId, actorKind: 'user', type, data, at: now };
}

/** A corrective or preventive action, from a signal (its cause or product, its examples) or from chosen complaints. */
export async function createAction(deps: Deps, actor: Actor, input: CreateActionInput) {
  const now = deps.clock.now();
  const signal = input.signalId ? await getSignal(deps.db, actor.tenantId, input.signalId) : undefined;
  if (input.signalId && !signal) throw new NotFoundError('Signal introuvable.');
  const complaintIds = [...new Set(input.complaintIds ?? signal?.examples.map((e) => e.complaintId) ?? [])];
  const title = input.title?.trim() || (signal ? `Action sur : ${signal.label}`.slice(0, 200) : '');
  if (!title) throw new ValidationError('Titre requis.', { title: 'Donnez un titre à l’action.' });
  const rootCause = input.rootCause?.trim() || signal?.label || '';
  if (!rootCause) throw new ValidationError('Cause racine requise.', { rootCause: 'Décrivez la cause racine identifiée.' });
  const action = await deps.db.transaction().execute(async (trx) => {
    await checkOwner(deps, trx, actor.tenantId, input.ownerId);
    await checkComplaints(trx, actor.tenantId, complaintIds);
    const created = await insertAction(trx, {
      tenant_id: actor.tenantId,
      title,
      type: input.type ?? 'corrective',
      root_cause: rootCause,
      cause: input.cause !== undefined ? input.cause : signal?.dimension === 'cause' ? signal.value : null,
      product: input.product !== undefined ? input.product : signal?.dimension === 'product' ? signal.value : null,
      signal_id: signal?.id ?? null,
      owner_id: input.ownerId ?? null,
      due_on: input.dueOn ?? null,
      created_by: actor.userId,
      created_at: now,
      updated_at: now,
    });
    const linked = await linkComplaints(trx, actor.tenantId, created.id, complaintIds);
    await insertEvents(trx, [
      event(actor, now, 'action.created', { actionId: created.id, title, signalId: signal?.id ?? null, complaints: linked.length }),
      ...linked.map((id) => event(actor, now, 'action.linked', { actionId: created.id, title }, id)),
    ]);
    return created;
  });
  return getActionDetail(deps, actor, action.id);
}

export async function updateActionFields(deps: Deps, actor: Actor, id: string, patch: ActionPatch) {
  const now = deps.clock.now();
  const today = localDateOf(now);
  await deps.db.transaction().execute(async (trx) => {
    const current = await getActionForUpdate(trx, actor.tenantId, id);
    if (!current) throw new NotFoundError('Action introuvable.');
    const set: Record<string, unknown> = {};
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    const change = (key: string, column: keyof Action, value: unknown) => {
      if (value === undefined || current[column] === value) return;
      before[key] = current[column];
      after[key] = value;
      set[column] = value;
    };
    if (patch.title !== undefined && !patch.title.trim()) throw new ValidationError('Titre requis.', { title: 'Donnez un titre à l’action.' });
    change('title', 'title', patch.title?.trim());
    change('type', 'type', patch.type);
    change('rootCause', 'root_cause', patch.rootCause?.trim() || undefined);
    change('cause', 'cause', patch.cause);
    change('product', 'product', patch.product);
    if (patch.ownerId !== undefined) await checkOwner(deps, trx, actor.tenantId, patch.ownerId);
    change('ownerId', 'owner_id', patch.ownerId);
    change('dueOn', 'due_on', patch.dueOn);
    change('status', 'status', patch.status);
    const status = patch.status ?? current.status;
    if (patch.completedOn && status !== 'terminee') throw new ValidationError('Date d’achèvement inutile.', { completedOn: 'Seule une action terminée a une date d’achèvement.' });
    if (patch.completedOn && patch.completedOn > today) throw new ValidationError('Date d’achèvement invalide.', { completedOn: 'La date d’achèvement ne peut pas être dans le futur.' });
    if (status === 'terminee') change('completedOn', 'completed_on', patch.completedOn ?? current.completed_on ?? today);
    else change('completedOn', 'completed_on', null);
    const add = [...new Set(patch.addComplaintIds ?? [])];
    await checkComplaints(trx, actor.tenantId, add);
    const linked = await linkComplaints(trx, actor.tenantId, id, add);
    const unlinked = await unlinkComplaints(trx, actor.tenantId, id, patch.removeComplaintIds ?? []);
    if (Object.keys(set).length > 0) await updateAction(trx, actor.tenantId, id, { ...set, updated_at: now });
    const events: NewEvent[] = [
      ...linked.map((c) => event(actor, now, 'action.linked', { actionId: id, title: current.title }, c)),
      ...unlinked.map((c) => event(actor, now, 'action.unlinked', { actionId: id, title: current.title }, c)),
    ];
    if (Object.keys(set).length > 0 || linked.length > 0 || unlinked.length > 0) {
      events.unshift(event(actor, now, 'action.updated', { actionId: id, before, after, linked: linked.length, unlinked: unlinked.length }));
    }
    await insertEvents(trx, events);
  });
  return getActionDetail(deps, actor, id);
}

export async function listActionDtos(deps: Deps, actor: Actor, q: { status?: ActionStatus[] | undefined; overdue?: boolean | undefined; ownerId?: string | undefined; page?: number | undefined; pageSize?: number | undefined }) {
  const today = localDateOf(deps.clock.now());
  const pageSize = Math.min(Math.max(q.pageSize ?? 50, 1), 200);
  const page = Math.max(q.page ?? 1, 1);
  const { rows, total } = await listActions(deps.db, actor.tenantId, { status: q.status, ownerId: q.ownerId, ...(q.overdue ? { overdueOn: today } : {}) }, pageSize, (page - 1) * pageSize);
  return { page, pageSize, total, items: rows.map((r) => actionDto(r, today)) };
}

export interface Effectiveness {
  weeks: number;
  basis: { cause: string | null; product: string | null };
  before: { from: string; to: string; complaints: number; allComplaints: number; perWeek: number; share: number | null };
  after: { from: string; to: string; complaints: number; allComplaints: number; perWeek: number | null; share: number | null; weeksElapsed: number };
  /** Relative change of the weekly rate (−0.5 = halved), null until a week has passed. */
  change: number | null;
  complete: boolean;
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/**
 * Did the action work? The complaints of its cause (and product) per week, and their share of all
 * complaints, in the `weeks` weeks before its completion date against the weeks after it (as many as
 * have elapsed, up to `weeks`). Windows are [completion − 7·weeks, completion) and [completion, …).
 */
export async function effectiveness(deps: Deps, tenantId: string, a: Pick<Action, 'cause' | 'product' | 'completed_on' | 'status'>, weeks = 8): Promise<Effectiveness | null> {
  if (a.status !== 'terminee' || !a.completed_on || (!a.cause && !a.product)) return null;
  const today = localDateOf(deps.clock.now());
  const done = a.completed_on;
  const beforeFrom = addDays(done, -7 * weeks);
  const fullAfterEnd = addDays(done, 7 * weeks);
  const afterEnd = fullAfterEnd < addDays(today, 1) ? fullAfterEnd : addDays(today, 1);
  const afterDays = Math.max(0, Math.round((Date.parse(afterEnd) - Date.parse(done)) / 86_400_000));
  const match = { cause: a.cause, product: a.product };
  const [bc, ba, ac, aa] = await Promise.all([
    countComplaints(deps.db, tenantId, { from: beforeFrom, toExclusive: done, ...match }),
    countComplaints(deps.db, tenantId, { from: beforeFrom, toExclusive: done }),
    countComplaints(deps.db, tenantId, { from: done, toExclusive: afterEnd, ...match }),
    countComplaints(deps.db, tenantId, { from: done, toExclusive: afterEnd }),
  ]);
  const perWeekBefore = bc / weeks;
  const weeksElapsed = afterDays / 7;
  const perWeekAfter = weeksElapsed >= 1 ? ac / weeksElapsed : null;
  return {
    weeks,
    basis: match,
    before: { from: beforeFrom, to: addDays(done, -1), complaints: bc, allComplaints: ba, perWeek: round(perWeekBefore), share: ba ? round(bc / ba, 4) : null },
    after: { from: done, to: addDays(afterEnd, -1), complaints: ac, allComplaints: aa, perWeek: perWeekAfter === null ? null : round(perWeekAfter), share: aa ? round(ac / aa, 4) : null, weeksElapsed: round(weeksElapsed) },
    change: perWeekAfter === null || perWeekBefore === 0 ? null : round((perWeekAfter - perWeekBefore) / perWeekBefore, 4),
    complete: afterEnd === fullAfterEnd,
  };
}

export async function getActionDetail(deps: Deps, actor: Actor, id: string, weeks = 8) {
  const a = await getAction(deps.db, actor.tenantId, id);
  if (!a) throw new NotFoundError('Action introuvable.');
  const today = localDateOf(deps.clock.now());
  const [complaints, eff, owner] = await Promise.all([
    actionComplaints(deps.db, actor.tenantId, id),
    effectiveness(deps, actor.tenantId, a, weeks),
    a.owner_id ? getUser(deps.db, actor.tenantId, a.owner_id) : Promise.resolve(undefined),
  ]);
  return { ...actionDto(a, today), ownerName: owner?.name ?? null, complaintCount: complaints.length, complaints, effectiveness: eff };
}
