import { App, LogLevel, type Receiver, type ReceiverEvent } from '@slack/bolt';
import type { Deps } from '../../src/deps.ts';
import type { OpenChannel } from '../../src/services/channels.ts';
import { acceptInbound } from '../../src/intake/journal.ts';
import { fetchSlackProfile, slackClientOptions, slackLogger } from './client.ts';
import { COMPLAINT_COMMAND, COMPLAINT_MODAL_CALLBACK_ID, complaintModal, modalErrors, readModalValues, receivedModal } from './modal.ts';
import { buildSlackPayload, type SlackProfile } from './payload.ts';

/** Slack expects an answer within 3 s: users.info and views.open get at most this long each. */
const WEBHOOK_CALL_TIMEOUT_MS = 1500;
const PROFILE_TTL_MS = 10 * 60_000;
const PROFILE_CACHE_MAX = 2000;

/** Bolt needs a receiver: ours is the fastify route, which hands each verified request to processEvent. */
const routeReceiver: Receiver = {
  init: () => {},
  start: async () => undefined,
  stop: async () => undefined,
};

interface Workspace {
  app: App;
  /** Read by bolt's authorize on every request: a rotated token is used at once. */
  channel: OpenChannel<'slack'>;
}

/**
 * The Slack side of one api process: a bolt App per workspace (cached by team id) whose listeners answer
 * the `/reclamation` command (views.open with the complaint modal) and the modal's submission (journal,
 * then ack), plus a short-lived cache of users.info profiles.
 */
export class SlackConnector {
  private workspaces = new Map<string, Workspace>();
  private profiles = new Map<string, { profile: SlackProfile; at: number }>();

  constructor(private readonly deps: Deps) {}

  /** The bolt App of this workspace, built once, always with the channel's current credentials. */
  appFor(channel: OpenChannel<'slack'>): App {
    const teamId = channel.config.teamId;
    const known = this.workspaces.get(teamId);
    if (known && known.channel.tenantId === channel.tenantId) {
      known.channel = channel;
      return known.app;
    }
    const workspace = { channel } as Workspace;
    workspace.app = this.buildApp(workspace);
    this.workspaces.set(teamId, workspace);
    return workspace.app;
  }

  /** The sender's profile (cached ten minutes); null when Slack does not answer in time. */
  async profileOf(channel: OpenChannel<'slack'>, userId: string): Promise<SlackProfile | null> {
    const key = `${channel.config.teamId}:${userId}`;
    const now = Date.now();
    const cached = this.profiles.get(key);
    if (cached && now - cached.at < PROFILE_TTL_MS) return cached.profile;
    const token = channel.secrets.botToken;
    if (!token) return null;
    const profile = await fetchSlackProfile(this.appFor(channel).client, token, userId, this.deps.logger);
    if (profile) {
      if (this.profiles.size >= PROFILE_CACHE_MAX) this.profiles.clear();
      this.profiles.set(key, { profile, at: now });
    }
    return profile;
  }

  /**
   * Runs bolt's listeners on a verified request and resolves with what to answer Slack: the ack's
   * response as soon as a listener acknowledges (work after the ack goes on in the background), or
   * `unhandled` when no listener took the request. A listener failing before its ack rejects.
   */
  async dispatch(channel: OpenChannel<'slack'>, body: Record<string, unknown>, rawBody: string): Promise<{ acked: true; response: unknown } | { acked: false }> {
    const app = this.appFor(channel);
    const state: { response?: { value: unknown } } = {};
    let acknowledged!: () => void;
    const ack = new Promise<void>((resolve) => {
      acknowledged = resolve;
    });
    const event: ReceiverEvent = {
      body,
      customProperties: { rawBody },
      ack: async (response?: unknown) => {
        if (state.response) return;
        state.response = { value: response };
        acknowledged();
      },
    };
    const processing = app.processEvent(event);
    // Rejects when a listener fails before acknowledging; resolves at the ack or when bolt is done.
    await Promise.race([ack, processing]);
    if (!state.response) return { acked: false };
    processing.catch((err: unknown) => this.deps.logger.error({ err, teamId: channel.config.teamId }, 'slack listener failed after its ack'));
    return { acked: true, response: state.response.value };
  }

  private buildApp(workspace: Workspace): App {
    const deps = this.deps;
    const app = new App({
      receiver: routeReceiver,
      authorize: async () => ({ botToken: workspace.channel.secrets.botToken, teamId: workspace.channel.config.teamId }),
      clientOptions: slackClientOptions(deps, WEBHOOK_CALL_TIMEOUT_MS),
      logger: slackLogger(deps.logger),
      logLevel: LogLevel.WARN,
      convoStore: false,
    });

    app.command(COMPLAINT_COMMAND, async ({ ack, body, client }) => {
      await ack();
      const profile = await this.profileOf(workspace.channel, body.user_id);
      await client.views.open({ trigger_id: body.trigger_id, view: complaintModal({ name: profile?.realName, email: profile?.email }) });
      deps.logger.info({ tenantId: workspace.channel.tenantId, teamId: body.team_id }, 'slack: complaint modal opened');
    });

    app.view(COMPLAINT_MODAL_CALLBACK_ID, async ({ ack, body, view, context }) => {
      const errors = modalErrors(readModalValues(view.state));
      if (Object.keys(errors).length > 0) {
        await ack({ response_action: 'errors', errors });
        return;
      }
      const channel = workspace.channel;
      const profile = await this.profileOf(channel, body.user.id);
      const { payload, contentType } = buildSlackPayload({ source: 'interactions', body: String(context.rawBody), profile });
      // Journaled before the ack: once Slack closes the modal, the complaint cannot be lost.
      const accepted = await acceptInbound(deps, { tenantId: channel.tenantId, channel: 'slack', externalId: view.id, payload, contentType, receivedAt: deps.clock.now() });
      deps.logger.info({ tenantId: channel.tenantId, journalId: accepted.journalId, duplicate: accepted.duplicate, profile: profile !== null }, 'slack: complaint modal journaled');
      await ack({ response_action: 'update', view: receivedModal() });
    });

    return app;
  }
}
