import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { closeDatabase, openDatabase } from '../../src/database/connection.js';
import { createLogger } from '../../src/logger.js';
import { LimiterBusy } from '../../src/tenancy/limiter-busy.js';
import { LoginLimiter } from '../../src/tenancy/login-limiter.js';
import { adminPassword, as, registerAndLogin, useApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** The login limiter's advisory lock space ('LGIN'), as login-limiter.ts takes it. */
const loginLockSpace = 0x4c47494e;

/** Holds one of the limiter's key locks in a transaction of its own until `release` is called. */
async function holdKeyLock(api: { database: TestDatabase }, key: string): Promise<{ release: () => Promise<void> }> {
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked = (): void => undefined;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = api.database.db.tx(async (t) => {
    await t.one('select pg_advisory_xact_lock($1, hashtext($2))', [loginLockSpace, key]);
    locked();
    await released;
  });
  await isLocked;
  return {
    release: async () => {
      release();
      await holder;
    },
  };
}

describe('the login limiter under contention', () => {
  const api = useApi();

  it("does not wait for a username's lock: another client's attempt goes on at once while it is held", async () => {
    const limiter = new LoginLimiter(api.database.db);
    const held = await holdKeyLock(api, 'u:t:admin');
    try {
      const started = Date.now();
      const attempt = await limiter.attempt('t', 'admin', '10.5.0.1');
      expect(attempt.allowed).toBe(true);
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await held.release();
    }
  }, 15_000);

  it("answers a client's lock not had within the lock timeout with LimiterBusy (429), not a raw lock timeout", async () => {
    const limiter = new LoginLimiter(api.database.db);
    const held = await holdKeyLock(api, 'c:10.5.0.2');
    try {
      const outcome = await limiter.attempt('t', 'admin', '10.5.0.2').catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(LimiterBusy);
      expect((outcome as LimiterBusy).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    } finally {
      await held.release();
    }
  }, 15_000);
});

describe('a flood of failed logins for one username from many clients (TRUST_PROXY=loopback)', () => {
  const api = useApi({ TRUST_PROXY: 'loopback' });

  it('answers every guess 401 (never 500) while the right password from a new client gets 200 promptly', async () => {
    await registerAndLogin(api.app, 'flooded');
    const login = (client: string, password: string) => request(api.app).post('/api/auth/login').set('X-Tenant', 'flooded').set('X-Forwarded-For', client).send({ username: 'admin', password });
    const flood = Array.from({ length: 20 }, (_, index) => login(`198.18.0.${index + 1}`, `guess ${index}`).then((answer) => answer.status));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    const real = await login('192.0.2.77', adminPassword);
    const took = Date.now() - started;
    const statuses = await Promise.all(flood);
    expect(real.status).toBe(200);
    // The username's count slows its logins by 1 s past the limit; the rest is the password hash.
    expect(took).toBeLessThan(2500);
    expect(new Set(statuses)).toEqual(new Set([401]));
  }, 60_000);
});

describe('POST /api/me/password counts against the login limits (one client: the forgiving test goes first)', () => {
  const api = useApi();

  it('forgets the failures of a session whose right password then matches', async () => {
    const admin = await registerAndLogin(api.app, 'forgiven');
    const before = await api.database.db.one<{ n: number }>(`select count(*)::int as n from login_attempts where key like 'p:forgiven:admin:%'`);
    expect(before.n).toBe(0);
    await as(api.app, admin).post('/api/me/password').send({ currentPassword: 'not the password', newPassword: 'a new password 1' }).expect(422);
    const counted = await api.database.db.one<{ n: number }>(`select count(*)::int as n from login_attempts where key like 'p:forgiven:admin:%'`);
    expect(counted.n).toBe(1);
    await as(api.app, admin).post('/api/me/password').send({ currentPassword: adminPassword, newPassword: 'a new password 1' }).expect(204);
    const after = await api.database.db.one<{ n: number }>(`select count(*)::int as n from login_attempts where key like 'p:forgiven:admin:%'`);
    expect(after.n).toBe(0);
  }, 30_000);

  it("answers 429 with Retry-After at the client's 10th failure, even to the right password", async () => {
    const admin = await registerAndLogin(api.app, 'guessed');
    // The client still has the failure the test before left (a success forgets only its pair's).
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 9; attempt += 1) {
      statuses.push((await as(api.app, admin).post('/api/me/password').send({ currentPassword: `guess ${attempt} x`, newPassword: 'a new password 1' })).status);
    }
    expect(statuses).toEqual(Array.from({ length: 9 }, () => 422));
    const limited = await as(api.app, admin).post('/api/me/password').send({ currentPassword: adminPassword, newPassword: 'a new password 1' });
    expect(limited.status).toBe(429);
    expect(limited.body.code).toBe('rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  }, 30_000);
});

describe('an admin act while the user logs in, with a pool of 3 connections', () => {
  let database: TestDatabase;
  let application: Application;
  let server: HttpServer;
  let url = '';
  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 3 });
    const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', DEMO: 'false', TRUST_PROXY: 'loopback', DB_POOL_SIZE: '3' });
    application = composeApplication(config, createLogger('silent'), database.db);
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

  it('disables the user within seconds while 20 of their logins are attempted, and every login is answered', async () => {
    const admin = await registerAndLogin(url, 'pooled');
    const password = 'staff password 1';
    await as(url, admin).post('/api/users').send({ username: 'staff', email: 'staff@example.com', password, role: 'operator' }).expect(201);
    const login = (index: number) =>
      request(url)
        .post('/api/auth/login')
        .set('X-Tenant', 'pooled')
        .set('X-Forwarded-For', `198.19.0.${index + 1}`)
        .timeout(20_000)
        .send({ username: 'staff', password })
        .then((answer) => answer.status, () => 'no answer');
    const logins = Array.from({ length: 20 }, (_, index) => login(index));
    const started = Date.now();
    const disabled = await as(url, admin).post('/api/users/staff/disable').timeout(20_000);
    const took = Date.now() - started;
    const statuses = await Promise.all(logins);
    expect(disabled.status).toBe(200);
    expect(took).toBeLessThan(8000);
    for (const status of statuses) expect([200, 401, 503]).toContain(status);
  }, 60_000);

  it("gives up a login after 2 s while the user's row stays locked: 503 with Retry-After, and the pool is not held", async () => {
    const admin = await registerAndLogin(url, 'locked');
    const password = 'staff password 1';
    await as(url, admin).post('/api/users').send({ username: 'staff', email: 'staff@example.com', password, role: 'operator' }).expect(201);
    // A long change of the user's row in progress elsewhere (as an admin act behind a drained pool would be).
    const other = openDatabase(database.url, { max: 1 });
    let release = (): void => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let locked = (): void => undefined;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holder = other.tx(async (t) => {
      await t.one(`select id from users where tenant = 'locked' and username = 'staff' for update`);
      locked();
      await released;
    });
    try {
      await isLocked;
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: 3 }, async (_, index) => await request(url).post('/api/auth/login').set('X-Tenant', 'locked').set('X-Forwarded-For', `198.20.0.${index + 1}`).timeout(20_000).send({ username: 'staff', password })),
      );
      const took = Date.now() - started;
      expect(answers.map((answer) => answer.status)).toEqual(Array.from({ length: 3 }, () => 503));
      expect(Number(answers[0]?.headers['retry-after'])).toBeGreaterThan(0);
      // Each gave up after its 2 s (not when the lock was released), so the pool of 3 serves again.
      expect(took).toBeLessThan(5000);
      await as(url, admin).get('/api/me').expect(200);
    } finally {
      release();
      await holder;
      await closeDatabase(other);
    }
  }, 60_000);
});
