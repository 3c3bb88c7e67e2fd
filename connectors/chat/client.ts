import { LogLevel, webApi, type Logger as SlackLogger } from '@slack/bolt';
import type { Deps } from '../../src/deps.ts';
import type { Logger } from '../../src/logger.ts';
import type { SlackProfile } from './payload.ts';

/**
 * The @slack/web-api client as Guichet uses it: base URL from SLACK_API_URL (a local fake in tests), no
 * retries inside the client (a webhook must answer Slack within 3 s; the send job has its own retries),
 * a rate-limited call rejected at once instead of waiting, and the SDK's logs into ours (never a token:
 * the SDK does not log them, and src/logger.ts redacts `token` keys anyway).
 */
export function slackLogger(logger: Logger): SlackLogger {
  const log = logger.child({ component: 'slack' });
  const text = (msg: unknown[]) => msg.map((m) => (typeof m === 'string' ? m : m instanceof Error ? m.message : JSON.stringify(m))).join(' ');
  let level = LogLevel.WARN;
  return {
    debug: (...msg) => log.debug(text(msg)),
    info: (...msg) => log.info(text(msg)),
    warn: (...msg) => log.warn(text(msg)),
    error: (...msg) => log.error(text(msg)),
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

export function slackClientOptions(deps: Pick<Deps, 'config' | 'logger'>, timeoutMs: number): webApi.WebClientOptions {
  return {
    slackApiUrl: deps.config.slackApiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: timeoutMs,
    logger: slackLogger(deps.logger),
    logLevel: LogLevel.WARN,
    allowAbsoluteUrls: false,
  };
}

/** A Web API client for one bot token (outbound messages: a longer timeout than in a webhook). */
export function slackWebClient(deps: Pick<Deps, 'config' | 'logger'>, token: string, timeoutMs = 10_000): webApi.WebClient {
  return new webApi.WebClient(token, slackClientOptions(deps, timeoutMs));
}

/**
 * The sender's name and e-mail from users.info (scope `users:read.email`), or null when Slack does not
 * answer (down, slow, scope missing): the caller journals the message anyway.
 */
export async function fetchSlackProfile(client: webApi.WebClient, token: string, userId: string, logger: Logger): Promise<SlackProfile | null> {
  try {
    const res = await client.users.info({ token, user: userId });
    const p = res.user?.profile;
    if (!p) return null;
    return {
      email: p.email?.trim() || null,
      realName: (p.real_name_normalized || p.real_name || res.user?.real_name)?.trim().slice(0, 200) || null,
      displayName: (p.display_name_normalized || p.display_name)?.trim().slice(0, 200) || null,
    };
  } catch (err) {
    logger.warn({ userId, reason: (err as Error).message }, 'slack users.info failed: message journaled without the profile');
    return null;
  }
}
