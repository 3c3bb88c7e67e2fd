import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { sampleComplaint, signupTenant } from '../helpers/http.ts';
import { enqueueDelivery, queueOutbound, type OutboundDraft } from '../../src/notify/outbound.ts';
import { deliverMessage } from '../../src/notify/dispatch.ts';
import { setOptOut } from '../../src/db/repositories/channels.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

async function complaintOf(name: string) {
  const t = await signupTenant(env.app, name);
  const c = (await t.client.post('/api/complaints', sampleComplaint())).json();
  return { t, c };
}

function draft(tenantId: string, complaintId: string, over: Partial<OutboundDraft> = {}): OutboundDraft {
  return {
    tenantId,
    complaintId,
    customerId: null,
    channel: 'sms',
    recipient: '+33612345678',
    subject: null,
    text: 'Votre réclamation est en cours de traitement.',
    purpose: 'status',
    automatic: true,
    authorUserId: null,
    ...over,
  };
}

const queue = (d: OutboundDraft, automaticPerHour?: number) =>
  env.deps.db.transaction().execute((trx) => queueOutbound(env.deps, trx, d, { now: env.deps.clock.now(), ...(automaticPerHour !== undefined ? { automaticPerHour } : {}) }));

describe('outbound messages', () => {
  it('suppresses, with the reason, what goes to a recipient who said STOP on that channel only', async () => {
    const { t, c } = await complaintOf('Cabinet Stop');
    await setOptOut(env.deps.db, t.tenant.id, 'sms', '+33612345678', true, new Date());
    const sms = await queue(draft(t.tenant.id, c.id));
    expect(sms.delivery_status).toBe('suppressed');
    expect(sms.delivery_error).toMatch(/STOP/);
    const email = await queue(draft(t.tenant.id, c.id, { channel: 'email', recipient: 'client@example.fr' }));
    expect(email.delivery_status).toBe('queued');
    // Visible in the complaint's timeline with the reason.
    const detail = (await t.client.get(`/api/complaints/${c.id}`)).json();
    const shown = detail.messages.find((m: { id: string }) => m.id === sms.id);
    expect(shown?.delivery).toMatchObject({ status: 'suppressed', error: expect.stringMatching(/STOP/) });
  });

  it('stops automatic messages to one recipient beyond the hourly limit, never an agent’s own reply', async () => {
    const { t, c } = await complaintOf('Cabinet Boucle');
    const statuses: string[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await queue(draft(t.tenant.id, c.id, { recipient: '+33611111111' }), 2)).delivery_status!);
    expect(statuses).toEqual(['queued', 'queued', 'suppressed']);
    const reply = await queue(draft(t.tenant.id, c.id, { recipient: '+33611111111', automatic: false, purpose: 'reply' }), 2);
    expect(reply.delivery_status).toBe('queued');
  });

  it('marks a message failed, with the reason and an event, when no connector can send on its channel', async () => {
    const { t, c } = await complaintOf('Cabinet Fax');
    const m = await queue(draft(t.tenant.id, c.id, { channel: 'fax' as OutboundDraft['channel'], automatic: false }));
    expect(await deliverMessage(env.deps, t.tenant.id, m.id)).toBe('failed');
    const row = await env.deps.db.selectFrom('messages').selectAll().where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ delivery_status: 'failed', delivery_attempts: 1 });
    expect(row.delivery_error).toMatch(/Aucun connecteur/);
    const events = await env.deps.db.selectFrom('events').select('type').where('complaint_id', '=', c.id).execute();
    expect(events.map((e) => e.type)).toContain('message.delivery_failed');
    // A message that is no longer queued is never sent again.
    expect(await deliverMessage(env.deps, t.tenant.id, m.id)).toBe('failed');
    await enqueueDelivery(env.deps, row);
  });
});
