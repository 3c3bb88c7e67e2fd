import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { PLANS } from '../../src/domain/plans.ts';
import { CAUSES } from '../../src/domain/taxonomy.ts';
import { createTestEnv, TestClock, type TestEnv } from '../helpers/deps.ts';
import { PASSWORD, TestClient } from '../helpers/http.ts';

/**
 * Accounts & security acceptance: signup, login/logout, lock-out, rate limit, CSRF, roles,
 * invitations, deactivation and plan limits, all through the HTTP API as the console uses it.
 *
 * Signup (10/hour) and login (loginRatePerMinute) are rate-limited per IP, so every test works from
 * its own client IP (IpClient) to stay clear of the limits other tests consumed.
 */

const BAD_CREDENTIALS = 'Adresse email ou mot de passe incorrect.';
const SESSION_COOKIE = 'guichet_session';

let ipSeq = 0;
function nextIp(): string {
  ipSeq++;
  return `10.${(ipSeq >> 16) & 255}.${(ipSeq >> 8) & 255}.${ipSeq & 255}`;
}

/** A TestClient whose requests come from one given IP address. */
class IpClient extends TestClient {
  constructor(
    app: FastifyInstance,
    readonly ip: string = nextIp(),
  ) {
    super(app);
  }
  override raw(options: InjectOptions & { csrf?: boolean }): Promise<LightMyRequestResponse> {
    return super.raw({ remoteAddress: this.ip, ...options });
  }
}

