import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { adminPassword, as, registerAndLogin, useApi } from '../support/api.js';

const registration = (tenant: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  companyName: 'Inther Software Development',
  tenant,
  email: `admin@${tenant}.example`,
  username: 'admin',
  password: adminPassword,
  passwordConfirm: adminPassword,
  ...overrides,
});

describe('registration, login, sessions, tokens and users', () => {
  const api = useApi();

  it('registers a company that can log in and work at once', async () => {
    const response = await request(api.app).post('/api/tenants').send(registration('isd')).expect(201);
    expect(response.body).toEqual({ tenant: 'isd', domain: 'isd.localhost', loginUrl: 'http://isd.localhost:3000/login' });
    const login = await request(api.app).post('/api/auth/login').set('Host', 'isd.localhost:3000').send({ username: 'admin', password: adminPassword }).expect(200);
    expect(login.body).toMatchObject({ user: { username: 'admin', role: 'admin' }, tenant: 'isd' });
    const stock = await request(api.app).get('/api/stock').set('Host', 'isd.localhost').set('Authorization', `Bearer ${login.body.token}`).expect(200);
    expect(stock.body).toEqual({ items: [], nextCursor: null });
    expect(stock.headers['x-position']).toBe('0');
    const hash = await api.database.db.one<{ password_hash: string }>(`select password_hash from users where tenant = 'isd'`);
    expect(hash.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('reports every bad field of a registration at once', async () => {
    const response = await request(api.app)
      .post('/api/tenants')
      .send({ companyName: ' x ', tenant: 'Bad_Slug', email: 'not-an-email', username: 'a!', password: 'short', passwordConfirm: 'other' })
      .expect(422);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    const paths = (response.body.errors as Array<{ path: string }>).map((error) => error.path).sort();
    expect([...new Set(paths)]).toEqual(['companyName', 'email', 'password', 'passwordConfirm', 'tenant', 'username']);
  });

  it.each([
    ['ab', 'too short'],
    ['a'.repeat(41), 'too long'],
    ['1abc', 'starts with a digit'],
    ['-abc', 'leading hyphen'],
    ['abc-', 'trailing hyphen'],
    ['ab--c', 'double hyphen'],
    ['www', 'reserved'],
    ['admin', 'reserved'],
    ['pgsomething', 'starts with pg'],
    ['acme;drop', 'metacharacters'],
  ])('refuses the slug %s (%s)', async (tenant) => {
    const response = await request(api.app).post('/api/tenants').send(registration(tenant, { email: 'admin@example.com' })).expect(422);
    expect(response.body.errors.length).toBeGreaterThan(0);
    expect(new Set((response.body.errors as Array<{ path: string }>).map((error) => error.path))).toEqual(new Set(['tenant']));
  });

  it('refuses a slug that is taken, and leaves nothing behind of the refused registration', async () => {
    await request(api.app).post('/api/tenants').send(registration('taken')).expect(201);
    const response = await request(api.app).post('/api/tenants').send(registration('taken', { companyName: 'Other', username: 'other' })).expect(409);
    expect(response.body.code).toBe('tenant-taken');
    const users = await api.database.db.one<{ count: string }>(`select count(*) from users where tenant = 'taken'`);
    expect(users.count).toBe('1');
  });

  it('leaves nothing behind when registration fails midway', async () => {
    // A read schema squatting on the new tenant's schema name makes the last step fail.
    const { readSchemaName } = await import('../../src/projections/schema-name.js');
    const squatted = readSchemaName('halfway', api.application.readSchemas.version);
    await api.database.db.none(`create schema ${squatted}`);
    const failed = await request(api.app).post('/api/tenants').send(registration('halfway')).expect(500);
    // A 5xx says nothing of the internals: no SQL, no stack, no schema names.
    expect(failed.body).toEqual({ type: '/problems/internal', title: 'Internal server error', status: 500, code: 'internal', detail: expect.any(String) });
    expect(JSON.stringify(failed.body)).not.toMatch(/rm_|schema|select|insert|at \w+ \(/i);
    const left = await api.database.db.one<{ tenants: string; users: string; domains: string }>(
      `select (select count(*) from tenants where slug = 'halfway') as tenants, (select count(*) from users where tenant = 'halfway') as users,
              (select count(*) from tenant_domains where tenant = 'halfway') as domains`,
    );
    expect(left).toEqual({ tenants: '0', users: '0', domains: '0' });
    await api.database.db.none(`drop schema ${squatted}`);
    await request(api.app).post('/api/tenants').send(registration('halfway')).expect(201);
  });

  it('answers a wrong password and an unknown user the same way', async () => {
    await request(api.app).post('/api/tenants').send(registration('samey')).expect(201);
    const wrong = await request(api.app).post('/api/auth/login').set('X-Tenant', 'samey').send({ username: 'admin', password: 'wrong password' }).expect(401);
    const unknown = await request(api.app).post('/api/auth/login').set('X-Tenant', 'samey').send({ username: 'nobody', password: 'wrong password' }).expect(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  it('uses the session cookie, and refuses its writes without the CSRF token', async () => {
    await request(api.app).post('/api/tenants').send(registration('cookie')).expect(201);
    const agent = request.agent(api.app);
    const login = await agent.post('/api/auth/login').set('X-Tenant', 'cookie').send({ username: 'admin', password: adminPassword }).expect(200);
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/sc_session=/);
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    await agent.get('/api/me').set('X-Tenant', 'cookie').expect(200);
    const article = { sku: 'CSRF-1', name: 'Thing', unit: 'pcs', tracking: 'none' };
    const refused = await agent.post('/api/articles').set('X-Tenant', 'cookie').send(article).expect(403);
    expect(refused.body.code).toBe('csrf');
    await agent.post('/api/articles').set('X-Tenant', 'cookie').set('X-CSRF-Token', 'wrong').send(article).expect(403);
    const csrf = await agent.get('/api/auth/csrf').set('X-Tenant', 'cookie').expect(200);
    expect(csrf.body.csrfToken).toBe(login.body.csrfToken);
    await agent.post('/api/articles').set('X-Tenant', 'cookie').set('X-CSRF-Token', csrf.body.csrfToken).send(article).expect(201);
    await agent.post('/api/auth/logout').set('X-Tenant', 'cookie').set('X-CSRF-Token', csrf.body.csrfToken).expect(204);
    await request(api.app).get('/api/me').set('X-Tenant', 'cookie').set('Authorization', `Bearer ${login.body.token}`).expect(401);
  });

  it('issues API tokens shown once, lists them without secrets, and revokes them at once', async () => {
    const admin = await registerAndLogin(api.app, 'tokens');
    const issued = await as(api.app, admin).post('/api/tokens').send({ name: 'rf-terminal-3', role: 'operator' }).expect(201);
    expect(issued.body.token).toMatch(/^sct_/);
    const terminal = { tenant: 'tokens', token: issued.body.token as string };
    const me = await as(api.app, terminal).get('/api/me').expect(200);
    expect(me.body).toMatchObject({ user: { role: 'operator' }, tenant: 'tokens', via: 'token' });
    const listed = await as(api.app, admin).get('/api/tokens').expect(200);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: issued.body.id, name: 'rf-terminal-3', role: 'operator', revokedAt: null })]);
    expect(JSON.stringify(listed.body)).not.toContain(issued.body.token);
    // Stored as its SHA-256 only: no column of any credential holds the token.
    const stored = await api.database.db.one<{ hashed: boolean; clear: string }>(
      `select exists (select 1 from credentials where id = $2 and secret_hash = sha256(convert_to($1, 'UTF8'))) as hashed,
              (select count(*) from credentials c where row_to_json(c)::text like '%' || $1 || '%') as clear`,
      [issued.body.token, issued.body.id],
    );
    expect(stored).toEqual({ hashed: true, clear: '0' });
    await as(api.app, admin).delete(`/api/tokens/${issued.body.id}`).expect(204);
    await as(api.app, terminal).get('/api/me').expect(401);
    await as(api.app, admin).delete('/api/tokens/00000000-0000-4000-8000-000000000000').expect(404);
  });

  it('creates users with roles; usernames are unique regardless of case', async () => {
    const admin = await registerAndLogin(api.app, 'people');
    await as(api.app, admin).post('/api/users').send({ username: 'olga', email: 'olga@people.example', password: 'operator password', role: 'operator' }).expect(201);
    const taken = await as(api.app, admin).post('/api/users').send({ username: 'OLGA', email: 'o@people.example', password: 'operator password', role: 'viewer' }).expect(409);
    expect(taken.body.code).toBe('username-taken');
    const bad = await as(api.app, admin).post('/api/users').send({ username: 'x', email: 'nope', password: 'short', role: 'boss' }).expect(422);
    expect((bad.body.errors as Array<{ path: string }>).map((error) => error.path).sort()).toEqual(['email', 'password', 'role', 'username']);
    const users = await as(api.app, admin).get('/api/users').expect(200);
    expect((users.body.items as Array<{ username: string; role: string }>).map((user) => [user.username, user.role])).toEqual([
      ['admin', 'admin'],
      ['olga', 'operator'],
    ]);
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'people').send({ username: 'olga', password: 'operator password' }).expect(200);
    expect(login.body.user).toEqual({ username: 'olga', role: 'operator' });
  });

  it('resolves the tenant from Host, custom domains and X-Tenant, and binds credentials to one tenant', async () => {
    const acme = await registerAndLogin(api.app, 'acme');
    const acmeCorp = await registerAndLogin(api.app, 'acme-corp');
    await api.database.db.none(`insert into tenant_domains (domain, tenant) values ('stock.acme.example', 'acme')`);
    const bearer = (token: string) => `Bearer ${token}`;
    // Prefix slugs are different tenants: acme's token is not acme-corp's.
    await request(api.app).get('/api/me').set('Host', 'acme.localhost').set('Authorization', bearer(acme.token)).expect(200);
    await request(api.app).get('/api/me').set('Host', 'acme-corp.localhost').set('Authorization', bearer(acme.token)).expect(401);
    await request(api.app).get('/api/me').set('X-Tenant', 'acme-corp').set('Authorization', bearer(acme.token)).expect(401);
    // The Host of B with the X-Tenant of A is B's request.
    await request(api.app).get('/api/me').set('Host', 'acme-corp.localhost:3000').set('X-Tenant', 'acme').set('Authorization', bearer(acme.token)).expect(401);
    const viaHost = await request(api.app).get('/api/me').set('Host', 'acme-corp.localhost:3000').set('X-Tenant', 'acme').set('Authorization', bearer(acmeCorp.token)).expect(200);
    expect(viaHost.body.tenant).toBe('acme-corp');
    // A custom domain.
    const custom = await request(api.app).get('/api/me').set('Host', 'stock.acme.example').set('Authorization', bearer(acme.token)).expect(200);
    expect(custom.body.tenant).toBe('acme');
    // Unknown tenants.
    for (const host of ['nobody.localhost', 'acm.localhost', 'evil.example']) {
      const response = await request(api.app).get('/api/me').set('Host', host).set('Authorization', bearer(acme.token)).expect(404);
      expect(response.body.code).toBe('unknown-tenant');
    }
    await request(api.app).get('/api/me').set('X-Tenant', 'acm').set('Authorization', bearer(acme.token)).expect(404);
    await request(api.app).get('/api/me').set('X-Tenant', "acme' or '1'='1").set('Authorization', bearer(acme.token)).expect(404);
    await request(api.app).get('/api/me').set('Host', '127.0.0.1:3000').expect(404);
    // No or malformed credentials.
    await request(api.app).get('/api/me').set('X-Tenant', 'acme').expect(401);
    await request(api.app).get('/api/me').set('X-Tenant', 'acme').set('Authorization', 'Bearer not-a-token').expect(401);
    await request(api.app).get('/api/me').set('X-Tenant', 'acme').set('Authorization', 'Basic YWRtaW46YWRtaW4=').expect(401);
  });
});

describe('the session cookie behind HTTPS', () => {
  const api = useApi({ SESSION_COOKIE_SECURE: 'true' });

  it('is marked Secure when SESSION_COOKIE_SECURE=true', async () => {
    await request(api.app).post('/api/tenants').send(registration('secure')).expect(201);
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'secure').send({ username: 'admin', password: adminPassword }).expect(200);
    expect(String(login.headers['set-cookie'])).toMatch(/; Secure/);
  });
});
