import { describe, expect, it } from 'vitest';
import { inboundMessageSchema, MappingError } from '../../src/intake/contract.ts';
import { mapSlack, slackTextToPlain, slackTsToDate, triageSlackEvent } from './mapper.ts';
import { buildSlackPayload, type SlackProfile } from './payload.ts';
import { complaintModal, modalErrors, readModalValues } from './modal.ts';
import { BOT_ID, BOT_USER, messageEvent, TEAM, viewSubmission } from '../../test/helpers/slack.ts';

const TENANT = '00000000-0000-4000-8000-000000000001';
const PROFILE: SlackProfile = { email: 'Jeanne.Dupont@Example.fr', realName: 'Jeanne Dupont', displayName: 'jeanne' };

function rawEvent(body: ReturnType<typeof messageEvent>, profile: SlackProfile | null = PROFILE) {
  const { payload, contentType } = buildSlackPayload({ source: 'events', body: JSON.stringify(body), profile });
  return { tenantId: TENANT, channel: 'slack' as const, externalId: body.event_id, payload, contentType, receivedAt: new Date('2026-03-05T10:00:00Z') };
}

function mapped(body: ReturnType<typeof messageEvent>, profile: SlackProfile | null = PROFILE) {
  return inboundMessageSchema.parse(mapSlack(rawEvent(body, profile)));
}

describe('Slack event triage', () => {
  it('takes a direct message, a mention in a channel and a reply in a channel thread (the last only for a known conversation)', () => {
    const dm = triageSlackEvent(messageEvent({ channel: 'D0DM', ts: '1712345678.000100' }));
    expect(dm).toMatchObject({ accept: true, teamId: TEAM, userId: 'U0CUSTOMER', conversationKey: `slack:${TEAM}:D0DM:1712345678.000100`, needsKnownConversation: false });
    const dmReply = triageSlackEvent(messageEvent({ channel: 'D0DM', ts: '1712345999.000200', threadTs: '1712345678.000100' }));
    expect(dmReply).toMatchObject({ accept: true, conversationKey: `slack:${TEAM}:D0DM:1712345678.000100` });
    const mention = triageSlackEvent(messageEvent({ type: 'app_mention', channel: 'C0GENERAL', text: `<@${BOT_USER}> j’ai une réclamation` }));
    expect(mention).toMatchObject({ accept: true, needsKnownConversation: false });
    const threadReply = triageSlackEvent(messageEvent({ channel: 'C0GENERAL', channelType: 'channel', ts: '1712346000.000300', threadTs: '1712345678.000100' }));
    expect(threadReply).toMatchObject({ accept: true, needsKnownConversation: true, conversationKey: `slack:${TEAM}:C0GENERAL:1712345678.000100` });
  });

  it('ignores bots (ours included), edits, deletions, joins, plain channel chatter and duplicates of a mention', () => {
    const refused = [
      messageEvent({ botId: BOT_ID, subtype: 'bot_message' }),
      messageEvent({ botId: BOT_ID }),
      messageEvent({ user: BOT_USER }),
      messageEvent({ subtype: 'message_changed' }),
      messageEvent({ subtype: 'message_deleted' }),
      messageEvent({ subtype: 'channel_join', channelType: 'channel', channel: 'C0GENERAL' }),
      messageEvent({ channelType: 'channel', channel: 'C0GENERAL' }),
      messageEvent({ channelType: 'channel', channel: 'C0GENERAL', threadTs: '1712345678.000100', text: `<@${BOT_USER}> encore moi` }),
      messageEvent({ type: 'app_mention', channel: 'D0DM' }),
      messageEvent({ text: '   ' }),
      { type: 'url_verification', challenge: 'x' },
      { ...messageEvent(), event: { type: 'reaction_added', user: 'U1', ts: '1.1', channel: 'D1' } },
    ];
    for (const body of refused) expect(triageSlackEvent(body).accept, JSON.stringify(body).slice(0, 200)).toBe(false);
    // A shared file with a comment is a person writing.
    expect(triageSlackEvent(messageEvent({ subtype: 'file_share', files: [{ name: 'devis.pdf', mimetype: 'application/pdf', size: 1200 }] })).accept).toBe(true);
  });
});