let seq = 0;
function uniqueEmail(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}.${++seq}@cabinet.example`;
}

function signupBody(overrides: Record<string, unknown> = {}) {
  return {
    companyName: `Cabinet Essai ${++seq}`,
    orias: '12345678',
    managerName: 'Claire Martin',
    email: uniqueEmail('admin'),
    phone: '01 40 71 18 00',
    plan: 'pro',
    password: PASSWORD,
    ...overrides,
  };
}

interface UserBody {
  id: string;
  email: string;
  name: string;
  role: string;
  status: string;
}
interface SessionBody {
  user: UserBody;
  tenant: { id: string; slug: string; name: string; plan: string; orias: string | null; formUrl: string };
}

/** Signs a tenant up from a fresh IP; returns the logged-in admin client. */
async function signup(app: FastifyInstance, overrides: Record<string, unknown> = {}) {
  const client = new IpClient(app);
  const body = signupBody(overrides);
  const res = await client.post('/api/signup', body);
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const session = res.json() as SessionBody;
  return { client, email: body.email as string, admin: session.user, tenant: session.tenant, res };
}

/** Invites a user; returns the invited user and the raw invitation token. */
async function invite(admin: TestClient, role: 'agent' | 'manager' | 'admin', email = uniqueEmail(role)) {
  const res = await admin.post('/api/users', { email, name: `Utilisateur ${role} ${++seq}`, role });
  if (res.statusCode !== 201) throw new Error(`invite failed: ${res.statusCode} ${res.body}`);
  const { user, invitationUrl } = res.json() as { user: UserBody; invitationUrl: string };
  return { user, email, invitationUrl, token: invitationUrl.split('/').pop()! };
}

/** Invites, accepts and logs in a user with the given role; returns their logged-in client. */
async function addMember(app: FastifyInstance, admin: TestClient, role: 'agent' | 'manager' | 'admin') {
  const { user, email, token } = await invite(admin, role);
  const acc = await new IpClient(app).post('/api/invitations/accept', { token, password: PASSWORD });
  if (acc.statusCode !== 200) throw new Error(`accept failed: ${acc.statusCode} ${acc.body}`);
  const client = new IpClient(app);
  await client.login(email, PASSWORD);
  return { client, user, email };
}

function setCookies(res: LightMyRequestResponse): string[] {
  const h = res.headers['set-cookie'];
  return h === undefined ? [] : Array.isArray(h) ? h : [h];
}

function sessionSetCookie(res: LightMyRequestResponse): string {
  const c = setCookies(res).find((s) => s.startsWith(`${SESSION_COOKIE}=`));
  if (!c) throw new Error(`no ${SESSION_COOKIE} cookie in ${JSON.stringify(res.headers['set-cookie'])}`);
  return c;
}

/** True when the answer opens a session (sets a non-empty session cookie). */
function opensSession(res: LightMyRequestResponse): boolean {
  return res.cookies.some((c) => c.name === SESSION_COOKIE && c.value !== '');
}

function sessionToken(res: LightMyRequestResponse): string {
  return sessionSetCookie(res).split(';')[0]!.slice(SESSION_COOKIE.length + 1);
}

/** Attributes of a Set-Cookie line, lower-cased names: { httponly: '', samesite: 'Lax', ... }. */
function cookieAttributes(line: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const part of line.split(';').slice(1)) {
    const [k, ...v] = part.trim().split('=');
    attrs[k!.toLowerCase()] = v.join('=');
  }
  return attrs;
}

function fillParams(url: string): string {
  return url.replace(/:[A-Za-z0-9_]+/g, () => randomUUID());
}

const clock = new TestClock(new Date('2026-03-16T09:00:00+01:00'));
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv({ clock });
});
afterAll(async () => {
  await env?.close();
});

describe(`accounts & security (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  describe('signup', () => {
    it('provisions the tenant with a unique slug, logs the admin in and creates the default processes', async () => {
      const first = await signup(env.app, { companyName: 'Cabinet Martin', plan: 'starter' });
      expect(first.tenant.slug).toBe('cabinet-martin');
      expect(first.tenant.name).toBe('Cabinet Martin');
      expect(first.tenant.plan).toBe('starter');
      expect(first.tenant.orias).toBe('12345678');
      expect(first.tenant.formUrl).toBe(`${env.deps.config.publicUrl}/f/cabinet-martin`);
      expect(first.admin.role).toBe('admin');
      expect(first.admin.status).toBe('active');
      expect(first.admin.email).toBe(first.email);

      // Logged in at once: the signup answer carried the session cookie.
      const me = await first.client.get('/api/auth/me');
      expect(me.statusCode, me.body).toBe(200);
      expect((me.json() as SessionBody).user.id).toBe(first.admin.id);
      expect((me.json() as SessionBody).tenant.id).toBe(first.tenant.id);

      const second = await signup(env.app, { companyName: 'Cabinet Martin' });
      expect(second.tenant.id).not.toBe(first.tenant.id);
      expect(second.tenant.slug).not.toBe(first.tenant.slug);
      expect(second.tenant.slug).toMatch(/^cabinet-martin-\d+$/);
      expect(second.tenant.formUrl.endsWith(`/f/${second.tenant.slug}`)).toBe(true);

      const accents = await signup(env.app, { companyName: '  Société Générale d’Assurances & Fils  ' });
      expect(accents.tenant.slug).toBe('societe-generale-d-assurances-fils');

      const processes = await first.client.get('/api/processes');
      expect(processes.statusCode).toBe(200);
      const items = (processes.json() as { items: { id: string; key: string; cause: string | null; kind: string; active: boolean }[] }).items;
      expect(items.map((p) => p.key).sort()).toEqual(
        [...CAUSES.map((c) => `reclamation-${c}`), 'reclamation-a-qualifier', 'demande'].sort(),
      );
      for (const cause of CAUSES) expect(items.filter((p) => p.cause === cause)).toHaveLength(1);
      expect(items.find((p) => p.key === 'demande')!.kind).toBe('demande');
      expect(items.every((p) => p.active)).toBe(true);

      // Each tenant has its own processes.
      const other = (await second.client.get('/api/processes')).json() as { items: { id: string }[] };
      const firstIds = new Set(items.map((p) => p.id));
      expect(other.items.some((p) => firstIds.has(p.id))).toBe(false);
    });

    it('validates the ORIAS number (8 digits when given, empty accepted) with a French message', async () => {
      const client = new IpClient(env.app);
      const bad = await client.post('/api/signup', signupBody({ orias: '1234' }));
      expect(bad.statusCode).toBe(400);
      expect(bad.json().error).toBe('validation');
      expect(bad.json().fields.orias).toBe('Le numéro ORIAS comporte 8 chiffres.');
      expect(bad.json().fields.password).toBeUndefined();

      const letters = await client.post('/api/signup', signupBody({ orias: '1234567a' }));
      expect(letters.statusCode).toBe(400);
      expect(letters.json().fields).toHaveProperty('orias');

      const empty = await signup(env.app, { orias: '' });
      expect(empty.tenant.orias).toBeNull();
      const missing = await signup(env.app, { orias: undefined });
      expect(missing.tenant.orias).toBeNull();
      const spaced = await signup(env.app, { orias: '12 345 678' });
      expect(spaced.tenant.orias).toBe('12345678');
    });

    it('refuses a bad email, a short password and an unknown plan, field by field in French', async () => {
      const client = new IpClient(env.app);
      const email = await client.post('/api/signup', signupBody({ email: 'pas-une-adresse' }));
      expect(email.statusCode).toBe(400);
      expect(email.json().fields.email).toBe('Adresse email invalide.');

      const short = await client.post('/api/signup', signupBody({ password: 'a'.repeat(11) }));
      expect(short.statusCode).toBe(400);
      expect(short.json().fields.password).toBe('Le mot de passe doit contenir au moins 12 caractères.');

      const plan = await client.post('/api/signup', signupBody({ plan: 'gold' }));
      expect(plan.statusCode).toBe(400);
      expect(plan.json().error).toBe('validation');
      expect(plan.json().fields.plan).toMatch(/Choisissez une formule/);

      // 12 characters is enough.
      const exact = await signup(env.app, { password: 'b'.repeat(12) });
      expect(exact.admin.status).toBe('active');
    });

    it('refuses an email already used (whatever its case) on field email, creating nothing', async () => {
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      const again = await client.post('/api/signup', signupBody({ email, companyName: 'Cabinet Doublon' }));
      expect(again.statusCode).toBe(400);
      expect(again.json().fields.email).toBe('Un compte existe déjà avec cette adresse.');
      expect(opensSession(again)).toBe(false);

      const upper = await client.post('/api/signup', signupBody({ email: email.toUpperCase(), companyName: 'Cabinet Doublon' }));
      expect(upper.statusCode).toBe(400);
      expect(upper.json().fields.email).toBeDefined();

      // The refused attempts left no tenant behind: the name's slug is still free.
      const fresh = await signup(env.app, { companyName: 'Cabinet Doublon' });
      expect(fresh.tenant.slug).toBe('cabinet-doublon');
    });
  });

  describe('concurrency', () => {
    it('gives different slugs to five "Cabinet Dupuis" signing up at the same moment', async () => {
      const results = await Promise.all(
        [1, 2, 3, 4, 5].map(() => new IpClient(env.app).post('/api/signup', signupBody({ companyName: 'Cabinet Dupuis' }))),
      );
      expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201, 201, 201]);
      const slugs = results.map((r) => (r.json() as SessionBody).tenant.slug);
      expect(new Set(slugs).size).toBe(5);
      expect(slugs).toContain('cabinet-dupuis');
    });

    it('creates one account when the same address signs up twice at once; the other gets 400 email', async () => {
      const email = uniqueEmail('double');
      const results = await Promise.all(
        [1, 2].map(() => new IpClient(env.app).post('/api/signup', signupBody({ email }))),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
      expect(results.find((r) => r.statusCode === 400)!.json().fields.email).toBe('Un compte existe déjà avec cette adresse.');
    });

    it('invites an address once when two cabinets invite it at the same moment; the other gets 400 email', async () => {
      const a = await signup(env.app);
      const b = await signup(env.app);
      await Promise.all([a.client.csrfToken(), b.client.csrfToken()]);
      const email = uniqueEmail('meme');
      const results = await Promise.all(
        [a, b].map(({ client }) => client.post('/api/users', { email, name: 'Même personne', role: 'agent' })),
      );
      expect(results.map((r) => r.statusCode).sort()).toEqual([201, 400]);
      expect(results.find((r) => r.statusCode === 400)!.json().fields.email).toBe('Un compte existe déjà avec cette adresse.');
    });

    it('never exceeds the seat limit when invitations race', async () => {
      const limit = PLANS.starter.maxUsers;
      const { client: admin } = await signup(env.app, { plan: 'starter' });
      await admin.csrfToken();
      const results = await Promise.all(
        Array.from({ length: limit + 2 }, (_, i) => admin.post('/api/users', { email: uniqueEmail(`race${i}`), name: `Course ${i}`, role: 'agent' })),
      );
      const codes = results.map((r) => r.statusCode);
      expect(codes.filter((c) => c === 201)).toHaveLength(limit - 1);
      expect(codes.filter((c) => c === 422)).toHaveLength(3);
      expect(((await admin.get('/api/users')).json() as { items: unknown[] }).items).toHaveLength(limit);
    });
  });

  describe('login and logout', () => {
    it('answers 401 with one generic message for a wrong password and for an unknown address', async () => {
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      const wrong = await client.post('/api/auth/login', { email, password: 'not-the-right-password' });
      expect(wrong.statusCode).toBe(401);
      expect(wrong.json()).toEqual({ error: 'unauthorized', message: BAD_CREDENTIALS });
      expect(opensSession(wrong)).toBe(false);

      const unknown = await client.post('/api/auth/login', { email: uniqueEmail('nobody'), password: PASSWORD });
      expect(unknown.statusCode).toBe(401);
      expect(unknown.json()).toEqual(wrong.json());

      expect((await client.get('/api/auth/me')).statusCode).toBe(401);
      // The address is case-insensitive; the right password opens a session.
      const ok = await client.post('/api/auth/login', { email: email.toUpperCase(), password: PASSWORD });
      expect(ok.statusCode, ok.body).toBe(200);
      expect((await client.get('/api/auth/me')).statusCode).toBe(200);
    });

    it('sets the session cookie HttpOnly and SameSite=Lax, not Secure over plain http', async () => {
      const { email, res } = await signup(env.app);
      const fromSignup = cookieAttributes(sessionSetCookie(res));
      expect(fromSignup).toHaveProperty('httponly');
      expect(fromSignup.samesite).toBe('Lax');

      const login = await new IpClient(env.app).post('/api/auth/login', { email, password: PASSWORD });
      expect(login.statusCode).toBe(200);
      const attrs = cookieAttributes(sessionSetCookie(login));
      expect(attrs).toHaveProperty('httponly');
      expect(attrs.samesite).toBe('Lax');
      expect(attrs.path).toBe('/');
      expect(Number(attrs['max-age'])).toBe(env.deps.config.sessionTtlHours * 3600);
      expect(env.deps.config.cookieSecure).toBe(false);
      expect(attrs).not.toHaveProperty('secure');
    });

    it('marks the session cookie Secure when cookieSecure is on', async () => {
      const secureEnv = await createTestEnv({ config: { cookieSecure: true } });
      try {
        const { email, res } = await signup(secureEnv.app);
        expect(cookieAttributes(sessionSetCookie(res))).toHaveProperty('secure');
        const login = await new IpClient(secureEnv.app).post('/api/auth/login', { email, password: PASSWORD });
        expect(login.statusCode).toBe(200);
        const attrs = cookieAttributes(sessionSetCookie(login));
        expect(attrs).toHaveProperty('secure');
        expect(attrs).toHaveProperty('httponly');
        expect(attrs.samesite).toBe('Lax');
        // The CSRF secret cookie follows the same rule.
        const csrfRes = await new IpClient(secureEnv.app).get('/api/auth/csrf');
        const csrfCookie = setCookies(csrfRes).find((c) => c.startsWith('guichet_csrf='));
        expect(csrfCookie).toBeDefined();
        expect(cookieAttributes(csrfCookie!)).toHaveProperty('secure');
      } finally {
        await secureEnv.close();
      }
    });

    it('logout kills the session: the old cookie then gets 401', async () => {
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      const login = await client.login(email, PASSWORD);
      const token = sessionToken(login);
      const withOldCookie = () =>
        env.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `${SESSION_COOKIE}=${token}` }, remoteAddress: client.ip });

      expect((await withOldCookie()).statusCode).toBe(200);
      const out = await client.post('/api/auth/logout');
      expect(out.statusCode).toBe(204);
      const cleared = cookieAttributes(sessionSetCookie(out));
      expect(cleared.expires !== undefined || cleared['max-age'] === '0').toBe(true);

      expect((await client.get('/api/auth/me')).statusCode).toBe(401);
      const replay = await withOldCookie();
      expect(replay.statusCode).toBe(401);
      expect(replay.json().error).toBe('unauthorized');
    });

    it('keeps other sessions of the same user open on logout', async () => {
      const { email, client: first } = await signup(env.app);
      const second = new IpClient(env.app);
      await second.login(email, PASSWORD);
      expect((await second.post('/api/auth/logout')).statusCode).toBe(204);
      expect((await second.get('/api/auth/me')).statusCode).toBe(401);
      expect((await first.get('/api/auth/me')).statusCode).toBe(200);
    });
  });

  describe('session lifetime', () => {
    it('keeps an active session alive past its TTL (cookie refreshed too) and ends an idle one', async () => {
      const ttlMs = env.deps.config.sessionTtlHours * 3_600_000;
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      await client.login(email, PASSWORD);

      clock.advance(ttlMs - 3_600_000);
      const busy = await client.get('/api/auth/me');
      expect(busy.statusCode).toBe(200);
      // The browser's copy is extended along with the server's, or it would drop the cookie at the TTL.
      expect(Number(cookieAttributes(sessionSetCookie(busy))['max-age'])).toBe(ttlMs / 1000);

      clock.advance(ttlMs - 3_600_000);
      expect((await client.get('/api/auth/me')).statusCode).toBe(200);

      clock.advance(ttlMs + 60_000);
      const idle = await client.get('/api/auth/me');
      expect(idle.statusCode).toBe(401);
    });
  });

  describe('lock-out', () => {
    it('locks the account after loginMaxAttempts failures, even for the right password, until the lock time passes', async () => {
      const max = env.deps.config.loginMaxAttempts;
      expect(max).toBe(5);
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      for (let i = 1; i < max; i++) {
        const res = await client.post('/api/auth/login', { email, password: `wrong-password-${i}` });
        expect(res.statusCode, `attempt ${i}`).toBe(401);
      }
      const last = await client.post('/api/auth/login', { email, password: 'wrong-password-last' });
      expect(last.statusCode).toBe(423);
      expect(last.json().error).toBe('account_locked');
      expect(last.json().message).toContain('le compte est verrouillé');
      expect(last.json().message).toContain(`${env.deps.config.loginLockMinutes} minutes`);

      const right = await client.post('/api/auth/login', { email, password: PASSWORD });
      expect(right.statusCode).toBe(423);
      expect(right.json().error).toBe('account_locked');
      expect(opensSession(right)).toBe(false);

      clock.advance(10 * 60_000);
      const stillLocked = await client.post('/api/auth/login', { email, password: PASSWORD });
      expect(stillLocked.statusCode).toBe(423);
      expect(stillLocked.json().message).toMatch(/5 minutes/);

      clock.advance(6 * 60_000);
      const open = await client.post('/api/auth/login', { email, password: PASSWORD });
      expect(open.statusCode, open.body).toBe(200);

      // The counter was reset: max - 1 new failures do not lock, the right password still works.
      for (let i = 1; i < max; i++) {
        const res = await client.post('/api/auth/login', { email, password: `wrong-again-${i}` });
        expect(res.statusCode, `attempt ${i} after reset`).toBe(401);
      }
      expect((await client.post('/api/auth/login', { email, password: PASSWORD })).statusCode).toBe(200);
    });

    it('resets the failure count on a successful login', async () => {
      const max = env.deps.config.loginMaxAttempts;
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      for (let round = 1; round <= 2; round++) {
        for (let i = 1; i < max; i++) {
          const res = await client.post('/api/auth/login', { email, password: `wrong-${round}-${i}` });
          expect(res.statusCode, `round ${round}, attempt ${i}`).toBe(401);
        }
        const ok = await client.post('/api/auth/login', { email, password: PASSWORD });
        expect(ok.statusCode, `round ${round}`).toBe(200);
      }
    });

    it('starts a fresh count when a lock has expired without a successful login', async () => {
      const max = env.deps.config.loginMaxAttempts;
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      for (let i = 1; i <= max; i++) await client.post('/api/auth/login', { email, password: `wrong-${i}` });
      expect((await client.post('/api/auth/login', { email, password: PASSWORD })).statusCode).toBe(423);
      clock.advance(16 * 60_000);
      // One more mistake after the lock: a plain 401, not an immediate new lock.
      const miss = await client.post('/api/auth/login', { email, password: 'one-more-mistake' });
      expect(miss.statusCode).toBe(401);
      expect(miss.json().message).toBe(BAD_CREDENTIALS);
      expect((await client.post('/api/auth/login', { email, password: PASSWORD })).statusCode).toBe(200);
    });

    it('does not lock an account through failures on another account', async () => {
      const a = await signup(env.app);
      const b = await signup(env.app);
      const client = new IpClient(env.app);
      for (let i = 1; i <= env.deps.config.loginMaxAttempts; i++) {
        await client.post('/api/auth/login', { email: a.email, password: `wrong-${i}` });
      }
      expect((await client.post('/api/auth/login', { email: a.email, password: PASSWORD })).statusCode).toBe(423);
      expect((await client.post('/api/auth/login', { email: b.email, password: PASSWORD })).statusCode).toBe(200);
    });
  });

  describe('rate limit', () => {
    it('answers 429 in French beyond loginRatePerMinute attempts from one IP within a minute', async () => {
      const limited = await createTestEnv({ config: { loginRatePerMinute: 3 } });
      try {
        const { email } = await signup(limited.app);
        const client = new IpClient(limited.app);
        for (let i = 1; i <= 3; i++) {
          const res = await client.post('/api/auth/login', { email, password: `wrong-${i}` });
          expect(res.statusCode, `attempt ${i}`).toBe(401);
        }
        const blocked = await client.post('/api/auth/login', { email, password: PASSWORD });
        expect(blocked.statusCode).toBe(429);
        expect(blocked.json().error).toBe('rate_limited');
        expect(blocked.json().message).toBe('Trop de requêtes : patientez un instant puis réessayez.');
        expect(opensSession(blocked)).toBe(false);

        // Per IP: another address can still log in.
        const elsewhere = await new IpClient(limited.app).post('/api/auth/login', { email, password: PASSWORD });
        expect(elsewhere.statusCode).toBe(200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('CSRF', () => {
    it('refuses a state-changing request with the session cookie but a missing or wrong token', async () => {
      const { client, email } = await signup(env.app);
      const body = { email: uniqueEmail('agent'), name: 'Paul Agent', role: 'agent' };

      const missing = await client.raw({ method: 'POST', url: '/api/users', payload: body, csrf: false });
      expect(missing.statusCode).toBe(403);
      expect(missing.json().error).toBe('csrf');
      expect(missing.json().message).toMatch(/CSRF/);

      const wrong = await client.raw({ method: 'POST', url: '/api/users', payload: body, csrf: false, headers: { 'x-csrf-token': 'not-a-token' } });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json().error).toBe('csrf');

      // A token issued to another browser does not match this browser's secret.
      const otherToken = await new IpClient(env.app).csrfToken();
      const foreign = await client.raw({ method: 'POST', url: '/api/users', payload: body, csrf: false, headers: { 'x-csrf-token': otherToken } });
      expect(foreign.statusCode).toBe(403);
      expect(foreign.json().error).toBe('csrf');

      // Nothing was created by the refused requests; with the right token the same call works.
      const users = (await client.get('/api/users')).json() as { items: UserBody[] };
      expect(users.items.map((u) => u.email)).toEqual([email]);
      expect((await client.post('/api/users', body)).statusCode).toBe(201);
    });

    it('refuses a session cookie sent alone, without the CSRF secret cookie', async () => {
      const { email } = await signup(env.app);
      const client = new IpClient(env.app);
      const token = sessionToken(await client.login(email, PASSWORD));
      const csrf = await client.csrfToken();
      const res = await env.app.inject({
        method: 'POST',
        url: '/api/auth/logout',
        headers: { cookie: `${SESSION_COOKIE}=${token}`, 'x-csrf-token': csrf },
        remoteAddress: client.ip,
      });
      expect(res.statusCode).toBe(403);
      expect(res.json().error).toBe('csrf');
      // The session survived the forged logout.
      expect((await client.get('/api/auth/me')).statusCode).toBe(200);
    });
  });

  describe('roles', () => {
    it('lets only admins invite and change roles; agents and managers may list users', async () => {
      const { client: admin, admin: adminUser } = await signup(env.app);
      const { client: agent, user: agentUser } = await addMember(env.app, admin, 'agent');
      const { client: manager } = await addMember(env.app, admin, 'manager');

      for (const [who, client] of [
        ['agent', agent],
        ['manager', manager],
      ] as const) {
        const inv = await client.post('/api/users', { email: uniqueEmail('x'), name: 'Intrus', role: 'agent' });
        expect(inv.statusCode, `${who} invite`).toBe(403);
        expect(inv.json().error).toBe('forbidden');
        const patch = await client.patch(`/api/users/${agentUser.id}`, { role: 'admin' });
        expect(patch.statusCode, `${who} patch`).toBe(403);
        const deact = await client.post(`/api/users/${adminUser.id}/deactivate`);
        expect(deact.statusCode, `${who} deactivate`).toBe(403);
      }

      const list = await agent.get('/api/users');
      expect(list.statusCode).toBe(200);
      const items = (list.json() as { items: UserBody[] }).items;
      expect(items).toHaveLength(3);
      expect(items.find((u) => u.id === agentUser.id)!.role).toBe('agent');
      expect((await manager.get('/api/users')).statusCode).toBe(200);

      // Nothing changed: the agent is still an agent and the admin still active.
      const after = (await admin.get('/api/users')).json() as { items: UserBody[] };
      expect(after.items.find((u) => u.id === agentUser.id)!.role).toBe('agent');
      expect(after.items.find((u) => u.id === adminUser.id)!.status).toBe('active');
      const promote = await admin.patch(`/api/users/${agentUser.id}`, { role: 'manager' });
      expect(promote.statusCode).toBe(200);
      expect(promote.json().role).toBe('manager');
    });

    it('keeps each tenant to itself', async () => {
      const a = await signup(env.app);
      const b = await signup(env.app);
      const { user: bAgent } = await invite(b.client, 'agent');
      const list = (await a.client.get('/api/users')).json() as { items: UserBody[] };
      expect(list.items.map((u) => u.id)).toEqual([a.admin.id]);
      expect((await a.client.patch(`/api/users/${bAgent.id}`, { role: 'admin' })).statusCode).toBe(404);
      expect((await a.client.post(`/api/users/${bAgent.id}/deactivate`)).statusCode).toBe(404);
      expect((await a.client.post(`/api/users/${b.admin.id}/deactivate`)).statusCode).toBe(404);
    });

    it('guards every non-public route of the catalog: 401 for anonymous, 403 below the required role', async () => {
      const catalog = env.app.routeCatalog;
      const protectedRoutes = catalog.filter((r) => r.auth !== 'public');
      // The catalog really lists the API (a vacuous loop would prove nothing).
      for (const [method, url] of [
        ['GET', '/api/auth/me'],
        ['POST', '/api/auth/logout'],
        ['GET', '/api/users'],
        ['POST', '/api/users'],
        ['PATCH', '/api/users/:userId'],
        ['POST', '/api/users/:userId/deactivate'],
        ['POST', '/api/users/:userId/reactivate'],
        ['GET', '/api/processes'],
        ['GET', '/api/complaints'],
        ['POST', '/api/complaints'],
      ]) {
        expect(protectedRoutes.some((r) => r.method === method && r.url === url), `${method} ${url} in catalog`).toBe(true);
      }
      for (const [method, url] of [
        ['POST', '/api/signup'],
        ['POST', '/api/auth/login'],
        ['GET', '/api/auth/csrf'],
        ['POST', '/api/invitations/accept'],
      ]) {
        expect(catalog.find((r) => r.method === method && r.url === url)?.auth, `${method} ${url}`).toBe('public');
      }
      expect(catalog.find((r) => r.method === 'POST' && r.url === '/api/users')!.auth).toBe('admin');
      expect(catalog.find((r) => r.method === 'GET' && r.url === '/api/users')!.auth).toBe('agent');
      const { client: admin } = await signup(env.app);
      const { client: agent } = await addMember(env.app, admin, 'agent');
      const { client: manager } = await addMember(env.app, admin, 'manager');
      const anon = new IpClient(env.app);
      const call = (client: TestClient, method: string, url: string) =>
        client.raw({
          method: method as InjectOptions['method'],
          url: fillParams(url),
          ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }),
        });

      const failures: string[] = [];
      for (const route of protectedRoutes) {
        const label = `${route.method} ${route.url}`;
        const res = await call(anon, route.method, route.url);
        if (res.statusCode !== 401 || res.json().error !== 'unauthorized') failures.push(`anonymous ${label} → ${res.statusCode}`);
        if (route.auth === 'admin' || route.auth === 'manager') {
          const asAgent = await call(agent, route.method, route.url);
          if (asAgent.statusCode !== 403 || asAgent.json().error !== 'forbidden') failures.push(`agent ${label} → ${asAgent.statusCode}`);
        }
        if (route.auth === 'admin') {
          const asManager = await call(manager, route.method, route.url);
          if (asManager.statusCode !== 403) failures.push(`manager ${label} → ${asManager.statusCode}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it('requires the CSRF token on every state-changing non-public route', async () => {
      const unsafe = env.app.routeCatalog.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
      expect(unsafe.length).toBeGreaterThan(5);
      const notPublic = unsafe.filter((r) => r.auth !== 'public');
      expect(notPublic.filter((r) => !r.csrf).map((r) => `${r.method} ${r.url}`)).toEqual([]);

      // And the flag is enforced: an admin (who passes every role check) without the token gets 403 csrf.
      const { client: admin } = await signup(env.app);
      const failures: string[] = [];
      for (const route of notPublic) {
        const res = await admin.raw({
          method: route.method as InjectOptions['method'],
          url: fillParams(route.url),
          ...(route.method === 'DELETE' ? {} : { payload: {} }),
          csrf: false,
        });
        if (res.statusCode !== 403 || res.json().error !== 'csrf') failures.push(`${route.method} ${route.url} → ${res.statusCode} ${res.body}`);
      }
      expect(failures).toEqual([]);
      expect((await admin.get('/api/auth/me')).statusCode).toBe(200);
    });
  });

  describe('invitations', () => {
    it('invites a user who can log in only after accepting with a long enough password', async () => {
      const { client: admin } = await signup(env.app);
      const email = uniqueEmail('nouvelle');
      const res = await admin.post('/api/users', { email, name: 'Nadia Nouvelle', role: 'agent' });
      expect(res.statusCode, res.body).toBe(201);
      const { user, invitationUrl } = res.json() as { user: UserBody; invitationUrl: string };
      expect(user.status).toBe('invited');
      expect(user.role).toBe('agent');
      expect(invitationUrl.startsWith(`${env.deps.config.publicUrl}/invitation/`)).toBe(true);
      const token = invitationUrl.split('/').pop()!;
      expect(token.length).toBeGreaterThanOrEqual(20);

      const invitee = new IpClient(env.app);
      const early = await invitee.post('/api/auth/login', { email, password: PASSWORD });
      expect(early.statusCode).toBe(401);
      expect(early.json().message).toBe(BAD_CREDENTIALS);

      const short = await invitee.post('/api/invitations/accept', { token, password: 'a'.repeat(11) });
      expect(short.statusCode).toBe(400);
      expect(short.json().fields.password).toMatch(/12 caractères/);

      const accepted = await invitee.post('/api/invitations/accept', { token, password: 'mon-mot-de-passe-long' });
      expect(accepted.statusCode, accepted.body).toBe(200);
      expect(accepted.json().status).toBe('active');
      expect(accepted.json().id).toBe(user.id);

      const login = await invitee.post('/api/auth/login', { email, password: 'mon-mot-de-passe-long' });
      expect(login.statusCode, login.body).toBe(200);
      expect((login.json() as SessionBody).user.role).toBe('agent');
      expect((await invitee.get('/api/auth/me')).json().user.email).toBe(email);

      // A used token is dead, and so is an unknown one.
      const reused = await new IpClient(env.app).post('/api/invitations/accept', { token, password: 'un-autre-mot-de-passe' });
      expect(reused.statusCode).toBe(404);
      expect(reused.json().message).toMatch(/Invitation inconnue ou expirée/);
      expect((await invitee.post('/api/auth/login', { email, password: 'mon-mot-de-passe-long' })).statusCode).toBe(200);
      const unknown = await new IpClient(env.app).post('/api/invitations/accept', { token: 'x'.repeat(43), password: PASSWORD });
      expect(unknown.statusCode).toBe(404);
    });

    it('refuses an invitation to an address already in use', async () => {
      const { client: admin, email } = await signup(env.app);
      const res = await admin.post('/api/users', { email, name: 'Moi encore', role: 'agent' });
      expect(res.statusCode).toBe(400);
      expect(res.json().fields.email).toBe('Un compte existe déjà avec cette adresse.');
      const bad = await admin.post('/api/users', { email: 'pas-une-adresse', name: 'Personne', role: 'agent' });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().fields.email).toBe('Adresse email invalide.');
    });

    it('expires an invitation after 7 days', async () => {
      const { client: admin } = await signup(env.app);
      const soon = await invite(admin, 'agent');
      const late = await invite(admin, 'manager');

      clock.advance(6 * 86_400_000);
      const inTime = await new IpClient(env.app).post('/api/invitations/accept', { token: soon.token, password: PASSWORD });
      expect(inTime.statusCode, inTime.body).toBe(200);

      clock.advance(2 * 86_400_000);
      const expired = await new IpClient(env.app).post('/api/invitations/accept', { token: late.token, password: PASSWORD });
      expect(expired.statusCode).toBe(404);
      expect(expired.json().error).toBe('not_found');
      expect((await new IpClient(env.app).post('/api/auth/login', { email: late.email, password: PASSWORD })).statusCode).toBe(401);
    });
  });

  describe('invitations sent again', () => {
    it('lets the admin invite again an address whose invitation expired; only the new link works', async () => {
      const { email: adminEmail, client: firstAdmin } = await signup(env.app);
      const first = await invite(firstAdmin, 'agent');
      clock.advance(8 * 86_400_000);
      expect((await new IpClient(env.app).post('/api/invitations/accept', { token: first.token, password: PASSWORD })).statusCode).toBe(404);

      const admin = new IpClient(env.app);
      await admin.login(adminEmail, PASSWORD);
      const again = await admin.post('/api/users', { email: first.email, name: 'Nouvel essai', role: 'manager' });
      expect(again.statusCode, again.body).toBe(201);
      const { user, invitationUrl } = again.json() as { user: UserBody; invitationUrl: string };
      expect(user.id).toBe(first.user.id);
      expect(user.status).toBe('invited');
      expect(user.role).toBe('manager');
      const token = invitationUrl.split('/').pop()!;
      expect(token).not.toBe(first.token);

      expect((await new IpClient(env.app).post('/api/invitations/accept', { token: first.token, password: PASSWORD })).statusCode).toBe(404);
      expect((await new IpClient(env.app).post('/api/invitations/accept', { token, password: PASSWORD })).statusCode).toBe(200);
      const login = await new IpClient(env.app).post('/api/auth/login', { email: first.email, password: PASSWORD });
      expect(login.statusCode).toBe(200);
      expect((login.json() as SessionBody).user.role).toBe('manager');
      expect(((await admin.get('/api/users')).json() as { items: unknown[] }).items).toHaveLength(2);
    });

    it('sends a pending invitation again without taking another seat', async () => {
      const limit = PLANS.starter.maxUsers;
      const { client: admin } = await signup(env.app, { plan: 'starter' });
      const pending = await invite(admin, 'agent');
      for (let i = 2; i < limit; i++) await invite(admin, 'agent');
      const resent = await admin.post('/api/users', { email: pending.email.toUpperCase(), name: 'Relance', role: 'agent' });
      expect(resent.statusCode, resent.body).toBe(201);
      const token = (resent.json() as { invitationUrl: string }).invitationUrl.split('/').pop()!;
      expect((await new IpClient(env.app).post('/api/invitations/accept', { token: pending.token, password: PASSWORD })).statusCode).toBe(404);
      expect((await new IpClient(env.app).post('/api/invitations/accept', { token, password: PASSWORD })).statusCode).toBe(200);
      expect(((await admin.get('/api/users')).json() as { items: unknown[] }).items).toHaveLength(limit);
    });

    it('lets an invitee deactivated before accepting be invited again', async () => {
      const { client: admin } = await signup(env.app);
      const pending = await invite(admin, 'agent');
      expect((await admin.post(`/api/users/${pending.user.id}/deactivate`)).json().status).toBe('deactivated');
      expect((await new IpClient(env.app).post('/api/invitations/accept', { token: pending.token, password: PASSWORD })).statusCode).toBe(404);

      const back = await admin.post(`/api/users/${pending.user.id}/reactivate`);
      expect(back.statusCode, back.body).toBe(200);
      expect(back.json().status).toBe('invited');
      const again = await admin.post('/api/users', { email: pending.email, name: 'Retour', role: 'agent' });
      expect(again.statusCode, again.body).toBe(201);
      const token = (again.json() as { invitationUrl: string }).invitationUrl.split('/').pop()!;
      expect((await new IpClient(env.app).post('/api/invitations/accept', { token, password: PASSWORD })).statusCode).toBe(200);
      expect((await new IpClient(env.app).post('/api/auth/login', { email: pending.email, password: PASSWORD })).statusCode).toBe(200);
    });

    it('keeps refusing addresses of accounts that exist, here or in another cabinet', async () => {
      const a = await signup(env.app);
      const b = await signup(env.app);
      const pendingInB = await invite(b.client, 'agent');
      const { email: active } = await addMember(env.app, a.client, 'agent');
      for (const email of [pendingInB.email, active, b.email]) {
        const res = await a.client.post('/api/users', { email, name: 'Déjà pris', role: 'agent' });
        expect(res.statusCode, email).toBe(400);
        expect(res.json().fields.email).toBe('Un compte existe déjà avec cette adresse.');
      }
      // The refused attempt did not touch the other cabinet's invitation.
      expect((await new IpClient(env.app).post('/api/invitations/accept', { token: pendingInB.token, password: PASSWORD })).statusCode).toBe(200);
    });
  });

  describe('deactivation', () => {
    it('closes the sessions of a deactivated user at once, refuses their login, and reactivation restores access', async () => {
      const { client: admin } = await signup(env.app);
      const { client: agent, user, email } = await addMember(env.app, admin, 'agent');
      expect((await agent.get('/api/auth/me')).statusCode).toBe(200);

      const res = await admin.post(`/api/users/${user.id}/deactivate`);
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json().status).toBe('deactivated');

      expect((await agent.get('/api/auth/me')).statusCode).toBe(401);
      expect((await agent.get('/api/complaints')).statusCode).toBe(401);
      const login = await new IpClient(env.app).post('/api/auth/login', { email, password: PASSWORD });
      expect(login.statusCode).toBe(401);
      expect(login.json().message).toBe(BAD_CREDENTIALS);

      const back = await admin.post(`/api/users/${user.id}/reactivate`);
      expect(back.statusCode, back.body).toBe(200);
      expect(back.json().status).toBe('active');
      const again = new IpClient(env.app);
      expect((await again.post('/api/auth/login', { email, password: PASSWORD })).statusCode).toBe(200);
      expect((await again.get('/api/auth/me')).json().user.role).toBe('agent');
    });

    it('refuses self-deactivation and demoting the last active admin', async () => {
      const { client: admin, admin: me } = await signup(env.app);
      const self = await admin.post(`/api/users/${me.id}/deactivate`);
      expect(self.statusCode).toBe(422);
      expect(self.json().error).toBe('self_deactivation');
      expect(self.json().message).toMatch(/propre compte/);

      const demote = await admin.patch(`/api/users/${me.id}`, { role: 'manager' });
      expect(demote.statusCode).toBe(422);
      expect(demote.json().error).toBe('last_admin');
      expect((await admin.get('/api/auth/me')).json().user.role).toBe('admin');

      // With a second active admin, one of them may step down; then the other is the last one.
      const { client: other, user: otherUser } = await addMember(env.app, admin, 'admin');
      const stepDown = await other.patch(`/api/users/${me.id}`, { role: 'manager' });
      expect(stepDown.statusCode, stepDown.body).toBe(200);
      expect(stepDown.json().role).toBe('manager');
      const lastOne = await other.patch(`/api/users/${otherUser.id}`, { role: 'agent' });
      expect(lastOne.statusCode).toBe(422);
      expect(lastOne.json().error).toBe('last_admin');
      // The demoted admin lost admin rights on the spot.
      expect((await admin.post('/api/users', { email: uniqueEmail('x'), name: 'Essai', role: 'agent' })).statusCode).toBe(403);
    });
  });

  describe('plan limits', () => {
    it('stops a starter tenant at its seat limit with a French message; a deactivation frees a seat', async () => {
      const limit = PLANS.starter.maxUsers;
      const { client: admin } = await signup(env.app, { plan: 'starter' });
      const invited: UserBody[] = [];
      for (let i = 1; i < limit; i++) invited.push((await invite(admin, 'agent')).user);

      const over = await admin.post('/api/users', { email: uniqueEmail('trop'), name: 'Un de trop', role: 'agent' });
      expect(over.statusCode).toBe(422);
      expect(over.json().error).toBe('plan_limit_users');
      expect(over.json().message).toBe(
        `Votre formule Starter est limitée à ${limit} utilisateurs. Désactivez un compte ou changez de formule.`,
      );
      expect(((await admin.get('/api/users')).json() as { items: unknown[] }).items).toHaveLength(limit);

      // Deactivating someone frees the seat; reactivating them while full is refused.
      expect((await admin.post(`/api/users/${invited[0]!.id}/deactivate`)).statusCode).toBe(200);
      const replacement = await admin.post('/api/users', { email: uniqueEmail('remplacant'), name: 'Remplaçant', role: 'agent' });
      expect(replacement.statusCode, replacement.body).toBe(201);
      const reactivate = await admin.post(`/api/users/${invited[0]!.id}/reactivate`);
      expect(reactivate.statusCode).toBe(422);
      expect(reactivate.json().error).toBe('plan_limit_users');
    });

    it('does not limit a pro tenant at the starter limit', async () => {
      const { client: admin } = await signup(env.app, { plan: 'pro' });
      for (let i = 0; i < PLANS.starter.maxUsers; i++) await invite(admin, 'agent');
      expect(((await admin.get('/api/users')).json() as { items: unknown[] }).items).toHaveLength(PLANS.starter.maxUsers + 1);
    });
  });
});
