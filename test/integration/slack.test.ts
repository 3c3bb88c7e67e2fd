import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { signupTenant, type TestClient } from '../helpers/http.ts';
import { BOT_ID, BOT_TOKEN, FakeSlackApi, messageEvent, SIGNING_SECRET, signedHeaders, slackTs, slashCommand, TEAM, viewSubmission } from '../helpers/slack.ts';
import { saveChannel } from '../../src/services/channels.ts';
import { acceptInbound, inboundOutcome } from '../../src/intake/journal.ts';
import { customerStatus } from '../../src/domain/customer-status.ts';
import { localDateOf } from '../../src/domain/calendar.ts';
import { getComplaint } from '../../src/db/repositories/complaints.ts';
import { listIdentities } from '../../src/db/repositories/customers.ts';
import { listComplaintMessages } from '../../src/db/repositories/messages.ts';

/**
 * The Slack connector end to end: signed webhooks (as Slack signs them) → journal → ingestion → complaint,
 * and back: status changes posted in the customer's thread through the real @slack/web-api client, against
 * a local fake of the Web API.
 */
let env: TestEnv;
let fake: FakeSlackApi;
let tenantId: string;
let admin: TestClient;
const OTHER_TEAM = 'T0AUTRECAB';
const OTHER_SECRET = 'autre-secret-de-signature-0123456789';
const EMAIL = 'jeanne.dupont@example.fr';

beforeAll(async () => {
  fake = await new FakeSlackApi()
    .on('users.info', (p) => ({
      body: { ok: true, user: { id: p.user, team_id: TEAM, real_name: 'Jeanne Dupont', profile: { email: p.user === 'U0CUSTOMER' ? 'Jeanne.Dupont@Example.fr' : `${String(p.user).toLowerCase()}@example.fr`, real_name: 'Jeanne Dupont', display_name: 'jeanne' } } },
    }))
    .on('views.open', (p) => ({ body: { ok: true, view: { id: 'V0OPENED', ...(p.view as object) } } }))
    .on('chat.postMessage', (p) => {
      if (p.channel === 'D0SUPPRIME') return { body: { ok: false, error: 'channel_not_found' } };
      // Rate-limited once, then accepted.
      if (p.channel === 'D0LIMITE' && fake.callsOf('chat.postMessage').length === 1) return { status: 429, headers: { 'retry-after': '1' }, body: { ok: false, error: 'ratelimited' } };
      return { body: { ok: true, channel: p.channel, ts: slackTs(), message: { text: p.text } } };
    })
    .start();
  env = await createTestEnv({ config: { slackApiUrl: fake.url } });
  const t = await signupTenant(env.app, 'Cabinet Slack');
  tenantId = t.tenant.id;
  admin = t.client;
  await saveChannel(env.deps, tenantId, { kind: 'slack', name: 'Slack du cabinet', config: { teamId: TEAM, teamName: 'Cabinet' }, secrets: { botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET } }, { actorUserId: null });
  const other = await signupTenant(env.app, 'Autre cabinet');
  await saveChannel(env.deps, other.tenant.id, { kind: 'slack', name: 'Slack', config: { teamId: OTHER_TEAM }, secrets: { botToken: 'xoxb-autre', signingSecret: OTHER_SECRET } }, { actorUserId: null });
});
afterAll(async () => {
  await env?.close();
  await fake?.stop();
});
beforeEach(() => {
  fake.calls.length = 0;
});

async function slackJournalRows(): Promise<number> {
  const row = await env.deps.db.selectFrom('inbound_journal').select((eb) => eb.fn.countAll<number>().as('n')).where('channel', '=', 'slack').executeTakeFirstOrThrow();
  return Number(row.n);
}

function postEvent(body: unknown, options: Parameters<typeof signedHeaders>[1] = {}) {
  const raw = JSON.stringify(body);
  return env.app.inject({ method: 'POST', url: '/webhooks/slack/events', payload: raw, headers: signedHeaders(raw, options) });
}