describe('Slack mapper', () => {
  it('maps a direct message: event id, thread key, Slack user, verified profile e-mail, plain text, date', () => {
    const body = messageEvent({ channel: 'D0DM', ts: '1712345678.000100', text: 'Bonjour &amp; merci : le devis &lt;n° 42&gt; était <https://exemple.fr/devis|accepté>, voir <mailto:a@b.fr|a@b.fr>.' });
    const m = mapped(body);
    expect(m.channel).toBe('slack');
    expect(m.externalId).toBe(body.event_id);
    expect(m.thread.conversationKey).toBe(`slack:${TEAM}:D0DM:1712345678.000100`);
    expect(m.sender).toEqual({ name: 'Jeanne Dupont', email: 'jeanne.dupont@example.fr', phone: null, slackUser: `${TEAM}:U0CUSTOMER` });
    expect(m.text).toBe('Bonjour & merci : le devis <n° 42> était accepté (https://exemple.fr/devis), voir a@b.fr.');
    expect(m.sentAt?.toISOString()).toBe('2024-04-05T19:34:38.000Z');
    expect(m.receivedAt.toISOString()).toBe('2026-03-05T10:00:00.000Z');
  });

  it('keeps the thread of a reply and removes the app’s own mention', () => {
    const m = mapped(messageEvent({ type: 'app_mention', channel: 'C0GENERAL', ts: '1712349999.000900', threadTs: '1712345678.000100', text: `<@${BOT_USER}> et <@U0COLLEGUE|paul> peut confirmer` }));
    expect(m.thread.conversationKey).toBe(`slack:${TEAM}:C0GENERAL:1712345678.000100`);
    expect(m.text).toBe('et @paul peut confirmer');
  });

  it('journals without a profile when Slack did not give one: no e-mail, no name', () => {
    const m = mapped(messageEvent(), null);
    expect(m.sender).toMatchObject({ name: null, email: null, slackUser: `${TEAM}:U0CUSTOMER` });
  });

  it('records shared files as not imported, with the reason', () => {
    const m = mapped(messageEvent({ subtype: 'file_share', text: '', files: [{ name: 'refus.pdf', mimetype: 'application/pdf', size: 5120 }] }));
    expect(m.text).toBe('Fichier(s) envoyé(s) sur Slack : refus.pdf');
    expect(m.attachments).toEqual([]);
    expect(m.refusedAttachments).toEqual([{ filename: 'refus.pdf', contentType: 'application/pdf', sizeBytes: 5120, reason: expect.stringContaining('Slack') }]);
  });

  it('quarantines what it cannot read, with a French reason', () => {
    const body = messageEvent();
    const wrongId = { ...rawEvent(body), externalId: 'Ev0AUTRE' };
    expect(() => mapSlack(wrongId)).toThrow(MappingError);
    expect(() => mapSlack({ ...rawEvent(body), contentType: 'application/json' })).toThrow(/Type de contenu inattendu/);
    expect(() => mapSlack({ ...rawEvent(body), payload: new TextEncoder().encode('{"v":1') })).toThrow(/illisible/);
    expect(() => mapSlack(rawEvent(messageEvent({ subtype: 'message_changed' })))).toThrow(/pas un message de client/);
  });

  it('maps the modal submission to a complaint with the declared fields, linking only the verified e-mail', () => {
    const { viewId, body } = viewSubmission({
      nom: 'Jeanne Dupont',
      email: 'jeanne.autre@example.fr',
      telephone: '06 12 34 56 78',
      type: 'client',
      contrat: 'SAN-2024-0042',
      nature: 'Remboursement dentaire refusé',
      description: 'Ma mutuelle refuse de rembourser ma couronne dentaire.',
    });
    const { payload, contentType } = buildSlackPayload({ source: 'interactions', body, profile: PROFILE });
    const m = inboundMessageSchema.parse(mapSlack({ tenantId: TENANT, channel: 'slack', externalId: viewId, payload, contentType, receivedAt: new Date('2026-03-05T10:00:00Z') }));
    expect(m.externalId).toBe(viewId);
    expect(m.thread.conversationKey).toBeNull();
    expect(m.sender).toEqual({ name: 'Jeanne Dupont', email: 'jeanne.dupont@example.fr', phone: null, slackUser: `${TEAM}:U0CUSTOMER` });
    expect(m.declared).toEqual({ nature: 'Remboursement dentaire refusé', complainantType: 'client', email: 'jeanne.autre@example.fr', phone: '06 12 34 56 78' });
    expect(m.contractNumbers).toEqual(['SAN-2024-0042']);
    expect(m.subject).toBe('Remboursement dentaire refusé');
    expect(m.text).toBe('Ma mutuelle refuse de rembourser ma couronne dentaire.');
    const other = viewSubmission({ description: 'x' }, { callbackId: 'autre_chose' });
    const wrong = buildSlackPayload({ source: 'interactions', body: other.body, profile: null });
    expect(() => mapSlack({ tenantId: TENANT, channel: 'slack', externalId: other.viewId, ...wrong, receivedAt: new Date() })).toThrow(/Formulaire Slack inconnu/);
  });
});

describe('Slack helpers', () => {
  it('reads Slack timestamps and plain text edge cases', () => {
    expect(slackTsToDate('1712345678.000100')?.getTime()).toBe(1712345678000);
    expect(slackTsToDate('1712345678.500000')?.getTime()).toBe(1712345678500);
    expect(slackTsToDate('abc')).toBeNull();
    expect(slackTextToPlain('<!here> <#C1|general> <https://x.fr>')).toBe('@here #general https://x.fr');
  });

  it('builds the modal with the web form’s fields and checks a submission like the form does', () => {
    const view = complaintModal({ name: 'Jeanne Dupont', email: 'jeanne.dupont@example.fr' });
    const labels = (view.blocks ?? []).filter((b) => b.type === 'input').map((b) => (b as { label: { text: string } }).label.text);
    expect(labels).toEqual([
      'Nom et prénom',
      'Adresse e-mail',
      'Numéro de téléphone',
      'Vous êtes',
      'Numéro de contrat ou de dossier',
      'Nature de la réclamation, en quelques mots',
      'Description de votre réclamation',
    ]);
    expect(JSON.stringify(view)).toContain('"initial_value":"jeanne.dupont@example.fr"');
    const values = readModalValues({ values: { nom: { valeur: { value: '  ' } }, email: { valeur: { value: 'pas-une-adresse' } }, contrat: { valeur: { value: '12' } } } });
    expect(Object.keys(modalErrors(values)).sort()).toEqual(['contrat', 'description', 'email', 'nom']);
  });
});
