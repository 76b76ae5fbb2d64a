import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { adminPassword, useApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** One API process: its own application and HTTP server over a database others share. */
interface Instance {
  readonly url: string;
  close(): Promise<void>;
}

async function startInstance(database: TestDatabase): Promise<Instance> {
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'silent', DEMO: 'false', TRUST_PROXY: 'loopback' });
  const application: Application = composeApplication(config, createLogger('silent'), database.db);
  await application.start();
  const server: HttpServer = await startHttpServer(application.app, 0, '127.0.0.1');
  return {
    url: `http://127.0.0.1:${server.port}`,
    close: async () => {
      await server.close(5_000);
      await application.close();
    },
  };
}

const register = (url: string, client: string, tenant = 'taken') =>
  request(url)
    .post('/api/tenants')
    .set('X-Forwarded-For', client)
    .send({ companyName: 'Taken Ltd', tenant, email: 'a@taken.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword });

describe('registration limit across API processes sharing one database', () => {
  let database: TestDatabase;
  const instances: Instance[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    instances.push(await startInstance(database), await startInstance(database));
  });
  afterAll(async () => {
    try {
      for (const instance of instances) await instance.close();
    } finally {
      await database?.drop();
    }
  });

  it('counts 20 an hour per client over every process, and still after a restart', async () => {
    const [first, second] = instances;
    if (!first || !second) throw new Error('two instances expected');
    // Every attempt counts, also one refused because the slug is taken.
    const statuses = [];
    for (let attempt = 0; attempt < 20; attempt += 1) statuses.push((await register(attempt % 2 ? second.url : first.url, '203.0.113.5')).status);
    expect(statuses).toEqual([201, ...Array<number>(19).fill(409)]);
    const limited = await register(second.url, '203.0.113.5').expect(429);
    expect(limited.body.code).toBe('rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(3000);
    await register(first.url, '203.0.113.6').expect(409);

    await first.close();
    instances.splice(0, 1, await startInstance(database));
    await register(instances[0]?.url ?? '', '203.0.113.5').expect(429);
  }, 60_000);

  it('keys an IPv6 client by its /64', async () => {
    const [instance] = instances;
    if (!instance) throw new Error('an instance expected');
    for (let attempt = 0; attempt < 20; attempt += 1) await register(instance.url, `2001:db8:7:8::${(attempt + 1).toString(16)}`).expect(409);
    await register(instance.url, '2001:db8:7:8:abcd::1').expect(429);
    await register(instance.url, '2001:db8:7:9::1').expect(409);
  }, 60_000);
});

describe('reserved tenant slugs', () => {
  const api = useApi();

  it.each(['login', 'auth', 'sso', 'status', 'help', 'support', 'docs', 'billing', 'dashboard', 'localhost', 'signup', 'www', 'pgadmin'])('refuses %s with 422 at the tenant field', async (slug) => {
    const response = await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Reserved Ltd', tenant: slug, email: 'a@reserved.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(422);
    expect((response.body.errors as Array<{ path: string; message: string }>).map((error) => [error.path, error.message])).toEqual([['tenant', 'is reserved']]);
  });
});