function postForm(url: string, raw: string, options: Parameters<typeof signedHeaders>[1] = {}) {
  return env.app.inject({ method: 'POST', url, payload: raw, headers: signedHeaders(raw, { contentType: 'application/x-www-form-urlencoded', ...options }) });
}

async function ingested(externalId: string) {
  await env.deps.queue.drain();
  return inboundOutcome(env.deps, tenantId, 'slack', externalId);
}

describe('Slack events webhook', () => {
  it('answers url_verification with the challenge, only when signed by a connected app', async () => {
    const body = { token: 'deprecated', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' };
    const ok = await postEvent(body);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ challenge: body.challenge });
    expect((await postEvent(body, { secret: OTHER_SECRET })).statusCode).toBe(200);
    expect((await postEvent(body, { secret: 'pas-le-bon-secret' })).statusCode).toBe(401);
  });

  it('turns a direct message into a complaint of a customer linked by Slack user and profile e-mail', async () => {
    const body = messageEvent({ channel: 'D0DMCHAN01', ts: slackTs() });
    const res = await postEvent(body);
    expect(res.statusCode, res.body).toBe(200);
    const outcome = await ingested(body.event_id);
    expect(outcome).toMatchObject({ status: 'processed', reference: expect.stringMatching(/^REC-\d{4}-\d{6}$/) });
    const info = fake.callsOf('users.info');
    expect(info).toHaveLength(1);
    expect(info[0]!.params.user).toBe('U0CUSTOMER');
    expect(info[0]!.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    const identities = await listIdentities(env.deps.db, tenantId, outcome.customerId!);
    expect(identities).toEqual(expect.arrayContaining([{ kind: 'email', value: EMAIL }, { kind: 'slack', value: `${TEAM}:U0CUSTOMER` }]));
    const complaint = await getComplaint(env.deps.db, tenantId, outcome.complaintId!);
    expect(complaint).toMatchObject({ channel: 'slack', description: body.event.text });

    // The same customer writing by e-mail from the address of their Slack profile is the same customer.
    const mime = [
      `From: Jeanne Dupont <${EMAIL}>`,
      'To: reclamations@cabinet.example',
      'Subject: Résiliation non prise en compte',
      'Date: Thu, 05 Mar 2026 09:00:00 +0100',
      'Message-ID: <resiliation.1@example.fr>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Bonjour, ma demande de résiliation de mon assurance habitation n’a pas été prise en compte.',
      '',
    ].join('\r\n');
    await acceptInbound(env.deps, { tenantId, channel: 'email', externalId: 'resiliation.1@example.fr', payload: new TextEncoder().encode(mime), contentType: 'message/rfc822' });
    await env.deps.queue.drain();
    const byEmail = await inboundOutcome(env.deps, tenantId, 'email', 'resiliation.1@example.fr');
    expect(byEmail.status).toBe('processed');
    expect(byEmail.customerId).toBe(outcome.customerId);
  });

  it('joins a reply in the thread to the same complaint, and journals a retried event once', async () => {
    const rootTs = slackTs();
    const first = messageEvent({ channel: 'D0DMCHAN02', user: 'U0PAUL', ts: rootTs, text: 'Mon véhicule est immobilisé depuis trois semaines et l’expert n’est jamais venu.' });
    expect((await postEvent(first)).statusCode).toBe(200);
    const opened = await ingested(first.event_id);
    expect(opened.status).toBe('processed');

    const reply = messageEvent({ channel: 'D0DMCHAN02', user: 'U0PAUL', ts: slackTs(), threadTs: rootTs, text: 'Je précise : sinistre n° 2026-889.' });
    const before = await slackJournalRows();
    for (const retryNum of [undefined, 1, 2]) {
      const res = await postEvent(reply, retryNum === undefined ? {} : { retryNum });
      expect(res.statusCode).toBe(200);
    }
    expect(await slackJournalRows()).toBe(before + 1);
    const joined = await ingested(reply.event_id);
    expect(joined).toMatchObject({ status: 'processed', complaintId: opened.complaintId });
    const messages = await listComplaintMessages(env.deps.db, tenantId, opened.complaintId!);
    expect(messages.filter((m) => m.external_id === reply.event_id)).toHaveLength(1);
    expect(messages.map((m) => m.conversation_key)).toEqual([`slack:${TEAM}:D0DMCHAN02:${rootTs}`, `slack:${TEAM}:D0DMCHAN02:${rootTs}`]);
  });

  it('refuses unsigned, wrongly signed, stale and foreign-signed events, storing nothing', async () => {
    const body = messageEvent();
    const raw = JSON.stringify(body);
    const before = await slackJournalRows();
    const now = Math.floor(Date.now() / 1000);
    const attempts = [
      env.app.inject({ method: 'POST', url: '/webhooks/slack/events', payload: raw, headers: { 'content-type': 'application/json' } }),
      postEvent(body, { secret: 'pas-le-bon-secret' }),
      postEvent(body, { timestamp: now - 6 * 60 }),
      postEvent(body, { timestamp: now + 6 * 60 }),
      // Signed by another tenant's Slack app: it cannot speak for this workspace.
      postEvent(body, { secret: OTHER_SECRET }),
      // A body changed after signing (the signature covers the raw bytes).
      env.app.inject({ method: 'POST', url: '/webhooks/slack/events', payload: raw.replace('remboursement', 'rembourcement'), headers: signedHeaders(raw) }),
      postEvent(messageEvent({ team: 'T0INCONNU1' })),
    ];
    for (const res of await Promise.all(attempts)) expect(res.statusCode, res.body).toBe(401);
    expect(await slackJournalRows()).toBe(before);
    expect(fake.calls).toEqual([]);
  });

  it('follows a mention in a channel and the replies in its thread, even without a new mention', async () => {
    const rootTs = slackTs();
    const mention = messageEvent({ type: 'app_mention', channel: 'C0ACCUEIL', user: 'U0NINA', ts: rootTs, text: '<@U0BOTGUICH> mon contrat habitation a été résilié sans préavis.' });
    expect((await postEvent(mention)).statusCode).toBe(200);
    const opened = await ingested(mention.event_id);
    expect(opened.status).toBe('processed');
    const complaint = await getComplaint(env.deps.db, tenantId, opened.complaintId!);
    expect(complaint!.description).toBe('mon contrat habitation a été résilié sans préavis.');
    const reply = messageEvent({ channel: 'C0ACCUEIL', channelType: 'channel', user: 'U0NINA', ts: slackTs(), threadTs: rootTs, text: 'Le courrier de résiliation est daté du 3 mars.' });
    expect((await postEvent(reply)).statusCode).toBe(200);
    expect(await ingested(reply.event_id)).toMatchObject({ status: 'processed', complaintId: opened.complaintId });
  });

  it('answers 200 to bot messages, edits and chatter outside a followed thread, journaling nothing', async () => {
    const before = await slackJournalRows();
    const ignored = [
      messageEvent({ botId: BOT_ID, subtype: 'bot_message' }),
      messageEvent({ botId: BOT_ID }),
      messageEvent({ subtype: 'message_changed' }),
      messageEvent({ channel: 'C0GENERAL', channelType: 'channel' }),
      messageEvent({ channel: 'C0GENERAL', channelType: 'channel', threadTs: slackTs() }),
    ];
    for (const body of ignored) expect((await postEvent(body)).statusCode).toBe(200);
    expect(await slackJournalRows()).toBe(before);
  });

  it('routes Slack webhooks as public, signature-protected routes without CSRF', () => {
    const routes = env.app.routeCatalog.filter((r) => r.url.startsWith('/webhooks/slack/'));
    expect(routes.map((r) => `${r.method} ${r.url}`).sort()).toEqual(['POST /webhooks/slack/commands', 'POST /webhooks/slack/events', 'POST /webhooks/slack/interactions']);
    expect(routes.every((r) => r.auth === 'public' && r.csrf === false)).toBe(true);
  });
});

