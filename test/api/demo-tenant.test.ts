import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createLogger } from '../../src/logger.js';
import { createDemoTenantIfEmpty } from '../../src/tenancy/demo-tenant.js';
import { useApi } from '../support/api.js';

describe('the demo tenant of a first start', () => {
  const api = useApi();

  it('is created on an empty database, can be logged in to at once, and only once', async () => {
    const dependencies = {
      db: api.database.db,
      users: api.application.users,
      readSchemas: api.application.readSchemas,
      commands: api.application.commands,
      logger: createLogger('silent'),
      baseDomain: 'localhost',
      port: 3000,
      size: { articles: 30, days: 10 },
    };
    const demo = await createDemoTenantIfEmpty(dependencies);
    expect(demo).toEqual({ url: 'http://demo.localhost:3000/', username: 'admin', password: expect.any(String) });
    const login = await request(api.app).post('/api/auth/login').set('Host', 'demo.localhost:3000').send({ username: 'admin', password: demo?.password }).expect(200);
    const head = await api.application.eventStore.lastCommittedPosition('demo');
    const articles = await request(api.app).get('/api/articles?limit=500').set('Host', 'demo.localhost').set('X-Min-Position', head).set('Authorization', `Bearer ${login.body.token}`).expect(200);
    expect(articles.body.items.length).toBeGreaterThan(0);
    const movements = await request(api.app).get('/api/movements').set('Host', 'demo.localhost').set('Authorization', `Bearer ${login.body.token}`).expect(200);
    expect(movements.body.items.length).toBeGreaterThan(0);
    expect(await createDemoTenantIfEmpty(dependencies)).toBeUndefined();
  }, 60_000);
});
