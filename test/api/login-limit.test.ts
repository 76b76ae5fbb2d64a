import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { LoginLimiter } from '../../src/tenancy/login-limiter.js';
import { adminPassword, useApi } from '../support/api.js';

describe('login rate limiting (its own application: the limit is per client, and every test here is one client)', () => {
  const api = useApi();

  it('refuses the 11th failure within a minute for one username with 429, even with the right password', async () => {
    await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Limited', tenant: 'limited', email: 'a@limited.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await request(api.app).post('/api/auth/login').set('X-Tenant', 'limited').send({ username: 'admin', password: `guess ${attempt}` }).expect(401);
    }
    const limited = await request(api.app).post('/api/auth/login').set('X-Tenant', 'limited').send({ username: 'admin', password: adminPassword }).expect(429);
    expect(limited.body.code).toBe('rate-limited');
    expect(limited.headers['content-type']).toMatch(/application\/problem\+json/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('login rate limiting under parallel attempts', () => {
  const api = useApi();

  it('lets at most 10 of 30 parallel wrong logins for one username be checked; the rest are 429', async () => {
    await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Parallel', tenant: 'parallel', email: 'a@parallel.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
    const answers = await Promise.all(
      Array.from({ length: 30 }, (_, attempt) => request(api.app).post('/api/auth/login').set('X-Tenant', 'parallel').send({ username: 'admin', password: `guess ${attempt}` })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
  });
});

describe('LoginLimiter (in PostgreSQL, shared by every process)', () => {
  const api = useApi();
  const wait = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

  it('counts per username and per client over a sliding window, across two limiters on one database', async () => {
    const here = new LoginLimiter(api.database.db, 3, 2);
    const elsewhere = new LoginLimiter(api.database.db, 3, 2);
    // Three different usernames from one client, through two "processes": the client is limited.
    expect((await here.attempt('t', 'a', '10.0.0.1')).allowed).toBe(true);
    expect((await elsewhere.attempt('t', 'b', '10.0.0.1')).allowed).toBe(true);
    expect((await here.attempt('t', 'c', '10.0.0.1')).allowed).toBe(true);
    const refused = await elsewhere.attempt('t', 'd', '10.0.0.1');
    expect(refused).toMatchObject({ allowed: false });
    expect(refused.allowed ? 0 : refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await here.attempt('t', 'd', '10.0.0.2')).allowed).toBe(true);
    await wait(2100);
    expect((await here.attempt('t', 'd', '10.0.0.1')).allowed).toBe(true);
  }, 15_000);

  it('limits a username from many clients; a success forgets its failures and takes its own attempt back', async () => {
    const limiter = new LoginLimiter(api.database.db, 3, 60);
    for (const client of ['10.1.0.1', '10.1.0.2']) expect((await limiter.attempt('t', 'Admin', client)).allowed).toBe(true);
    const last = await limiter.attempt('t', 'admin', '10.1.0.3');
    expect((await limiter.attempt('t', 'ADMIN', '10.1.0.4')).allowed).toBe(false);
    expect((await limiter.attempt('other-tenant', 'admin', '10.1.0.4')).allowed).toBe(true);
    if (!last.allowed) throw new Error('the third attempt should have been allowed');
    await last.succeeded();
    expect((await limiter.attempt('t', 'admin', '10.1.0.5')).allowed).toBe(true);
    const own = await api.database.db.one<{ n: number }>(`select count(*)::int as n from login_attempts where key = 'c:10.1.0.3'`);
    expect(own.n).toBe(0);
  });
});

describe('login limits behind a trusted proxy', () => {
  const api = useApi({ TRUST_PROXY: 'loopback' });

  it('count per forwarded client address, so one client cannot lock out another', async () => {
    await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Proxied', tenant: 'proxied', email: 'a@proxied.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await request(api.app).post('/api/auth/login').set('X-Tenant', 'proxied').set('X-Forwarded-For', '203.0.113.7').send({ username: `nobody${attempt}`, password: 'guess' }).expect(401);
    }
    await request(api.app).post('/api/auth/login').set('X-Tenant', 'proxied').set('X-Forwarded-For', '203.0.113.7').send({ username: 'admin', password: adminPassword }).expect(429);
    await request(api.app).post('/api/auth/login').set('X-Tenant', 'proxied').set('X-Forwarded-For', '198.51.100.2').send({ username: 'admin', password: adminPassword }).expect(200);
  });
});
