import { describe, expect, it } from '@jest/globals';
import { as, registerAndLogin, useApi } from '../support/api.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * README: "the tenant can use the API as soon as registration returns". Its read model must follow
 * its first events at once, not on the projector daemon's next periodic scan (every 2 s).
 */
describe('a new tenant reads its first article at once', () => {
  const api = useApi();

  it('with X-Min-Position right after the 201: waits for the projector and finds it', async () => {
    const session = await registerAndLogin(api.app, 'fresh-min');
    const created = await as(api.app, session).post('/api/articles').send({ sku: 'FIRST', name: 'First', unit: 'pcs', tracking: 'none' }).expect(201);
    const started = Date.now();
    const read = await as(api.app, session).get('/api/articles/FIRST').set('X-Min-Position', created.headers['x-position'] as string);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ sku: 'FIRST' });
    // Well below the daemon's scan interval: the projector was following before the article came.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('without X-Min-Position ~200 ms after the 201: found', async () => {
    for (const tenant of ['fresh-a', 'fresh-b', 'fresh-c']) {
      const session = await registerAndLogin(api.app, tenant);
      await as(api.app, session).post('/api/articles').send({ sku: 'FIRST', name: 'First', unit: 'pcs', tracking: 'none' }).expect(201);
      await sleep(200);
      const read = await as(api.app, session).get('/api/articles/FIRST');
      expect({ tenant, status: read.status }).toEqual({ tenant, status: 200 });
    }
  });
});
