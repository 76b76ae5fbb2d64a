import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '../../src/logger.js';
import { hashPassword } from '../../src/tenancy/passwords.js';
import { RegistrationLimit } from '../../src/tenancy/registration-limit.js';
import { registerWithinLimit, RegistrationLimited, type Registration } from '../../src/tenancy/registration.js';
import { adminPassword, useApi } from '../support/api.js';

const registration = (tenant: string): Registration => ({ companyName: `${tenant} Ltd`, tenant, email: `admin@${tenant}.example`, username: 'admin', password: adminPassword });

describe('registration: argon2id beside the limit and the transaction (issue 15)', () => {
  const api = useApi({ TRUST_PROXY: 'loopback' });
  const dependencies = () => ({
    db: api.database.db,
    users: api.application.users,
    readSchemas: api.application.readSchemas,
    logger: createLogger('silent'),
    baseDomain: 'localhost',
  });
  const leftOf = async (tenant: string) =>
    await api.database.db.one<{ tenants: number; users: number; domains: number; schemas: number; live: number }>(
      `select (select count(*)::int from tenants where slug = $1) as tenants, (select count(*)::int from users where tenant = $1) as users,
              (select count(*)::int from tenant_domains where tenant = $1) as domains, (select count(*)::int from read_schemas where tenant = $1) as schemas,
              (select count(*)::int from read_schema_live where tenant = $1) as live`,
      [tenant],
    );

  it('starts the hash before the limit has answered, and registers with it', async () => {
    const events: string[] = [];
    const limit = new RegistrationLimit(api.database.db);
    const slowLimit = Object.assign(Object.create(limit) as RegistrationLimit, {
      take: async (address: string) => {
        events.push('limit asked');
        const wait = await limit.take(address);
        events.push('limit answered');
        return wait;
      },
    });
    const hash = async (password: string) => {
      events.push('hash started');
      return await hashPassword(password);
    };
    await registerWithinLimit({ ...dependencies(), registrations: slowLimit, hash }, '198.51.100.1', registration('overlap'));
    expect(events.indexOf('hash started')).toBeLessThan(events.indexOf('limit answered'));
    expect(await leftOf('overlap')).toEqual({ tenants: 1, users: 1, domains: 1, schemas: 1, live: 1 });
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'overlap').send({ username: 'admin', password: adminPassword });
    expect(login.status).toBe(200);
  });

  it('leaves nothing behind when the hash fails, and the slug stays free', async () => {
    const hash = async () => {
      throw new Error('hash failed');
    };
    await expect(registerWithinLimit({ ...dependencies(), registrations: new RegistrationLimit(api.database.db), hash }, '198.51.100.2', registration('hashfail'))).rejects.toThrow('hash failed');
    expect(await leftOf('hashfail')).toEqual({ tenants: 0, users: 0, domains: 0, schemas: 0, live: 0 });
    await registerWithinLimit({ ...dependencies(), registrations: new RegistrationLimit(api.database.db) }, '198.51.100.2', registration('hashfail'));
    expect(await leftOf('hashfail')).toEqual({ tenants: 1, users: 1, domains: 1, schemas: 1, live: 1 });
  });

  it('hashes at most once for a client this process refused, until its wait has passed', async () => {
    let hashes = 0;
    const hash = async (password: string) => {
      hashes += 1;
      return await hashPassword(password);
    };
    const registrations = new RegistrationLimit(api.database.db, 1);
    const within = { ...dependencies(), registrations, hash };
    await registerWithinLimit(within, '198.51.100.3', registration('limitedone'));
    expect(hashes).toBe(1);
    // The first refusal has hashed for nothing (the limit was asked meanwhile); the next ones do not hash.
    for (let attempt = 0; attempt < 3; attempt += 1) await expect(registerWithinLimit(within, '198.51.100.3', registration(`limited${attempt}`))).rejects.toBeInstanceOf(RegistrationLimited);
    expect(hashes).toBe(2);
    expect(registrations.refusedRecently('198.51.100.3')).toBe(true);
    expect(registrations.refusedRecently('198.51.100.4')).toBe(false);
    // Another client is not held back by it.
    await registerWithinLimit(within, '198.51.100.4', registration('limitedtwo'));
    expect(hashes).toBe(3);
  });

  it('registers one of two concurrent registrations of one slug; the other is tenant-taken and leaves nothing', async () => {
    const body = (username: string) => ({ companyName: 'Race Ltd', tenant: 'race', email: 'a@race.example', username, password: adminPassword, passwordConfirm: adminPassword });
    const answers = await Promise.all(['first', 'second'].map(async (username, index) => await request(api.app).post('/api/tenants').set('X-Forwarded-For', `198.51.100.${10 + index}`).send(body(username))));
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(answers.find((answer) => answer.status === 409)?.body.code).toBe('tenant-taken');
    expect(await leftOf('race')).toEqual({ tenants: 1, users: 1, domains: 1, schemas: 1, live: 1 });
    const winner = answers.findIndex((answer) => answer.status === 201) === 0 ? 'first' : 'second';
    const users = await api.database.db.map<string>('select username from users where tenant = $1', ['race'], (row: { username: string }) => row.username);
    expect(users).toEqual([winner]);
  });

  it('answers 429 with Retry-After at the limit over HTTP, as before', async () => {
    const registrations = (await api.database.db.one<{ count: number }>('select count(*)::int as count from registration_attempts')).count;
    expect(registrations).toBeGreaterThan(0);
    const client = '198.51.100.20';
    for (let attempt = 0; attempt < 20; attempt += 1) {
      await request(api.app).post('/api/tenants').set('X-Forwarded-For', client).send({ ...registration('race'), passwordConfirm: adminPassword }).expect(409);
    }
    const limited = await request(api.app).post('/api/tenants').set('X-Forwarded-For', client).send({ ...registration('race'), passwordConfirm: adminPassword }).expect(429);
    expect(limited.body).toMatchObject({ code: 'rate-limited', title: 'Too many registrations' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3000);
  }, 60_000);
});