describe('Slack /reclamation command and modal', () => {
  it('opens the modal with the web form’s fields, pre-filled from the Slack profile', async () => {
    const raw = slashCommand({ triggerId: '13345224609.738474920.8088930838d88f008e0' });
    const res = await postForm('/webhooks/slack/commands', raw);
    expect(res.statusCode, res.body).toBe(200);
    const [open] = await fake.waitFor('views.open');
    expect(open!.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(open!.params.trigger_id).toBe('13345224609.738474920.8088930838d88f008e0');
    const view = open!.params.view as { callback_id: string; blocks: { type: string; block_id?: string; label?: { text: string }; element?: { initial_value?: string } }[] };
    expect(view.callback_id).toBe('guichet_reclamation');
    const inputs = view.blocks.filter((b) => b.type === 'input');
    expect(inputs.map((b) => [b.block_id, b.label!.text])).toEqual([
      ['nom', 'Nom et prénom'],
      ['email', 'Adresse e-mail'],
      ['telephone', 'Numéro de téléphone'],
      ['type', 'Vous êtes'],
      ['contrat', 'Numéro de contrat ou de dossier'],
      ['nature', 'Nature de la réclamation, en quelques mots'],
      ['description', 'Description de votre réclamation'],
    ]);
    expect(inputs.find((b) => b.block_id === 'email')!.element!.initial_value).toBe('Jeanne.Dupont@Example.fr');
    expect((await postForm('/webhooks/slack/commands', raw, { secret: 'faux' })).statusCode).toBe(401);
  });

  it('journals the submitted modal as a complaint with the declared fields, then closes it with a receipt', async () => {
    const values = {
      nom: 'Marc Lefèvre',
      email: 'marc.lefevre@example.fr',
      telephone: '06 98 76 54 32',
      type: 'client',
      contrat: 'AUTO-2025-7781',
      nature: 'Franchise contestée',
      description: 'Après mon accident, la franchise appliquée ne correspond pas à mon contrat.',
    };
    const bad = viewSubmission({ ...values, email: 'pas-une-adresse' }, { user: 'U0MARC' });
    const before = await slackJournalRows();
    const refused = await postForm('/webhooks/slack/interactions', bad.body);
    expect(refused.statusCode).toBe(200);
    expect(refused.json()).toEqual({ response_action: 'errors', errors: { email: expect.stringContaining('n’est pas valide') } });
    expect(await slackJournalRows()).toBe(before);

    const { viewId, body } = viewSubmission(values, { user: 'U0MARC' });
    const res = await postForm('/webhooks/slack/interactions', body);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ response_action: 'update', view: { type: 'modal' } });
    const outcome = await ingested(viewId);
    expect(outcome.status).toBe('processed');
    const complaint = await getComplaint(env.deps.db, tenantId, outcome.complaintId!);
    expect(complaint).toMatchObject({ channel: 'slack', nature: 'Franchise contestée', contract_number: 'AUTO20257781', description: values.description });
    const [message] = await listComplaintMessages(env.deps.db, tenantId, complaint!.id);
    expect(message!.meta.declared).toEqual({ nature: 'Franchise contestée', complainantType: 'client', email: 'marc.lefevre@example.fr', phone: '06 98 76 54 32' });
    // Linked by the e-mail Slack vouches for (users.info) and the Slack user, not by what was typed.
    const identities = await listIdentities(env.deps.db, tenantId, outcome.customerId!);
    expect(identities).toEqual(expect.arrayContaining([{ kind: 'email', value: 'u0marc@example.fr' }, { kind: 'slack', value: `${TEAM}:U0MARC` }]));
    expect(identities.some((i) => i.value === 'marc.lefevre@example.fr')).toBe(false);
  });
});

