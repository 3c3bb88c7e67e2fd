/**
 * The Monday digest ("Prenez 5 minutes chaque lundi pour vérifier toutes les réclamations en cours et les
 * échéances de la semaine"): every Monday at 08:00 Europe/Paris, each active manager and admin receives
 * what is due this week, what is late, the new signals and the actions due. Once per tenant and ISO week
 * (a row in steering_digests is taken before sending). Sent with the tenant's email channel (SMTP);
 * without one, the digest is recorded (status no_channel) for the console.
 */
import type { Deps } from '../deps.ts';
import { addDays, dayOfWeek, localDateOf } from '../domain/calendar.ts';
import { formatDateLong } from '../domain/customer-status.ts';
import { listUsers } from '../db/repositories/users.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { listFacts, type FactListRow, type ListMetric } from '../db/repositories/steering.ts';
import { listActions } from '../db/repositories/actions.ts';
import { listSignals } from '../db/repositories/steering-signals.ts';
import { listTenantIds } from '../db/repositories/steering-signals.ts';
import { claimDigest, finishDigest, previousDigestAt } from '../db/repositories/steering-digests.ts';
import { tenantChannel } from '../services/channels.ts';
import { smtpTransportFor } from '../../connectors/email/outbound.ts';
import { weekStart } from './stats.ts';
import { DIGEST_ZONE, digestTimeOfWeek, nextDigestRun } from './schedule.ts';

export interface DigestContent {
  week: string;
  subject: string;
  text: string;
  counts: { dueThisWeek: number; overdue: number; newSignals: number; actionsDue: number };
}

const LIMIT = 15;

function line(c: FactListRow, what: string): string {
  return `  • ${c.reference} — ${c.customerName} — ${c.subject} (${what})`;
}

/** What the managers read on Monday morning (French plain text). */
export async function buildDigest(deps: Deps, tenantId: string, now: Date): Promise<DigestContent> {
  const today = localDateOf(now);
  const week = weekStart(today);
  const sunday = addDays(week, 6);
  const tenant = await getTenant(deps.db, tenantId);
  const list = (metric: ListMetric) =>
    listFacts(deps.db, tenantId, { metric, from: '1970-01-01', to: sunday, filters: {}, today: week, weekEnd: sunday, limit: LIMIT, offset: 0 });
  const [ackDue, answerDue, ackLate, answerLate] = await Promise.all([list('ack_at_risk'), list('answer_at_risk'), list('ack_overdue'), list('answer_overdue')]);
  const since = (await previousDigestAt(deps.db, tenantId, week)) ?? new Date(now.getTime() - 7 * 86_400_000);
  const signals = await listSignals(deps.db, tenantId, { fromWeek: addDays(week, -28), createdSince: since, limit: 20 });
  const actions = await listActions(deps.db, tenantId, { dueBy: sunday }, LIMIT, 0);

  const dueThisWeek = ackDue.total + answerDue.total;
  const overdue = ackLate.total + answerLate.total;
  const out: string[] = [];
  out.push(`Bonjour,`, '', `Voici la synthèse du lundi ${formatDateLong(week)} pour ${tenant?.name ?? 'votre cabinet'} : cinq minutes pour vérifier les réclamations en cours et les échéances de la semaine.`, '');
  const section = (title: string, total: number, rows: string[], more: string) => {
    out.push(`${title} : ${total}`);
    out.push(...rows);
    if (total > rows.length) out.push(`  … et ${total - rows.length} autre${total - rows.length > 1 ? 's' : ''} ${more}`);
    out.push('');
  };
  section('Échéances de la semaine', dueThisWeek, [
    ...ackDue.rows.map((c) => line(c, `accusé de réception au plus tard le ${formatDateLong(c.ackDueOn)}`)),
    ...answerDue.rows.map((c) => line(c, `réponse au plus tard le ${formatDateLong(c.answerDueOn)}`)),
  ], 'dans le tableau de bord');
  section('En retard', overdue, [
    ...ackLate.rows.map((c) => line(c, `accusé de réception dû le ${formatDateLong(c.ackDueOn)}`)),
    ...answerLate.rows.map((c) => line(c, `réponse due le ${formatDateLong(c.answerDueOn)}`)),
  ], 'dans le tableau de bord');
  section('Nouveaux signaux (causes récurrentes)', signals.length, signals.map((s) => `  • ${s.label}`), '');
  section('Actions correctives et préventives à échéance', actions.total, actions.rows.map((a) => `  • ${a.title} — ${a.owner_name ?? 'sans responsable'} — échéance ${a.due_on ? formatDateLong(a.due_on) : '—'}${a.due_on && a.due_on < today ? ' (en retard)' : ''}`), '');
  out.push(`Tableau de bord : ${deps.config.publicUrl}/console/`, '', '— Guichet');
  return {
    week,
    subject: `Synthèse du lundi ${formatDateLong(week)} : ${dueThisWeek} échéance${dueThisWeek > 1 ? 's' : ''} cette semaine, ${overdue} en retard`,
    text: out.join('\n'),
    counts: { dueThisWeek, overdue, newSignals: signals.length, actionsDue: actions.total },
  };
}

