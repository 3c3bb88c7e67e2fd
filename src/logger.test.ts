import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

/** A destination that keeps every line the logger writes. */
function collector() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      lines.push(...chunk.toString().split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  return { stream, lines };
}

async function flushed(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

describe('createLogger', () => {
  it('redacts passwords, tokens, cookies and authorization headers', async () => {
    const { stream, lines } = collector();
    const logger = createLogger('info', stream);
    logger.info(
      { password: 'p', req: { headers: { cookie: 'guichet_session=abc', authorization: 'Bearer x', 'user-agent': 'Firefox' } }, token: 't' },
      'login attempt',
    );
    await flushed();
    expect(lines).toHaveLength(1);
    const line = lines[0]!;
    expect(line).not.toContain('guichet_session=abc');
    expect(line).not.toContain('Bearer x');
    expect(line).not.toContain('"p"');
    expect(line).not.toContain('"t"');
    expect(line).toContain('[redacted]');
    const entry = JSON.parse(line);
    expect(entry.password).toBe('[redacted]');
    expect(entry.token).toBe('[redacted]');
    expect(entry.req.headers.cookie).toBe('[redacted]');
    expect(entry.req.headers.authorization).toBe('[redacted]');
    // What is not secret stays readable.
    expect(entry.req.headers['user-agent']).toBe('Firefox');
    expect(entry.msg).toBe('login attempt');
    expect(entry.app).toBe('guichet');
  });

  it('redacts nested secrets, the CSRF header, set-cookie and secrets of the configuration', async () => {
    const { stream, lines } = collector();
    const logger = createLogger('info', stream);
    const secrets = {
      user: { email: 'claire@cabinet.example', password: 'S3cret-user-pass' },
      invitation: { token: 'tok-invitation-123' },
      req: { headers: { 'x-csrf-token': 'csrf-value-456' } },
      res: { headers: { 'set-cookie': 'guichet_session=zzz-session' } },
      config: { secretKey: 'key-0123456789abcdef', databaseUrl: 'postgres://u:dbpass@h/db', redisUrl: 'redis://:redispass@h' },
      accessToken: 'access-789',
      newPassword: 'new-pass-000',
    };
    logger.warn(secrets, 'many secrets');
    logger.child({ component: 'http' }).error({ password: 'child-pass-111' }, 'from a child');
    await flushed();
    expect(lines).toHaveLength(2);
    const all = lines.join('\n');
    for (const value of [
      'S3cret-user-pass',
      'tok-invitation-123',
      'csrf-value-456',
      'zzz-session',
      'key-0123456789abcdef',
      'dbpass',
      'redispass',
      'access-789',
      'new-pass-000',
      'child-pass-111',
    ]) {
      expect(all, value).not.toContain(value);
    }
    expect(JSON.parse(lines[0]!).user.email).toBe('claire@cabinet.example');
    expect(JSON.parse(lines[1]!).password).toBe('[redacted]');
  });

  it('redacts secrets deep inside request bodies and error objects', async () => {
    const { stream, lines } = collector();
    const logger = createLogger('info', stream);
    logger.info({ req: { body: { password: 'deep-secret-1' } }, err: { config: { headers: { authorization: 'deep-secret-2' } } } }, 'x');
    await flushed();
    expect(lines[0]).not.toContain('deep-secret-1');
    expect(lines[0]).not.toContain('deep-secret-2');
    expect(JSON.parse(lines[0]!).req.body.password).toBe('[redacted]');
  });

  it('honours the level', async () => {
    const { stream, lines } = collector();
    const logger = createLogger('warn', stream);
    logger.info('hidden');
    logger.warn('shown');
    await flushed();
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});