describe('Slack outbound', () => {
  async function complaintFromThread(channel: string, user: string) {
    const rootTs = slackTs();
    const body = messageEvent({ channel, user, ts: rootTs, text: `Réclamation ${user} : mon indemnisation n’est toujours pas versée.` });
    expect((await postEvent(body)).statusCode).toBe(200);
    const outcome = await ingested(body.event_id);
    expect(outcome.status).toBe('processed');
    return { rootTs, complaintId: outcome.complaintId! };
  }

  it('posts a status change in the customer’s thread, in the tracking page’s words', async () => {
    const { rootTs, complaintId } = await complaintFromThread('D0DMCHAN03', 'U0LUCIE');
    const res = await admin.post(`/api/complaints/${complaintId}/status`, { status: 'en_cours' });
    expect(res.statusCode, res.body).toBe(200);
    await env.deps.queue.drain();
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(post!.params.channel).toBe('D0DMCHAN03');
    expect(post!.params.thread_ts).toBe(rootTs);
    const complaint = (await getComplaint(env.deps.db, tenantId, complaintId))!;
    const status = customerStatus({
      status: 'en_cours',
      reference: complaint.reference,
      receivedOn: localDateOf(complaint.received_at),
      answerDueOn: complaint.answer_due_on,
      acknowledged: complaint.acknowledged_at !== null,
      outcome: null,
      today: localDateOf(new Date()),
    });
    expect(post!.params.text).toBe(`${status.headline}\n${status.detail}\nSuivi : ${env.deps.config.publicUrl}/suivi/${complaint.tracking_token}`);
    const tracking = await env.app.inject({ method: 'GET', url: `/suivi/${complaint.tracking_token}` });
    expect(tracking.body).toContain(status.headline);
    expect(tracking.body).toContain(status.detail);
    const outbound = (await listComplaintMessages(env.deps.db, tenantId, complaintId)).find((m) => m.direction === 'outbound')!;
    expect(outbound).toMatchObject({ channel: 'slack', recipient: `D0DMCHAN03:${rootTs}`, purpose: 'status', delivery_status: 'sent', conversation_key: `slack:${TEAM}:D0DMCHAN03:${rootTs}` });
    expect(outbound.external_id).toMatch(/^\d+\.\d+$/);
  });

  it('writes to the modal’s author in a direct message', async () => {
    const { viewId, body } = viewSubmission({ nom: 'Inès Roux', description: 'Mon attestation d’assurance ne m’a jamais été envoyée.' }, { user: 'U0INES' });
    expect((await postForm('/webhooks/slack/interactions', body)).statusCode).toBe(200);
    const { complaintId } = await ingested(viewId);
    expect((await admin.post(`/api/complaints/${complaintId}/status`, { status: 'en_cours' })).statusCode).toBe(200);
    await env.deps.queue.drain();
    const [post] = await fake.waitFor('chat.postMessage');
    expect(post!.params.channel).toBe('U0INES');
    expect(post!.params.thread_ts).toBeUndefined();
  });

  it('retries a rate-limited post and sends it on the next attempt', async () => {
    const { complaintId } = await complaintFromThread('D0LIMITE', 'U0HUGO');
    expect((await admin.post(`/api/complaints/${complaintId}/status`, { status: 'en_cours' })).statusCode).toBe(200);
    await fake.waitFor('chat.postMessage', 2, 15_000);
    await env.deps.queue.drain();
    const outbound = (await listComplaintMessages(env.deps.db, tenantId, complaintId)).find((m) => m.direction === 'outbound')!;
    expect(outbound).toMatchObject({ delivery_status: 'sent', delivery_attempts: 2, delivery_error: null });
  });

  it('marks the message failed with Slack’s reason when the conversation is gone', async () => {
    const { complaintId } = await complaintFromThread('D0SUPPRIME', 'U0THEO');
    expect((await admin.post(`/api/complaints/${complaintId}/status`, { status: 'en_cours' })).statusCode).toBe(200);
    await env.deps.queue.drain();
    await fake.waitFor('chat.postMessage');
    const outbound = (await listComplaintMessages(env.deps.db, tenantId, complaintId)).find((m) => m.direction === 'outbound')!;
    expect(outbound.delivery_status).toBe('failed');
    expect(outbound.delivery_error).toContain('channel_not_found');
    expect(outbound.delivery_attempts).toBe(1);
  });
});
