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

describe('LoginLimiter', () => {
  it('counts per username and per client over a sliding minute', () => {
    let now = 0;
    const limiter = new LoginLimiter(10, 60_000, () => now);
    for (let attempt = 0; attempt < 10; attempt += 1) limiter.attempt('t', `user${attempt}`, '10.0.0.1');
    // Ten different usernames from one client: the client is limited, another client is not.
    expect(limiter.retryAfter('t', 'someone', '10.0.0.1')).toBe(60);
    expect(limiter.retryAfter('t', 'someone', '10.0.0.2')).toBe(0);
    now = 30_000;
    expect(limiter.retryAfter('t', 'someone', '10.0.0.1')).toBe(30);
    now = 60_001;
    expect(limiter.retryAfter('t', 'someone', '10.0.0.1')).toBe(0);
    // Ten failures of one username from ten clients: that username is limited everywhere.
    for (let attempt = 0; attempt < 9; attempt += 1) limiter.attempt('t', 'Admin', `10.1.0.${attempt}`);
    const last = limiter.attempt('t', 'Admin', '10.1.0.9');
    expect(limiter.retryAfter('t', 'admin', '10.9.9.9')).toBeGreaterThan(0);
    expect(limiter.retryAfter('other-tenant', 'admin', '10.9.9.9')).toBe(0);
    // A success forgets the username's failures and takes its own attempt back from the client.
    last.succeeded();
    expect(limiter.retryAfter('t', 'admin', '10.9.9.9')).toBe(0);
    expect(limiter.retryAfter('t', 'x', '10.1.0.9')).toBe(0);
  });
});
