import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Slack as the tests see it: payloads shaped like the documented ones (Events API, slash commands,
 * interactions), signed as Slack signs them (v0 HMAC-SHA256 of `v0:<timestamp>:<raw body>`), and a fake
 * Web API server recording the calls the real @slack/web-api client makes.
 */
export const TEAM = 'T0GUICHET1';
export const BOT_USER = 'U0BOTGUICH';
export const BOT_ID = 'B0BOTGUICH';
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const BOT_TOKEN = 'xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy';

let seq = 0;
/** A Slack-like timestamp, unique and increasing within the test run. */
export function slackTs(at: Date = new Date()): string {
  return `${Math.floor(at.getTime() / 1000)}.${String(++seq).padStart(6, '0')}`;
}
export function eventId(): string {
  return `Ev0${Date.now().toString(36).toUpperCase()}${String(++seq).padStart(4, '0')}`;
}

/** The `X-Slack-Signature` of a body at a timestamp (seconds). */
export function slackSignature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(body: string, options: { secret?: string; timestamp?: number; contentType?: string; retryNum?: number } = {}) {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'content-type': options.contentType ?? 'application/json',
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(options.secret ?? SIGNING_SECRET, timestamp, body),
    ...(options.retryNum !== undefined ? { 'x-slack-retry-num': String(options.retryNum), 'x-slack-retry-reason': 'http_timeout' } : {}),
  };
}

export interface MessageEventOptions {
  team?: string;
  user?: string;
  text?: string;
  channel?: string;
  channelType?: 'im' | 'channel' | 'group' | 'mpim';
  ts?: string;
  threadTs?: string;
  eventId?: string;
  subtype?: string;
  botId?: string;
  type?: 'message' | 'app_mention';
  files?: { name: string; mimetype: string; size: number }[];
}

/** An Events API `event_callback` carrying a `message` (or `app_mention`) event, as Slack sends it. */
export function messageEvent(o: MessageEventOptions = {}) {
  const team = o.team ?? TEAM;
  const ts = o.ts ?? slackTs();
  const type = o.type ?? 'message';
  const event: Record<string, unknown> = {
    type,
    ...(o.subtype ? { subtype: o.subtype } : {}),
    ...(o.botId ? { bot_id: o.botId } : { user: o.user ?? 'U0CUSTOMER' }),
    text: o.text ?? 'Bonjour, mon remboursement de soins dentaires est refusé alors que le devis était accepté.',
    ts,
    ...(o.threadTs ? { thread_ts: o.threadTs } : {}),
    team,
    channel: o.channel ?? 'D0DMCHAN01',
    event_ts: ts,
    ...(type === 'message' ? { channel_type: o.channelType ?? 'im' } : {}),
    ...(o.files ? { files: o.files.map((f, i) => ({ id: `F0FILE${i}`, ...f, title: f.name })) } : {}),
    blocks: [],
  };
  return {
    token: 'deprecated-verification-token',
    team_id: team,
    api_app_id: 'A0GUICHET1',
    event,
    type: 'event_callback',
    event_id: o.eventId ?? eventId(),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [{ enterprise_id: null, team_id: team, user_id: BOT_USER, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
    event_context: '4-eyJldCI6Im1lc3NhZ2UifQ',
  };
}

/** A slash command as Slack posts it (form-encoded). */
export function slashCommand(o: { team?: string; user?: string; channel?: string; command?: string; triggerId?: string } = {}): string {
  return new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: o.team ?? TEAM,
    team_domain: 'cabinet-exemple',
    channel_id: o.channel ?? 'D0DMCHAN01',
    channel_name: 'directmessage',
    user_id: o.user ?? 'U0CUSTOMER',
    user_name: 'jeanne.dupont',
    command: o.command ?? '/reclamation',
    text: '',
    api_app_id: 'A0GUICHET1',
    is_enterprise_install: 'false',
    response_url: 'https://hooks.slack.com/commands/T0GUICHET1/1/abc',
    trigger_id: o.triggerId ?? `${Date.now()}.1234.${++seq}`,
  }).toString();
}

/** The `view_submission` of the complaint modal, form-encoded as `payload=<json>`. */
export function viewSubmission(values: Record<string, string>, o: { team?: string; user?: string; viewId?: string; callbackId?: string } = {}) {
  const team = o.team ?? TEAM;
  const viewId = o.viewId ?? `V0${Date.now().toString(36).toUpperCase()}${++seq}`;
  const state: Record<string, Record<string, unknown>> = {};
  for (const [block, value] of Object.entries(values)) {
    state[block] = { valeur: block === 'type' ? { type: 'static_select', selected_option: { value, text: { type: 'plain_text', text: value } } } : { type: 'plain_text_input', value } };
  }
  const payload = {
    type: 'view_submission',
    team: { id: team, domain: 'cabinet-exemple' },
    user: { id: o.user ?? 'U0CUSTOMER', username: 'jeanne.dupont', name: 'jeanne.dupont', team_id: team },
    api_app_id: 'A0GUICHET1',
    token: 'deprecated-verification-token',
    trigger_id: `${Date.now()}.5678.${++seq}`,
    view: {
      id: viewId,
      team_id: team,
      type: 'modal',
      callback_id: o.callbackId ?? 'guichet_reclamation',
      private_metadata: '',
      state: { values: state },
      hash: '1712345678.abcdef',
      title: { type: 'plain_text', text: 'Déposer une réclamation' },
      blocks: [],
    },
    response_urls: [],
    is_enterprise_install: false,
  };
  return { viewId, body: new URLSearchParams({ payload: JSON.stringify(payload) }).toString() };
}

export interface FakeCall {
  method: string;
  authorization: string | undefined;
  params: Record<string, unknown>;
}

/**
 * A local stand-in for https://slack.com/api/: records every call (method, bearer token, parameters as
 * the client sent them, JSON or form-encoded) and answers from per-method handlers.
 */
export class FakeSlackApi {
  readonly calls: FakeCall[] = [];
  private server = http.createServer((req, res) => void this.handle(req, res));
  private handlers = new Map<string, (params: Record<string, unknown>) => { status?: number; body: Record<string, unknown>; headers?: Record<string, string> }>();
  url = '';

  on(method: string, handler: (params: Record<string, unknown>) => { status?: number; body: Record<string, unknown>; headers?: Record<string, string> }): this {
    this.handlers.set(method, handler);
    return this;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  callsOf(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Waits until `method` was called `count` times (calls made after the HTTP answer, e.g. views.open). */
  async waitFor(method: string, count = 1, timeoutMs = 5000): Promise<FakeCall[]> {
    const until = Date.now() + timeoutMs;
    while (this.callsOf(method).length < count) {
      if (Date.now() > until) throw new Error(`${method} called ${this.callsOf(method).length} time(s), expected ${count}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.callsOf(method);
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    let params: Record<string, unknown> = {};
    if ((req.headers['content-type'] ?? '').includes('application/json')) params = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    else {
      for (const [k, v] of new URLSearchParams(raw)) {
        // The client form-encodes objects and arrays as JSON strings.
        try {
          params[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
        } catch {
          params[k] = v;
        }
      }
    }
    this.calls.push({ method, authorization: req.headers.authorization, params });
    const handler = this.handlers.get(method);
    const answer = handler ? handler(params) : { body: { ok: false, error: 'unknown_method' } };
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json; charset=utf-8', ...(answer.headers ?? {}) });
    res.end(JSON.stringify(answer.body));
  }
}
