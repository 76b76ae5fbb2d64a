import { afterAll, beforeAll } from '@jest/globals';
import request from 'supertest';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application, type CompositionOptions } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openKurrentDbForTests, type KurrentDbForTests } from './kurrentdb.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** What an API test file works with; filled in by its beforeAll. */
export interface ApiUnderTest {
  database: TestDatabase;
  application: Application;
  /**
   * The base URL of the application's HTTP server, started as `npm start` starts it
   * (startHttpServer), for supertest: the tests go through the same server as production.
   */
  app: string;
  server: HttpServer | undefined;
}

/** What supertest's request() takes: here, a base URL. */
type Target = Parameters<typeof request>[0];

/**
 * The event store the API tests run on: PostgreSQL, or with `TEST_EVENT_STORE=kurrentdb` KurrentDB
 * (the stand-in, or the real server of KURRENTDB_URL): `.ci/run` runs every API file that composes
 * the application through {@link useApi} a second time that way.
 */
export function apiEventStore(): 'postgres' | 'kurrentdb' {
  return process.env.TEST_EVENT_STORE === 'kurrentdb' ? 'kurrentdb' : 'postgres';
}

/**
 * Gives a test file the whole application (composition root, projector daemon running) over its
 * own migrated database, started before its tests and stopped after them. `options` reach the
 * composition root (a fixed clock, for one). The events go where {@link apiEventStore} says.
 */
export function useApi(env: Record<string, string> = {}, options: CompositionOptions = {}): ApiUnderTest {
  const api = {} as ApiUnderTest;
  let kurrentDb: KurrentDbForTests | undefined;
  beforeAll(async () => {
    api.database = await createTestDatabase();
    if (apiEventStore() === 'kurrentdb') kurrentDb = await openKurrentDbForTests();
    const eventStore = kurrentDb ? { EVENT_STORE: 'kurrentdb', KURRENTDB_URL: kurrentDb.url } : {};
    const config = loadConfig({ DATABASE_URL: api.database.url, LOG_LEVEL: 'silent', DEMO: 'false', ...eventStore, ...env });
    api.application = composeApplication(config, createLogger('silent'), api.database.db, options);
    await api.application.start();
    api.server = await startHttpServer(api.application.app, 0, '127.0.0.1');
    api.app = `http://127.0.0.1:${api.server.port}`;
  });
  afterAll(async () => {
    // Whatever beforeAll got to start is stopped, also when it failed halfway.
    try {
      // As main() stops: live streams first, or they hold the drain until its timeout.
      api.application?.endStreams();
      await api.server?.close(5_000);
      await api.application?.close();
    } finally {
      await api.database?.drop();
      await kurrentDb?.stop();
    }
  });
  return api;
}

/** A registered tenant and its admin's bearer token. */
export interface TenantSession {
  readonly tenant: string;
  readonly token: string;
}

export const adminPassword = 'correct horse battery';

/** Registers a tenant with an admin `admin` and logs in. */
export async function registerAndLogin(app: Target, tenant: string): Promise<TenantSession> {
  await request(app)
    .post('/api/tenants')
    .send({ companyName: `${tenant} Ltd`, tenant, email: `admin@${tenant}.example`, username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
    .expect(201);
  const login = await request(app).post('/api/auth/login').set('X-Tenant', tenant).send({ username: 'admin', password: adminPassword }).expect(200);
  return { tenant, token: (login.body as { token: string }).token };
}

/** A request builder bound to a tenant (X-Tenant) and a bearer token. */
export function as(app: Target, session: TenantSession): Record<'get' | 'post' | 'patch' | 'delete', (path: string) => request.Test> {
  const bind = (test: request.Test): request.Test => test.set('X-Tenant', session.tenant).set('Authorization', `Bearer ${session.token}`);
  return {
    get: (path) => bind(request(app).get(path)),
    post: (path) => bind(request(app).post(path)),
    patch: (path) => bind(request(app).patch(path)),
    delete: (path) => bind(request(app).delete(path)),
  };
}
