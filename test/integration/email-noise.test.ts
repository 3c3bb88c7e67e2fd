import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signupTenant } from '../helpers/http.ts';
import { submitForm } from '../helpers/inbound.ts';
import { startSmtpCapture, type SmtpCapture } from '../helpers/smtp.ts';
import { saveChannel } from '../../src/services/channels.ts';
import { acceptInbound, inboundOutcome } from '../../src/intake/journal.ts';
import { runAutoAcknowledgements } from '../../src/notify/customer-messages.ts';

/**
 * Loop and noise guard, end to end: our acknowledgement leaves by SMTP with its Message-ID; an out-of-office
 * answering it and a bounce reporting on it come back through the email connector. Neither opens a
 * complaint nor triggers an acknowledgement; the bounce marks our message failed, with the diagnostic.
 */
let env: TestEnv;
let smtp: SmtpCapture;
beforeAll(async () => {
  smtp = await startSmtpCapture();
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
  await smtp?.close();
});

/** A fixture whose Message-ID references point at `ours` instead of the fixture's own. */
function fixture(name: string, ours: string): Uint8Array {
  const raw = readFileSync(new URL(`../fixtures/email/${name}`, import.meta.url), 'latin1');
  return Buffer.from(raw.replaceAll('guichet.REC-2026-000123.ack.k3f9x@mail.example', ours), 'latin1');
}

describe('auto-replies and bounces', () => {
  it('never open a complaint nor trigger an acknowledgement; a bounce fails our message with its diagnostic', async () => {
    const t = await signupTenant(env.app, 'Cabinet Boucles');
    await saveChannel(env.deps, t.tenant.id, {
      kind: 'email',
      name: 'Réclamations',
      config: { address: 'reclamations@boucles.example', imap: { host: '127.0.0.1', user: 'r' }, smtp: { host: '127.0.0.1', port: smtp.port, secure: false } },
      secrets: {},
    }, { actorUserId: null });
    const r = await submitForm(env.deps, t.tenant.id, { name: 'Anne Morel', email: 'anne.morel@example.fr', description: 'Mon indemnisation après le dégât des eaux n’arrive pas, je relance pour la troisième fois.' });
    const complaintId = r.outcome.complaintId!;
    expect(await runAutoAcknowledgements(env.deps)).toBe(1);
    await env.deps.queue.drain();
    const ack = await env.deps.db.selectFrom('messages').selectAll().where('complaint_id', '=', complaintId).where('purpose', '=', 'ack').executeTakeFirstOrThrow();
    expect(ack.delivery_status).toBe('sent');
    const ourId = ack.external_id!;
    expect(ourId).toMatch(/^guichet\.REC-\d{4}-\d{6}\.ack\./);
    const complaintsBefore = await env.deps.db.selectFrom('complaints').select('id').where('tenant_id', '=', t.tenant.id).execute();

    for (const [name, externalId] of [['autoreply-exchange-fr.eml', 'a1b2c3d4e5f6@EXCH01.mairie-exemple.example'], ['bounce-postfix.eml', '20260303082100.4F2A81C0042@mx1.duval-assurances.example']] as const) {
      await acceptInbound(env.deps, { tenantId: t.tenant.id, channel: 'email', externalId, payload: fixture(name, ourId), contentType: 'message/rfc822' });
      await env.deps.queue.drain();
      const outcome = await inboundOutcome(env.deps, t.tenant.id, 'email', externalId);
      expect(outcome, name).toMatchObject({ status: 'ignored', complaintId, messageId: null });
      expect(outcome.reason, name).toMatch(name.startsWith('bounce') ? /non-distribution/ : /Réponse automatique/);
    }
    const after = await env.deps.db.selectFrom('messages').selectAll().where('id', '=', ack.id).executeTakeFirstOrThrow();
    expect(after.delivery_status).toBe('failed');
    expect(after.delivery_error).toBeTruthy();
    // Nothing new: no complaint, no message, and the loop guard sends nothing more.
    expect(await env.deps.db.selectFrom('complaints').select('id').where('tenant_id', '=', t.tenant.id).execute()).toHaveLength(complaintsBefore.length);
    const messages = await env.deps.db.selectFrom('messages').select(['direction', 'purpose']).where('complaint_id', '=', complaintId).execute();
    expect(messages.filter((m) => m.direction === 'inbound')).toHaveLength(1);
    expect(messages.filter((m) => m.direction === 'outbound')).toHaveLength(1);
    expect(await runAutoAcknowledgements(env.deps)).toBe(0);
    const events = (await env.deps.db.selectFrom('events').select('type').where('complaint_id', '=', complaintId).execute()).map((e) => e.type);
    expect(events).toEqual(expect.arrayContaining(['message.autoreply_received', 'message.delivery_failed']));
  });
});