export type DigestOutcome = { tenantId: string; week: string; status: 'sent' | 'no_channel' | 'failed' | 'already_done' | 'no_recipient'; recipients: string[]; digest: DigestContent };

/** Sends (once per tenant and week) the digest to every active manager and admin. */
export async function sendDigest(deps: Deps, tenantId: string, now: Date = deps.clock.now()): Promise<DigestOutcome> {
  const digest = await buildDigest(deps, tenantId, now);
  const recipients = (await listUsers(deps.db, tenantId)).filter((u) => u.status === 'active' && u.role !== 'agent').map((u) => u.email);
  const base = { tenantId, week: digest.week, recipients, digest };
  if (recipients.length === 0) return { ...base, status: 'no_recipient' };
  if (!(await claimDigest(deps.db, { tenantId, week: digest.week, subject: digest.subject, body: digest.text, recipients, now }))) return { ...base, status: 'already_done' };
  const channel = await tenantChannel(deps, tenantId, 'email');
  let status: 'sent' | 'no_channel' | 'failed' = 'no_channel';
  let error: string | null = null;
  if (channel) {
    const { smtp } = channel.config;
    const transport = smtpTransportFor(channel);
    try {
      for (const to of recipients) {
        await transport.sendMail({
          from: { name: smtp.fromName ?? 'Guichet', address: channel.address },
          to,
          subject: digest.subject,
          text: digest.text,
          headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
        });
      }
      status = 'sent';
    } catch (err) {
      status = 'failed';
      error = (err instanceof Error ? err.message : String(err)).slice(0, 500);
      deps.logger.warn({ tenantId, week: digest.week, error }, 'weekly digest not sent');
    } finally {
      transport.close();
    }
  }
  await finishDigest(deps.db, tenantId, digest.week, status, deps.clock.now(), error);
  await insertEvents(deps.db, [{ tenantId, actorKind: 'system', type: 'digest.sent', data: { week: digest.week, status, recipients: recipients.length, ...digest.counts }, at: deps.clock.now() }]);
  return { ...base, status };
}

/** Every tenant whose digest of this week is due (Monday 08:00 passed) and not sent yet. */
export async function runDueDigests(deps: Deps): Promise<DigestOutcome[]> {
  const now = deps.clock.now();
  if (now.getTime() < digestTimeOfWeek(localDateOf(now, DIGEST_ZONE)).getTime()) return [];
  const out: DigestOutcome[] = [];
  for (const t of await listTenantIds(deps.db)) out.push(await sendDigest(deps, t.id, now));
  return out;
}

/**
 * The worker's timer: fires at each next Monday 08:00 (re-armed every 6 hours at most, so a clock change
 * or a sleeping machine never drifts far), plus once at start for a worker started later on a Monday.
 */
export function startDigestTimer(deps: Deps, options: { catchUp?: boolean } = {}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const run = () =>
    runDueDigests(deps)
      .then((r) => r.some((x) => x.status !== 'already_done') && deps.logger.info({ digests: r.map((x) => ({ tenantId: x.tenantId, status: x.status })) }, 'weekly digests'))
      .catch((err: unknown) => deps.logger.error({ err }, 'weekly digests failed'));
  const arm = () => {
    if (stopped) return;
    const now = deps.clock.now();
    const wait = Math.min(nextDigestRun(now).getTime() - now.getTime(), 6 * 3_600_000);
    timer = setTimeout(() => {
      const due = deps.clock.now().getTime() >= nextDigestRun(now).getTime();
      (due ? run() : Promise.resolve()).finally(arm);
    }, Math.max(wait, 1000));
    timer.unref();
  };
  // A worker (re)started on a Monday after 08:00 sends what the timer missed; later in the week it waits.
  if (options.catchUp !== false && dayOfWeek(localDateOf(deps.clock.now(), DIGEST_ZONE)) === 1) void run();
  arm();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
