import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const KEY = 'k'.repeat(32);

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('has working defaults for a local start', () => {
    const c = loadConfig({});
    expect(c.env).toBe('development');
    expect(c.port).toBe(3000);
    expect(c.host).toBe('127.0.0.1');
    expect(c.pgliteDir).toBe('./data/db');
    expect(c.filesDir).toBe('./data/files');
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.cookieSecure).toBe(false);
    expect(c.sessionTtlHours).toBe(12);
    expect(c.loginMaxAttempts).toBe(5);
    expect(c.loginLockMinutes).toBe(15);
    expect(c.loginRatePerMinute).toBe(20);
    expect(c.trustProxy).toBe(false);
  });

  it('derives the public URL from PORT and keeps DATA_DIR=memory in memory', () => {
    const c = loadConfig({ PORT: '8080', DATA_DIR: 'memory' });
    expect(c.port).toBe(8080);
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.pgliteDir).toBe('memory');
  });

  it('refuses an invalid PORT with a French message naming PORT', () => {
    for (const PORT of ['abc', '70000', '-1', '3000.5']) {
      const err = configError({ PORT });
      expect(err.message, PORT).toMatch(/^Configuration invalide :/);
      expect(err.message, PORT).toMatch(/^ {2}PORT: /m);
    }
  });

  it('requires SECRET_KEY in production, of at least 32 characters', () => {
    const missing = configError({ NODE_ENV: 'production' });
    expect(missing.message).toContain('SECRET_KEY');
    expect(missing.message).toContain('obligatoire en production');
    const short = configError({ NODE_ENV: 'production', SECRET_KEY: 'trop-court' });
    expect(short.message).toContain('SECRET_KEY doit faire au moins 32 caractères');
    const ok = loadConfig({ NODE_ENV: 'production', SECRET_KEY: KEY });
    expect(ok.env).toBe('production');
    expect(ok.secretKey).toBe(KEY);
    // Outside production the key may come later (generated and stored by the app).
    expect(loadConfig({ NODE_ENV: 'development' }).secretKey).toBeUndefined();
  });

  it('marks cookies Secure behind an https PUBLIC_URL, trailing slashes removed', () => {
    const https = loadConfig({ PUBLIC_URL: 'https://guichet.cabinet.example/' });
    expect(https.cookieSecure).toBe(true);
    expect(https.publicUrl).toBe('https://guichet.cabinet.example');
    expect(loadConfig({ PUBLIC_URL: 'http://guichet.local' }).cookieSecure).toBe(false);
    expect(configError({ PUBLIC_URL: 'pas une url' }).message).toMatch(/PUBLIC_URL/);
  });

  it('uses Twilio’s own API unless TWILIO_API_BASE_URL says otherwise (no trailing slash); PUBLIC_URL is the base Twilio signs', () => {
    expect(loadConfig({}).twilioApiBaseUrl).toBeUndefined();
    expect(loadConfig({ TWILIO_API_BASE_URL: 'http://127.0.0.1:4011/' }).twilioApiBaseUrl).toBe('http://127.0.0.1:4011');
    expect(configError({ TWILIO_API_BASE_URL: 'twilio' }).message).toMatch(/TWILIO_API_BASE_URL/);
    // Behind a proxy the webhook URL Twilio signed is the public one, whatever host the request reached.
    expect(loadConfig({ PUBLIC_URL: 'https://guichet.cabinet.example/base/' }).publicUrl).toBe('https://guichet.cabinet.example/base');
  });

  it('parses booleans and numbers from the environment', () => {
    const c = loadConfig({ TRUST_PROXY: 'yes', LOGIN_MAX_ATTEMPTS: '3', SESSION_TTL_HOURS: '1.5' });
    expect(c.trustProxy).toBe(true);
    expect(c.loginMaxAttempts).toBe(3);
    expect(c.sessionTtlHours).toBe(1.5);
    expect(configError({ TRUST_PROXY: 'peut-être' }).message).toMatch(/TRUST_PROXY/);
    expect(configError({ LOGIN_MAX_ATTEMPTS: '0' }).message).toMatch(/LOGIN_MAX_ATTEMPTS/);
  });

  it('points the Slack Web API at slack.com unless SLACK_API_URL says otherwise (always with a trailing slash)', () => {
    expect(loadConfig({}).slackApiUrl).toBe('https://slack.com/api/');
    expect(loadConfig({ SLACK_API_URL: 'http://127.0.0.1:4010/api' }).slackApiUrl).toBe('http://127.0.0.1:4010/api/');
    expect(loadConfig({ SLACK_API_URL: 'http://127.0.0.1:4010/api/' }).slackApiUrl).toBe('http://127.0.0.1:4010/api/');
    expect(configError({ SLACK_API_URL: 'slack' }).message).toMatch(/^ {2}SLACK_API_URL: /m);
  });

  it('returns a frozen object', () => {
    const c = loadConfig({}, { loginRatePerMinute: 3 });
    expect(c.loginRatePerMinute).toBe(3);
    expect(Object.isFrozen(c)).toBe(true);
    expect(() => {
      c.port = 1;
    }).toThrow(TypeError);
    expect(c.port).toBe(3000);
  });
});
