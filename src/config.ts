import { z } from 'zod';
import './i18n/zod.ts';

/**
 * The only place that reads the environment. Parsed once with zod, then frozen.
 * Every variable is documented in the README's configuration table.
 */
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url().optional(),
  DATABASE_URL: z.string().min(1).optional(),
  REDIS_URL: z.string().min(1).optional(),
  DATA_DIR: z.string().default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SECRET_KEY: z.string().min(32, 'SECRET_KEY doit faire au moins 32 caractères').optional(),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(5),
  LOGIN_LOCK_MINUTES: z.coerce.number().positive().default(15),
  LOGIN_RATE_PER_MINUTE: z.coerce.number().int().positive().default(20),
  FORM_RATE_PER_MINUTE: z.coerce.number().int().positive().default(10),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  TRUST_PROXY: bool.default(false),
  DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
  TWILIO_API_BASE_URL: z.url().optional(),
  SLACK_API_URL: z.url().default('https://slack.com/api/'),
});

export type Env = z.input<typeof schema>;

export interface Config {
  env: 'development' | 'production' | 'test';
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  dataDir: string;
  /** PGlite data directory, or 'memory'. Ignored when databaseUrl is set. */
  pgliteDir: string;
  filesDir: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  secretKey: string | undefined;
  sessionTtlHours: number;
  loginMaxAttempts: number;
  loginLockMinutes: number;
  loginRatePerMinute: number;
  formRatePerMinute: number;
  maxUploadBytes: number;
  trustProxy: boolean;
  cookieSecure: boolean;
  demo: 'auto' | 'on' | 'off';
  /** Base URL of the Twilio REST API (its `/2010-04-01/…`) when not Twilio's own; tests point it at a local fake. */
  twilioApiBaseUrl: string | undefined;
  /** Base URL of the Slack Web API (ends with `/`); tests point it at a local fake. */
  slackApiUrl: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  // An empty variable (VAR= in a shell or a compose file) means "not set".
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Configuration invalide :\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SECRET_KEY) {
    throw new ConfigError('Configuration invalide :\n  SECRET_KEY: obligatoire en production (32 caractères au moins)');
  }
  const port = e.PORT;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const dataDir = e.DATA_DIR;
  const config: Config = {
    env: e.NODE_ENV,
    host: e.HOST,
    port,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    dataDir,
    pgliteDir: dataDir === 'memory' ? 'memory' : `${dataDir}/db`,
    filesDir: `${dataDir === 'memory' ? './data' : dataDir}/files`,
    logLevel: e.LOG_LEVEL,
    secretKey: e.SECRET_KEY,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    loginMaxAttempts: e.LOGIN_MAX_ATTEMPTS,
    loginLockMinutes: e.LOGIN_LOCK_MINUTES,
    loginRatePerMinute: e.LOGIN_RATE_PER_MINUTE,
    formRatePerMinute: e.FORM_RATE_PER_MINUTE,
    maxUploadBytes: e.MAX_UPLOAD_BYTES,
    trustProxy: e.TRUST_PROXY,
    cookieSecure: publicUrl.startsWith('https://'),
    demo: e.DEMO,
    twilioApiBaseUrl: e.TWILIO_API_BASE_URL?.replace(/\/+$/, ''),
    slackApiUrl: e.SLACK_API_URL.endsWith('/') ? e.SLACK_API_URL : `${e.SLACK_API_URL}/`,
    ...overrides,
  };
  return Object.freeze(config);
}
