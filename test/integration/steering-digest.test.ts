import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, TestClock, type TestEnv } from '../helpers/deps.ts';
import { addUser, signupTenant } from '../helpers/http.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.ts';
import { insertComplaintRows, insertCustomers } from '../helpers/steering-data.ts';
import type { NewComplaint } from '../../src/db/types.ts';
import { runDueDigests, sendDigest } from '../../src/steering/digest.ts';

const MONDAY_0900 = new Date('2026-06-15T09:00:00+02:00');

let env: TestEnv;
let clock: TestClock;
let smtp: SmtpCapture;
let tenantId: string;
let managerEmail: string;
let adminEmail: string;
let quietTenantId: string;

function complaint(tenantId: string, customerId: string, ref: string, ackDueOn: string, answerDueOn: string, acknowledged: boolean): NewComplaint {
  return {
    id: randomUUID(), tenant_id: tenantId, reference: ref, customer_id: customerId, channel: 'email', kind: 'reclamation', cause: 'delai',
    subject: `Objet ${ref}`, description: 'Texte', sent_on: '2026-04-20', sent_on_source: 'sent', received_at: new Date('2026-04-21T10:00:00+02:00'),
    ack_due_on: ackDueOn, answer_due_on: answerDueOn, acknowledged_at: acknowledged ? new Date('2026-04-22T10:00:00+02:00') : null, tracking_token: randomUUID(),
  };
}

beforeAll(async () => {
  clock = new TestClock(new Date('2026-06-15T07:30:00+02:00'));
  env = await createTestEnv({ clock, workers: false });
  smtp = await startSmtpCapture();
  const t = await signupTenant(env.app, 'Cabinet Lundi');
  tenantId = t.tenant.id;
  adminEmail = t.email;
  const m = await addUser(env.app, t.client, 'manager');
  managerEmail = m.email;
  await addUser(env.app, t.client, 'agent');
  const channel = await t.client.post('/api/channels', {
    kind: 'email',
    name: 'Réclamations',
    config: {
      address: `reclamations.${randomUUID().slice(0, 6)}@cabinet-lundi.example`,
      imap: { host: '127.0.0.1', port: 9, tls: false, user: 'x' },
      smtp: { host: '127.0.0.1', port: smtp.port, secure: false, fromName: 'Cabinet Lundi' },
    },
    secrets: { imapPassword: 'x' },
  });
  expect(channel.statusCode, channel.body).toBe(201);
  const [c] = await insertCustomers(env.deps, tenantId, 1);
  await insertComplaintRows(env.deps, [
    complaint(tenantId, c!.id, 'LUN-DUE-ANSWER', '2026-05-05', '2026-06-18', true),
    complaint(tenantId, c!.id, 'LUN-LATE-ANSWER', '2026-05-05', '2026-06-10', true),
    complaint(tenantId, c!.id, 'LUN-LATER', '2026-05-05', '2026-07-20', true),
  ]);
  await t.client.post('/api/actions', { title: 'Relancer les experts', rootCause: 'Expertises lentes', ownerId: m.user.id, dueOn: '2026-06-19' });
  await t.client.post('/api/actions', { title: 'Action lointaine', rootCause: 'Autre', dueOn: '2026-09-01' });
  const quiet = await signupTenant(env.app, 'Cabinet Sans Boîte');
  quietTenantId = quiet.tenant.id;
});
afterAll(async () => {
  await smtp?.close();
  await env?.close();
});

describe('Monday digest', () => {
  it('waits for Monday 08:00 Paris time', async () => {
    expect(await runDueDigests(env.deps)).toEqual([]);
    expect(smtp.mails).toHaveLength(0);
  });

  it('sends each manager and admin (not agents) what is due, late, found and to do, once a week', async () => {
    clock.set(MONDAY_0900);
    const outcomes = await runDueDigests(env.deps);
    const mine = outcomes.find((o) => o.tenantId === tenantId)!;
    expect(mine.status).toBe('sent');
    expect(mine.digest.counts).toEqual({ dueThisWeek: 1, overdue: 1, newSignals: 0, actionsDue: 1 });
    const to = smtp.mails.flatMap((m) => m.envelope.to).sort();
    expect(to).toEqual([adminEmail, managerEmail].sort());
    const mail = smtp.mails[0]!.parsed;
    expect(mail.subject).toBe('Synthèse du lundi 15 juin 2026 : 1 échéance cette semaine, 1 en retard');
    expect(mail.text).toContain('LUN-DUE-ANSWER');
    expect(mail.text).toContain('réponse au plus tard le 18 juin 2026');
    expect(mail.text).toContain('LUN-LATE-ANSWER');
    expect(mail.text).not.toContain('LUN-LATER');
    expect(mail.text).toContain('Relancer les experts');
    expect(mail.text).not.toContain('Action lointaine');
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    // Without an email channel, the digest is recorded for the console.
    expect(outcomes.find((o) => o.tenantId === quietTenantId)!.status).toBe('no_channel');

    clock.set(new Date('2026-06-15T15:00:00+02:00'));
    const again = await runDueDigests(env.deps);
    expect(again.map((o) => o.status)).toEqual(['already_done', 'already_done']);
    expect(await sendDigest(env.deps, tenantId)).toMatchObject({ status: 'already_done' });
    expect(smtp.mails).toHaveLength(2);
    const rows = await env.deps.db.selectFrom('steering_digests').selectAll().where('tenant_id', '=', tenantId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ week: '2026-06-15', status: 'sent' });
    const events = await env.deps.db.selectFrom('events').selectAll().where('tenant_id', '=', tenantId).where('type', '=', 'digest.sent').execute();
    expect(events).toHaveLength(1);
  });

  it('sends again the next week, and retries a week that failed', async () => {
    clock.set(new Date('2026-06-22T08:00:00+02:00'));
    smtp.reject(451, 'Try again later', 1);
    expect((await sendDigest(env.deps, tenantId)).status).toBe('failed');
    expect((await sendDigest(env.deps, tenantId)).status).toBe('sent');
    expect(smtp.mails.length).toBe(4);
  });
});
