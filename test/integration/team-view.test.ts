import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../helpers/deps.ts';
import { addUser, sampleComplaint, signupTenant, TestClient, PASSWORD } from '../helpers/http.ts';
import { applyTenantFile } from '../../src/services/tenant-apply.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.close();
});

type Listed = { items: { reference: string; processId: string | null; assigneeId: string | null }[]; total: number; totalCapped: boolean };

async function setTeams(admin: TestClient, userId: string, teams: unknown) {
  return admin.patch(`/api/users/${userId}`, { teams });
}

async function complaint(client: TestClient, overrides: Record<string, unknown>): Promise<string> {
  const res = await client.post('/api/complaints', sampleComplaint({ contractNumber: null, ...overrides }));
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { reference: string }).reference;
}

async function references(client: TestClient, query: string): Promise<string[]> {
  const res = await client.get(`/api/complaints?${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as Listed).items.map((i) => i.reference).sort();
}

describe(`team view (${process.env.DATABASE_URL ? 'postgres' : 'pglite'})`, () => {
  it('lists the complaints of the caller’s teams: routed to their processes or assigned to a colleague', async () => {
    const a = await signupTenant(env.app);
    const alice = await addUser(env.app, a.client, 'agent');
    const bob = await addUser(env.app, a.client, 'agent');
    const carol = await addUser(env.app, a.client, 'agent');
    const dave = await addUser(env.app, a.client, 'agent');

    // Written loosely: stored as the processes write the team ('Sinistres'), without duplicates.
    const set = await setTeams(a.client, alice.user.id, [' sinistres ', 'Sinistres']);
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().teams).toEqual(['Sinistres']);
    expect((await setTeams(a.client, bob.user.id, ['Sinistres', 'Conformité'])).statusCode).toBe(200);
    expect((await setTeams(a.client, carol.user.id, ['Relation client'])).statusCode).toBe(200);
    // The session carries the teams (the console shows the view's empty state without them).
    expect((await alice.client.get('/api/auth/me')).json().user.teams).toEqual(['Sinistres']);
    expect((await dave.client.get('/api/auth/me')).json().user.teams).toEqual([]);
    const listed = (await a.client.get('/api/users')).json().items as { id: string; teams: string[] }[];
    expect(listed.find((u) => u.id === bob.user.id)?.teams).toEqual(['Sinistres', 'Conformité']);

    // Process « Indemnisation et sinistres » (team Sinistres), nobody assigned.
    const claim = await complaint(a.client, { cause: 'indemnisation' });
    // Process « Qualité de l’accueil » (Relation client), assigned to Bob, a colleague of Alice.
    const toBob = await complaint(a.client, { cause: 'accueil', assigneeId: bob.user.id });
    // Relation client, assigned to Carol: not Alice's team.
    const toCarol = await complaint(a.client, { cause: 'accueil', assigneeId: carol.user.id });
    // Tarification (team Production), unassigned, and Relation client unassigned: nobody's here.
    const pricing = await complaint(a.client, { cause: 'tarification' });
    const welcome = await complaint(a.client, { cause: 'accueil' });

    const detail = (await a.client.get(`/api/complaints?q=${claim}`)).json() as Listed;
    const process = (await a.client.get('/api/processes')).json().items.find((p: { id: string }) => p.id === detail.items[0]!.processId);
    expect(process.team).toBe('Sinistres');

    expect(await references(alice.client, 'myTeams=true')).toEqual([claim, toBob].sort());
    const page = (await alice.client.get('/api/complaints?myTeams=true&limit=1')).json() as Listed;
    expect(page).toMatchObject({ total: 2, totalCapped: false });
    expect(page.items).toHaveLength(1);
    // Bob's teams are Sinistres and Conformité: the same two (no Conformité complaint here).
    expect(await references(bob.client, 'myTeams=true')).toEqual([claim, toBob].sort());
    // Carol: the Relation client process (whoever it is assigned to), not the claim.
    expect(await references(carol.client, 'myTeams=true')).toEqual([toBob, toCarol, welcome].sort());
    // Filters combine with the view.
    expect(await references(alice.client, 'myTeams=true&cause=accueil')).toEqual([toBob]);
    expect(await references(alice.client, 'myTeams=true&assignee=none')).toEqual([claim]);

    // No team: an empty list, not everything.
    const none = (await dave.client.get('/api/complaints?myTeams=true')).json() as Listed;
    expect(none).toMatchObject({ items: [], total: 0, totalCapped: false });
    expect((await dave.client.get('/api/complaints')).json().total).toBe(5);

    // A named team, whoever asks (case-insensitive); with myTeams, only if the caller is in it.
    expect(await references(dave.client, 'team=sinistres')).toEqual([claim, toBob].sort());
    expect(await references(dave.client, `team=${encodeURIComponent('Relation client')}`)).toEqual([toBob, toCarol, welcome].sort());
    expect(await references(alice.client, 'team=Sinistres&myTeams=true')).toEqual([claim, toBob].sort());
    expect(await references(alice.client, `team=${encodeURIComponent('Relation client')}&myTeams=true`)).toEqual([]);
    expect(await references(dave.client, 'team=Production')).toEqual([pricing]);
    expect(await references(dave.client, 'team=Inconnue')).toEqual([]);

    // Teams replaced: Alice leaves Sinistres for Relation client.
    expect((await setTeams(a.client, alice.user.id, ['Relation client'])).json().teams).toEqual(['Relation client']);
    expect(await references(alice.client, 'myTeams=true')).toEqual([toBob, toCarol, welcome].sort());
    expect((await setTeams(a.client, alice.user.id, [])).json().teams).toEqual([]);
    expect((await alice.client.get('/api/complaints?myTeams=true')).json().total).toBe(0);

    // The change is in the audit trail.
    const audit = (await a.client.get('/api/audit?type=user.teams_changed')).json() as { items: { type: string }[] };
    expect(audit.items.map((e) => e.type)).toContain('user.teams_changed');
  });

  it('never crosses tenants: another cabinet’s team of the same name is not visible', async () => {
    const a = await signupTenant(env.app);
    const b = await signupTenant(env.app);
    const aAgent = await addUser(env.app, a.client, 'agent');
    const bAgent = await addUser(env.app, b.client, 'agent');
    const bColleague = await addUser(env.app, b.client, 'agent');
    for (const [admin, user] of [
      [a.client, aAgent],
      [b.client, bAgent],
      [b.client, bColleague],
    ] as const) {
      expect((await setTeams(admin, user.user.id, ['Sinistres'])).statusCode).toBe(200);
    }
    const aClaim = await complaint(a.client, { cause: 'indemnisation' });
    const bClaim = await complaint(b.client, { cause: 'indemnisation' });
    const bAssigned = await complaint(b.client, { cause: 'tarification', assigneeId: bColleague.user.id });

    expect(await references(aAgent.client, 'myTeams=true')).toEqual([aClaim]);
    expect(await references(aAgent.client, 'team=Sinistres')).toEqual([aClaim]);
    expect(await references(bAgent.client, 'myTeams=true')).toEqual([bClaim, bAssigned].sort());

    // An admin cannot give teams to another cabinet's user (not found, nothing changed).
    const cross = await setTeams(a.client, bAgent.user.id, ['Sinistres', 'Production']);
    expect(cross.statusCode).toBe(404);
    expect((await bAgent.client.get('/api/auth/me')).json().user.teams).toEqual(['Sinistres']);
  });

  it('lets only admins set teams, with French validation errors', async () => {
    const a = await signupTenant(env.app);
    const agent = await addUser(env.app, a.client, 'agent');
    const manager = await addUser(env.app, a.client, 'manager');

    for (const client of [agent.client, manager.client]) {
      for (const target of [agent.user.id, manager.user.id]) {
        const res = await setTeams(client, target, ['Sinistres']);
        expect(res.statusCode).toBe(403);
        expect(res.json().message).toBe('Action non autorisée pour votre rôle.');
      }
    }
    expect((await agent.client.get('/api/auth/me')).json().user.teams).toEqual([]);

    const tooMany = await setTeams(a.client, agent.user.id, Array.from({ length: 21 }, (_, i) => `Équipe ${i + 1}`));
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toMatchObject({ error: 'validation', fields: { teams: '20 équipes au plus par utilisateur.' } });

    const tooLong = await setTeams(a.client, agent.user.id, ['Sinistres', 'x'.repeat(101)]);
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().fields['teams.1']).toBe('Nom d’équipe trop long : 100 caractères au plus.');

    const blank = await setTeams(a.client, agent.user.id, ['   ']);
    expect(blank.statusCode).toBe(400);
    expect(blank.json().fields['teams.0']).toBe('Le nom d’équipe ne peut pas être vide.');

    const notAList = await setTeams(a.client, agent.user.id, 'Sinistres');
    expect(notAList.statusCode).toBe(400);
    expect(notAList.json().fields.teams).toBe('Liste de noms d’équipe attendue.');

    const nothing = await a.client.patch(`/api/users/${agent.user.id}`, {});
    expect(nothing.statusCode).toBe(400);
    expect(Object.values(nothing.json().fields as Record<string, string>)).toContain('Indiquez le rôle ou les équipes à modifier.');

    const badTeamQuery = await agent.client.get(`/api/complaints?team=${'y'.repeat(101)}`);
    expect(badTeamQuery.statusCode).toBe(400);
    expect(badTeamQuery.json().fields.team).toBe('Nom d’équipe trop long : 100 caractères au plus.');

    // Twenty names of 100 characters are fine; role and teams change together.
    const max = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(2, '0')}${'é'.repeat(98)}`);
    const ok = await a.client.patch(`/api/users/${agent.user.id}`, { role: 'manager', teams: max });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ role: 'manager', teams: max });
  });

  it('takes users’ teams from a tenant file (spelled as its processes spell them), and keeps them when the file says nothing', async () => {
    const slug = `equipes-${Date.now().toString(36)}`;
    const file = (teams?: string[]) => ({
      slug,
      companyName: 'Cabinet Équipes',
      managerName: 'Claire Martin',
      email: `claire@${slug}.example`,
      plan: 'pro',
      users: [
        { email: `claire@${slug}.example`, name: 'Claire Martin', role: 'admin', passwordEnv: 'TEAM_TEST_PASSWORD' },
        { email: `hugo@${slug}.example`, name: 'Hugo Roux', role: 'agent', ...(teams ? { teams } : {}) },
      ],
      processes: [{ key: 'reclamation-flotte', name: 'Réclamation — flottes', kind: 'reclamation', cause: null, team: 'Entreprises' }],
    });
    const env2 = { TEAM_TEST_PASSWORD: PASSWORD };
    await applyTenantFile(env.deps, file(['entreprises', ' Sinistres ', 'Nouvelle équipe']), env2);
    const admin = new TestClient(env.app);
    await admin.login(`claire@${slug}.example`, PASSWORD);
    const hugo = async () => ((await admin.get('/api/users')).json().items as { email: string; teams: string[] }[]).find((u) => u.email.startsWith('hugo'))!.teams;
    expect(await hugo()).toEqual(['Entreprises', 'Sinistres', 'Nouvelle équipe']);
    await applyTenantFile(env.deps, file(), env2);
    expect(await hugo()).toEqual(['Entreprises', 'Sinistres', 'Nouvelle équipe']);
    await applyTenantFile(env.deps, file([]), env2);
    expect(await hugo()).toEqual([]);
    await expect(applyTenantFile(env.deps, file(['x'.repeat(101)]), env2)).rejects.toMatchObject({
      fields: { 'users.1.teams.0': 'Nom d’équipe trop long : 100 caractères au plus.' },
    });
  });
});
