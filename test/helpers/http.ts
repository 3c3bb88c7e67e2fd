import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';

/**
 * A browser-like client over app.inject: keeps cookies, fetches the CSRF token once and sends it on
 * every state-changing request, as the console does.
 */
let clientSeq = Math.floor(Math.random() * 1_000_000);
/** Each client comes from its own loopback address, as separate browsers would (per-IP rate limits). */
function nextAddress(): string {
  const n = ++clientSeq;
  return `127.${(n >> 16) & 255}.${(n >> 8) & 255}.${(n & 255) || 1}`;
}

export class TestClient {
  private cookies = new Map<string, string>();
  private csrf: string | null = null;
  readonly address = nextAddress();

  constructor(private readonly app: FastifyInstance, private readonly headers: Record<string, string> = {}) {}

  cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private keep(res: LightMyRequestResponse): void {
    for (const c of res.cookies) {
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async csrfToken(): Promise<string> {
    if (!this.csrf) {
      const res = await this.raw({ method: 'GET', url: '/api/auth/csrf' });
      this.csrf = (res.json() as { csrfToken: string }).csrfToken;
    }
    return this.csrf;
  }

  async raw(options: InjectOptions & { csrf?: boolean }): Promise<LightMyRequestResponse> {
    const method = (options.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { ...this.headers, ...(options.headers as Record<string, string>) };
    if (method !== 'GET' && method !== 'HEAD' && options.csrf !== false) headers['x-csrf-token'] = await this.csrfToken();
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    const res = await this.app.inject({ remoteAddress: this.address, ...options, method: method as InjectOptions['method'], headers });
    this.keep(res);
    return res;
  }

  get(url: string) {
    return this.raw({ method: 'GET', url });
  }
  post(url: string, payload?: unknown) {
    return this.raw({ method: 'POST', url, ...(payload !== undefined ? { payload: payload as object } : {}) });
  }
  put(url: string, payload: unknown) {
    return this.raw({ method: 'PUT', url, payload: payload as object });
  }
  patch(url: string, payload: unknown) {
    return this.raw({ method: 'PATCH', url, payload: payload as object });
  }
  delete(url: string) {
    return this.raw({ method: 'DELETE', url });
  }

  async login(email: string, password: string): Promise<LightMyRequestResponse> {
    const res = await this.post('/api/auth/login', { email, password });
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
    return res;
  }
}

let seq = 0;
export const PASSWORD = 'correct-horse-battery-staple';

/** Signs a new tenant up through the API; returns a logged-in admin client and the tenant. */
export async function signupTenant(app: FastifyInstance, name = `Cabinet Test ${++seq}`, plan: 'starter' | 'pro' | 'enterprise' = 'pro') {
  const client = new TestClient(app);
  const email = `admin.${Date.now().toString(36)}.${++seq}@cabinet.example`;
  const res = await client.post('/api/signup', {
    companyName: name,
    orias: '12345678',
    managerName: 'Claire Martin',
    email,
    phone: '01 40 71 18 00',
    plan,
    password: PASSWORD,
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const body = res.json() as { tenant: { id: string; slug: string }; user: { id: string; email: string } };
  return { client, tenant: body.tenant, admin: body.user, email };
}

/** Invites a user with the given role and returns a client logged in as them. */
export async function addUser(app: FastifyInstance, admin: TestClient, role: 'agent' | 'manager' | 'admin') {
  const email = `${role}.${Date.now().toString(36)}.${++seq}@cabinet.example`;
  const inv = await admin.post('/api/users', { email, name: `Utilisateur ${role} ${seq}`, role });
  if (inv.statusCode !== 201) throw new Error(`invite failed: ${inv.statusCode} ${inv.body}`);
  const { user, invitationUrl } = inv.json() as { user: { id: string }; invitationUrl: string };
  const token = invitationUrl.split('/').pop()!;
  const anon = new TestClient(app);
  const acc = await anon.post('/api/invitations/accept', { token, password: PASSWORD });
  if (acc.statusCode !== 200) throw new Error(`accept failed: ${acc.statusCode} ${acc.body}`);
  const client = new TestClient(app);
  await client.login(email, PASSWORD);
  return { client, user, email };
}

export function sampleComplaint(overrides: Record<string, unknown> = {}) {
  return {
    channel: 'letter',
    sentOn: '2026-03-02',
    receivedAt: '2026-03-05T09:30:00+01:00',
    complainant: { name: 'Jeanne Dupont', email: 'jeanne.dupont@example.fr', phone: '06 12 34 56 78' },
    nature: 'Remboursement dentaire refusé',
    description: 'Ma mutuelle refuse de rembourser ma couronne dentaire alors que le devis avait été accepté.',
    contractNumber: 'SAN-2024-0042',
    product: 'sante',
    cause: 'indemnisation',
    ...overrides,
  };
}
