import { afterAll, beforeAll } from '@jest/globals';
import type { Express } from 'express';
import request from 'supertest';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** What an API test file works with; filled in by its beforeAll. */
export interface ApiUnderTest {
  database: TestDatabase;
  application: Application;
  app: Express;
}

/**
 * Gives a test file the whole application (composition root, projector daemon running) over its
 * own migrated database, started before its tests and stopped after them.
 */
export function useApi(env: Record<string, string> = {}): ApiUnderTest {
  const api = {} as ApiUnderTest;
  beforeAll(async () => {
    api.database = await createTestDatabase();
    const config = loadConfig({ DATABASE_URL: api.database.url, LOG_LEVEL: 'silent', DEMO: 'false', ...env });
    api.application = composeApplication(config, createLogger('silent'), api.database.db);
    api.app = api.application.app;
    await api.application.start();
  });
  afterAll(async () => {
    await api.application.close();
    await api.database.drop();
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
export async function registerAndLogin(app: Express, tenant: string): Promise<TenantSession> {
  await request(app)
    .post('/api/tenants')
    .send({ companyName: `${tenant} Ltd`, tenant, email: `admin@${tenant}.example`, username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
    .expect(201);
  const login = await request(app).post('/api/auth/login').set('X-Tenant', tenant).send({ username: 'admin', password: adminPassword }).expect(200);
  return { tenant, token: (login.body as { token: string }).token };
}

/** A request builder bound to a tenant (X-Tenant) and a bearer token. */
export function as(app: Express, session: TenantSession): Record<'get' | 'post' | 'patch' | 'delete', (path: string) => request.Test> {
  const bind = (test: request.Test): request.Test => test.set('X-Tenant', session.tenant).set('Authorization', `Bearer ${session.token}`);
  return {
    get: (path) => bind(request(app).get(path)),
    post: (path) => bind(request(app).post(path)),
    patch: (path) => bind(request(app).patch(path)),
    delete: (path) => bind(request(app).delete(path)),
  };
}
