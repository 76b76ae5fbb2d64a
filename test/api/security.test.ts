import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { adminPassword, as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

/** The Set-Cookie lines of an answer. */
function setCookies(response: request.Response): string[] {
  const header = response.headers['set-cookie'] as unknown;
  return Array.isArray(header) ? (header as string[]) : typeof header === 'string' ? [header] : [];
}

/** The `name=value` part of a Set-Cookie line, as a browser sends it back. */
const cookiePair = (setCookie: string): string => setCookie.split(';')[0] ?? '';

describe('security headers and the session cookie over plain HTTP', () => {
  const api = useApi();
  let acme: TenantSession;

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
  });

  it('puts the security headers on every answer: authenticated, public, refused and unknown', async () => {
    const answers = [
      await as(api.app, acme).get('/api/users').expect(200),
      await request(api.app).get('/api/openapi.json').expect(200),
      await request(api.app).get('/api/users').set('X-Tenant', 'acme').expect(401),
      // Unknown: under /api (any other GET path is the dashboard's, answered with its index.html).
      await request(api.app).get('/api/no/such/page').expect(404),
      await request(api.app).get('/no/such/page'),
      await request(api.app).post('/api/tenants').set('Content-Type', 'application/json').send('{"broken').expect(400),
    ];
    for (const answer of answers) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['referrer-policy']).toBe('no-referrer');
      expect(answer.headers['x-frame-options']).toBe('DENY');
      const csp = String(answer.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toMatch(/'unsafe-eval'/);
      // Plain HTTP: HSTS would be ignored, and would misdescribe the deployment.
      expect(answer.headers['strict-transport-security']).toBeUndefined();
    }
    // The API is never stored by a cache: an authenticated list of users above all.
    expect(answers[0]?.headers['cache-control']).toBe('no-store');
    expect(answers[2]?.headers['cache-control']).toBe('no-store');
  });

  it('serves no tenant data at a case variant of an API path, and keeps such answers out of caches', async () => {
    for (const variant of ['/API/users', '/Api/users', '/api/USERS']) {
      const answer = await as(api.app, acme).get(variant);
      expect([variant, answer.status, answer.body.code]).toEqual([variant, 404, 'not-found']);
      expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(answer.text).not.toContain('admin');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('keeps the unprefixed, non-Secure cookie over plain HTTP (browsers refuse __Host- without Secure)', async () => {
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'acme').send({ username: 'admin', password: adminPassword }).expect(200);
    const [cookie] = setCookies(login);
    expect(cookie).toMatch(/^sc_session=scs_/);
    expect(cookie).not.toMatch(/Secure/);
    expect(login.headers['cache-control']).toBe('no-store');
  });

  it('logs a browser in with the session in the HttpOnly cookie only, never in the body', async () => {
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'acme').send({ username: 'admin', password: adminPassword, session: 'cookie' }).expect(200);
    expect(login.body).toEqual({ csrfToken: expect.any(String), user: { username: 'admin', role: 'admin' }, tenant: 'acme' });
    const [cookie] = setCookies(login);
    expect(cookie).toMatch(/HttpOnly/);
    const secret = cookiePair(cookie ?? '').split('=')[1] ?? '';
    expect(secret).toMatch(/^scs_/);
    expect(JSON.stringify(login.body)).not.toContain(secret);
    // The cookie works, reads without and writes with the CSRF token it answered.
    await request(api.app).get('/api/me').set('X-Tenant', 'acme').set('Cookie', cookiePair(cookie ?? '')).expect(200);
    await request(api.app).post('/api/locations').set('X-Tenant', 'acme').set('Cookie', cookiePair(cookie ?? '')).send({ code: 'WH', type: 'warehouse' }).expect(403);
    await request(api.app)
      .post('/api/locations')
      .set('X-Tenant', 'acme')
      .set('Cookie', cookiePair(cookie ?? ''))
      .set('X-CSRF-Token', String(login.body.csrfToken))
      .send({ code: 'WH', type: 'warehouse' })
      .expect(201);
    // Existing clients that send no `session` keep API.md's answer with the token.
    const classic = await request(api.app).post('/api/auth/login').set('X-Tenant', 'acme').send({ username: 'admin', password: adminPassword }).expect(200);
    expect(classic.body.token).toMatch(/^scs_/);
  });

  it("names the token's credential id in the metadata of the events it records, not only its name", async () => {
    const issued = await as(api.app, acme).post('/api/tokens').send({ name: 'rf-terminal', role: 'manager' }).expect(201);
    // A second token of the same name: the name alone cannot tell them apart.
    await as(api.app, acme).post('/api/tokens').send({ name: 'rf-terminal', role: 'manager' }).expect(201);
    const token: TenantSession = { tenant: 'acme', token: issued.body.token as string };
    await as(api.app, token).post('/api/articles').send({ sku: 'NUT', name: 'Nut', unit: 'pcs', tracking: 'none' }).expect(201);
    const events = await as(api.app, acme).get('/api/audit/events?limit=500').expect(200);
    const registered = (events.body.items as Array<{ type: string; metadata: Record<string, unknown> }>).find((event) => event.type === 'ArticleRegistered');
    expect(registered?.metadata).toMatchObject({ user: 'token:rf-terminal', credentialId: issued.body.id });
  });
});

describe('security headers and the session cookie over HTTPS through a trusted proxy', () => {
  const api = useApi({ TRUST_PROXY: '127.0.0.1' });

  beforeAll(async () => {
    await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Secure Ltd', tenant: 'secure', email: 'admin@secure.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
  });

  it('sends Strict-Transport-Security only when the request came over HTTPS', async () => {
    const https = await request(api.app).get('/healthz').set('X-Forwarded-Proto', 'https').expect(200);
    expect(https.headers['strict-transport-security']).toMatch(/^max-age=\d{7,}/);
    const http = await request(api.app).get('/healthz').expect(200);
    expect(http.headers['strict-transport-security']).toBeUndefined();
  });

  it('makes the session cookie __Host- and Secure, and accepts it back', async () => {
    const login = await request(api.app)
      .post('/api/auth/login')
      .set('X-Tenant', 'secure')
      .set('X-Forwarded-Proto', 'https')
      .send({ username: 'admin', password: adminPassword, session: 'cookie' })
      .expect(200);
    const [cookie] = setCookies(login);
    expect(cookie).toMatch(/^__Host-sc_session=scs_/);
    expect(cookie).toMatch(/; Path=\/;/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).not.toMatch(/Domain=/);
    await request(api.app).get('/api/me').set('X-Tenant', 'secure').set('X-Forwarded-Proto', 'https').set('Cookie', cookiePair(cookie ?? '')).expect(200);
    const logout = await request(api.app)
      .post('/api/auth/logout')
      .set('X-Tenant', 'secure')
      .set('X-Forwarded-Proto', 'https')
      .set('Cookie', cookiePair(cookie ?? ''))
      .set('X-CSRF-Token', String(login.body.csrfToken))
      .expect(204);
    expect(setCookies(logout).map(cookiePair)).toEqual(expect.arrayContaining(['__Host-sc_session=', 'sc_session=']));
    await request(api.app).get('/api/me').set('X-Tenant', 'secure').set('X-Forwarded-Proto', 'https').set('Cookie', cookiePair(cookie ?? '')).expect(401);
  });
});
