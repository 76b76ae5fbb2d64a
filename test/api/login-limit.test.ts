import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { LoginLimiter } from '../../src/tenancy/login-limiter.js';
import { adminPassword, useApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

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

  it('counts per client over a sliding window, across two limiters on one database', async () => {
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

  it('limits a (username, client) pair; a success forgets the pair\'s failures and takes its own attempt back', async () => {
    const limiter = new LoginLimiter(api.database.db, 3, 60);
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await limiter.attempt('t', 'pair', '10.2.0.1')).allowed).toBe(true);
    const last = await limiter.attempt('t', 'pair', '10.2.0.1');
    expect((await limiter.attempt('t', 'pair', '10.2.0.1')).allowed).toBe(false);
    if (!last.allowed) throw new Error('the third attempt should have been allowed');
    await last.succeeded();
    expect((await limiter.attempt('t', 'pair', '10.2.0.1')).allowed).toBe(true);
    const own = await api.database.db.one<{ n: number }>(`select count(*)::int as n from login_attempts where key like 'c:10.2.0.1'`);
    expect(own.n).toBe(3);
  });

  it('never refuses a username over all clients: past the limit it slows, and alerts once per window in all processes', async () => {
    const here = new LoginLimiter(api.database.db, 3, 60, 250);
    const elsewhere = new LoginLimiter(api.database.db, 3, 60, 250);
    const outcomes = [];
    for (let client = 1; client <= 6; client += 1) outcomes.push(await (client % 2 ? here : elsewhere).attempt('t', 'admin', `10.1.0.${client}`));
    expect(outcomes.map((outcome) => outcome.allowed)).toEqual([true, true, true, true, true, true]);
    expect(outcomes.map((outcome) => (outcome.allowed ? outcome.delayMs : -1))).toEqual([0, 0, 0, 250, 250, 250]);
    expect(outcomes.map((outcome) => (outcome.allowed ? outcome.alert : undefined))).toEqual([false, false, false, true, false, false]);
    // Another tenant's admin is another user.
    const other = await here.attempt('other-tenant', 'admin', '10.1.0.9');
    expect(other).toMatchObject({ allowed: true, delayMs: 0 });
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

const login = (app: string, client: string, username: string, password: string) =>
  request(app).post('/api/auth/login').set('X-Tenant', 'guarded').set('X-Forwarded-For', client).send({ username, password });

describe('login limits cannot be turned against a user (TRUST_PROXY=loopback)', () => {
  const api = useApi({ TRUST_PROXY: 'loopback' });
  beforeAll(async () => {
    await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Guarded', tenant: 'guarded', email: 'a@guarded.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
  });

  it('after 10 bad logins for admin from client A, the right password from client B gets 200', async () => {
    for (let attempt = 0; attempt < 10; attempt += 1) await login(api.app, '203.0.113.10', 'admin', `guess ${attempt}`).expect(401);
    const limited = await login(api.app, '203.0.113.10', 'admin', adminPassword).expect(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await login(api.app, '198.51.100.20', 'admin', adminPassword).expect(200);
    // And again: the count over all clients only slows the username down.
    await login(api.app, '198.51.100.21', 'admin', adminPassword).expect(200);
  }, 20_000);

  it('takes one canonical username: Unicode look-alikes and anything off the creation pattern are a plain 401', async () => {
    await login(api.app, '198.51.100.30', 'adm\u0130n', adminPassword).expect(401);
    await login(api.app, '198.51.100.31', 'ADMIN', adminPassword).expect(200);
    const names = ['ad', 'x'.repeat(41), 'x'.repeat(300), 'ad min', 'admin@guarded.example', '\u00e4dmin', 'admin\u200b', 'ａｄｍｉｎ'];
    for (const [index, username] of names.entries()) {
      const answer = await login(api.app, `198.51.100.${40 + index}`, username, adminPassword);
      expect([username, answer.status, answer.body.code]).toEqual([username, 401, 'unauthenticated']);
    }
  }, 20_000);

  it('keys an IPv6 client by its /64 and an IPv4-mapped address as IPv4', async () => {
    for (let attempt = 0; attempt < 10; attempt += 1) await login(api.app, `2001:db8:5:6::${attempt + 1}`, 'nobody', 'guess').expect(401);
    await login(api.app, '2001:db8:5:6:ffff:ffff:ffff:ffff', 'admin', adminPassword).expect(429);
    await login(api.app, '2001:db8:5:7::1', 'admin', adminPassword).expect(200);
    for (let attempt = 0; attempt < 10; attempt += 1) await login(api.app, '::ffff:203.0.113.60', 'nobody', 'guess').expect(401);
    await login(api.app, '203.0.113.60', 'admin', adminPassword).expect(429);
  }, 30_000);
});

// A trusted proxy appends the address it saw to X-Forwarded-For; what is left of it is the
// client's to write. Under every setting, rotating that part must not give a client new guesses.
describe.each([
  ['false', 'the socket address'],
  ['1', 'the one hop'],
  ['127.0.0.1', 'a proxy address'],
  ['10.0.0.0/8, 127.0.0.0/8', 'proxy subnets'],
])('X-Forwarded-For rotation with TRUST_PROXY=%s (%s)', (trustProxy) => {
  const api = useApi({ TRUST_PROXY: trustProxy });

  it('does not let a client pick its own address', async () => {
    await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Guarded', tenant: 'guarded', email: 'a@guarded.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
    for (let attempt = 0; attempt < 10; attempt += 1) await login(api.app, `192.0.2.${attempt + 1}, 203.0.113.99`, 'admin', `guess ${attempt}`).expect(401);
    await login(api.app, '192.0.2.200, 203.0.113.99', 'nobody', 'guess').expect(429);
    await login(api.app, '2001:db8::1, 203.0.113.99', 'nobody', 'guess').expect(429);
  }, 20_000);
});

describe('a username guessed from many clients', () => {
  const lines: Array<{ msg?: string; tenant?: string; username?: string }> = [];
  let database: TestDatabase;
  let application: Application;
  let server: HttpServer;
  let url = '';
  beforeAll(async () => {
    database = await createTestDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as (typeof lines)[number]);
        done();
      },
    });
    const config = loadConfig({ DATABASE_URL: database.url, DEMO: 'false', TRUST_PROXY: 'loopback' });
    application = composeApplication(config, createLogger('warn', 'test', sink), database.db);
    await application.start();
    server = await startHttpServer(application.app, 0, '127.0.0.1');
    url = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    try {
      await server?.close(5_000);
      await application?.close();
    } finally {
      await database?.drop();
    }
  });

  it('logs one warning a minute and slows its logins, and the right password still gets in', async () => {
    await request(url)
      .post('/api/tenants')
      .send({ companyName: 'Guarded', tenant: 'guarded', email: 'a@guarded.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
    for (let client = 1; client <= 10; client += 1) await login(url, `203.0.113.${client}`, 'Admin', 'guess').expect(401);
    const warnings = () => lines.filter((line) => line.msg?.startsWith('failed logins for one username'));
    expect(warnings()).toEqual([]);
    const started = Date.now();
    await login(url, '203.0.113.11', 'admin', 'guess').expect(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await login(url, '203.0.113.12', 'ADMIN', adminPassword).expect(200);
    expect(warnings()).toEqual([expect.objectContaining({ tenant: 'guarded', username: 'admin' })]);
  }, 30_000);
});
