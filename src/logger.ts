import { pino, type Logger } from 'pino';

/** Keys whose values never reach a log line, at the top of a logged object and up to four levels down. */
const SECRET_KEYS = ['password', 'newPassword', 'passwordHash', 'password_hash', 'token', 'secret', 'secretKey', 'authToken', 'accessToken', 'refreshToken', 'apiKey', 'cookie', 'authorization', 'databaseUrl', 'redisUrl'];
const HEADER_KEYS = ['cookie', 'authorization', '"x-csrf-token"', '"set-cookie"', '"x-twilio-signature"', '"x-slack-signature"'];

export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`, `*.*.*.*.${k}`]),
  ...HEADER_KEYS.flatMap((h) => [`headers[${h}]`, `*.headers[${h}]`, `*.*.headers[${h}]`]),
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { app: 'guichet' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as never,
  );
}

export type { Logger };
