import { describe, expect, it } from '@jest/globals';
import type request from 'supertest';
import { createLogger } from '../../src/logger.js';
import { ReadSchemas } from '../../src/projections/read-schemas.js';
import { as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two versions of the code on one database during a deploy (README "Changing a read model"): each
 * process reads schemas of its own projection version only (src/projections/served-schema.ts).
 * The application under test plays one side; the other version is a ReadSchemas of another
 * version string that builds its schema and switches the tenant to it, as its processes would.
 */
describe('two read-model versions side by side', () => {
  const api = useApi();
  const logger = createLogger('silent');

  async function stockedTenant(tenant: string): Promise<{ session: TenantSession; client: ReturnType<typeof as> }> {
    const session = await registerAndLogin(api.app, tenant);
    const client = as(api.app, session);
    await client.post('/api/locations').send({ code: 'WH1', type: 'warehouse', name: 'Main' }).expect(201);
    await client.post('/api/locations').send({ code: 'A-01', type: 'storage', parent: 'WH1' }).expect(201);
    await client.post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
    const received = await client.post('/api/stock/receipts').send({ lines: [{ sku: 'BOLT', quantity: 5, location: 'A-01' }] }).expect(201);
    await client.get('/api/stock').set('X-Min-Position', received.headers['x-position'] as string).expect(200);
    return { session, client };
  }

  /** GET /api/stock until `done` says so (the schema a process reads is cached for a second); every answer is kept. */
  async function readUntil(client: ReturnType<typeof as>, done: (response: request.Response) => boolean): Promise<request.Response[]> {
    const answers: request.Response[] = [];
    for (let attempt = 0; attempt < 60; attempt += 1) {
      const response = await client.get('/api/stock');
      answers.push(response);
      if (done(response)) return answers;
      await sleep(100);
    }
    throw new Error(`never got there: ${answers.map((answer) => answer.status).join(' ')}`);
  }

  it('a new-version request before its schema is live gets 503 not-ready with Retry-After, never a 500, then the answer once it is', async () => {
    const { session, client } = await stockedTenant('early-new');
    const mine = await api.application.readSchemas.live(session.tenant);
    // An older version serves the tenant: its schema built and switched to, its first schemas
    // registered before this build's (a day back), as when this build is the one being deployed.
    const older = new ReadSchemas(api.database.db, api.application.eventStore, logger, 'aaaa000001');
    await older.rebuild(session.tenant);
    await api.database.db.none("update read_schemas set created_at = created_at - interval '1 day' where version = 'aaaa000001'");

    const answers = await readUntil(client, (response) => response.status === 503);
    const refused = answers.at(-1) as request.Response;
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 503, code: 'not-ready' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // Before the 503s: this build's answers from its own schema, right ones.
    for (const answer of answers.slice(0, -1)) expect(answer.body.items).toEqual([expect.objectContaining({ sku: 'BOLT', onHand: 5 })]);
    // Writes need no read model: they go on meanwhile.
    await client.post('/api/stock/receipts').send({ lines: [{ sku: 'BOLT', quantity: 1, location: 'A-01' }] }).expect(201);
    for (let i = 0; i < 5; i += 1) expect((await client.get('/api/stock')).status).toBe(503);

    // This version's schema goes live (its projector's switch): answered, with the write made meanwhile.
    await api.application.readSchemas.switchTo(session.tenant, mine?.schema as string);
    const after = await readUntil(client, (response) => response.status === 200);
    expect(after.map((answer) => answer.status).filter((status) => status !== 503 && status !== 200)).toEqual([]);
    expect(after.at(-1)?.body.items).toEqual([expect.objectContaining({ sku: 'BOLT', onHand: 6 })]);
  }, 30_000);

  it('a rebuild through an old-version process is refused with 409 older-version while a newer version serves the tenant; nothing is switched', async () => {
    const { session, client } = await stockedTenant('old-rebuild');
    const newer = new ReadSchemas(api.database.db, api.application.eventStore, logger, 'ffff000003');
    const switched = await newer.rebuild(session.tenant);

    const refused = await client.post('/api/admin/projections/rebuild').expect(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ status: 409, code: 'older-version', liveVersion: 'ffff000003', version: api.application.readSchemas.version });
    // Nothing was started that could switch it later.
    await sleep(500);
    expect((await api.application.readSchemas.live(session.tenant))?.schema).toBe(switched.schema);
    expect((await api.application.readSchemas.list(session.tenant)).filter((schema) => schema.status === 'building')).toEqual([]);
  }, 30_000);

  it('an old-version process keeps answering from its own schema, kept current, after a newer version went live; it never writes the newer one', async () => {
    const { session, client } = await stockedTenant('old-side');
    const mine = (await api.application.readSchemas.live(session.tenant))?.schema;
    const newer = new ReadSchemas(api.database.db, api.application.eventStore, logger, 'ffff000002');
    const switched = await newer.rebuild(session.tenant);
    expect((await api.application.readSchemas.live(session.tenant))?.version).toBe('ffff000002');
    const newerAt = await newer.checkpoint(switched.schema);

    for (let i = 0; i < 15; i += 1) {
      const response = await client.get('/api/stock');
      expect(response.status).toBe(200);
      expect(response.body.items).toEqual([expect.objectContaining({ sku: 'BOLT', onHand: 5 })]);
      await sleep(100);
    }
    // A write through the old side: its projector follows its own schema, which answers it.
    const received = await client.post('/api/stock/receipts').send({ lines: [{ sku: 'BOLT', quantity: 2, location: 'A-01' }] }).expect(201);
    const read = await client.get('/api/stock').set('X-Min-Position', received.headers['x-position'] as string).expect(200);
    expect(read.body.items).toEqual([expect.objectContaining({ sku: 'BOLT', onHand: 7 })]);
    expect(await api.application.readSchemas.checkpoint(mine as string)).toBe(received.headers['x-position']);
    // Nothing of this version's projector reached the newer version's schema.
    await sleep(300);
    expect(await newer.checkpoint(switched.schema)).toBe(newerAt);
    expect((await api.application.readSchemas.live(session.tenant))?.version).toBe('ffff000002');
  }, 30_000);
});
