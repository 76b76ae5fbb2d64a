import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { ledgerKinds } from '../../src/api/schemas/queries.js';
import { adminPassword, as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

/** What the dashboard's article edit and Movements filters need of the API (issue 12). */
describe('article ETag for If-Match, and the ledger filtered by kind and user', () => {
  const api = useApi();
  let admin: TenantSession;
  let clerk: TenantSession;
  let created = '';
  const asAdmin = () => as(api.app, admin);
  const asClerk = () => as(api.app, clerk);

  beforeAll(async () => {
    admin = await registerAndLogin(api.app, 'etags');
    await asAdmin().post('/api/users').send({ username: 'clerk', email: 'clerk@etags.example', password: adminPassword, role: 'operator' }).expect(201);
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'etags').send({ username: 'clerk', password: adminPassword }).expect(200);
    clerk = { tenant: 'etags', token: (login.body as { token: string }).token };
    for (const location of [
      { code: 'WH', type: 'warehouse' },
      { code: 'A-1', type: 'storage', parent: 'WH' },
      { code: 'A-2', type: 'storage', parent: 'WH' },
    ]) {
      await asAdmin().post('/api/locations').send(location).expect(201);
    }
    created = (await asAdmin().post('/api/articles').send({ sku: 'GLUE', name: 'Glue', unit: 'pcs', tracking: 'none' }).expect(201)).headers['x-position'] as string;
  });

  it('GET /api/articles/:sku gives the revision it shows as ETag; If-Match with it passes, an older one is 412', async () => {
    const first = await asAdmin().get('/api/articles/GLUE').set('X-Min-Position', created).expect(200);
    expect(first.headers.etag).toBe('"0"');
    const changed = await asAdmin().patch('/api/articles/GLUE').set('If-Match', first.headers.etag as string).send({ name: 'Glue 50 ml' }).expect(200);
    expect(changed.headers.etag).toBe('"1"');
    const again = await asAdmin().get('/api/articles/GLUE').set('X-Min-Position', changed.headers['x-position'] as string).expect(200);
    expect(again.body.name).toBe('Glue 50 ml');
    expect(again.headers.etag).toBe(changed.headers.etag);
    // Someone else's edit made from the first read is refused, not silently applied over ours.
    const stale = await asAdmin().patch('/api/articles/GLUE').set('If-Match', first.headers.etag as string).send({ name: 'Glue 20 ml' }).expect(412);
    expect(stale.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(stale.body.code).toBe('revision-mismatch');
    // Without If-Match the edit is applied as before (API.md: If-Match is optional).
    await asAdmin().patch('/api/articles/GLUE').send({ reorderPoint: 5 }).expect(200);
  });

  it('never answers a conditional GET of an article 304: its totals change with stock, its ETag does not', async () => {
    const touched = await asAdmin().patch('/api/articles/GLUE').send({ reorderQuantity: 7 }).expect(200);
    const before = await asAdmin().get('/api/articles/GLUE').set('X-Min-Position', touched.headers['x-position'] as string).expect(200);
    expect(before.headers.etag).toBe(touched.headers.etag);
    const receipt = await asAdmin().post('/api/stock/receipts').send({ lines: [{ sku: 'GLUE', quantity: 4, location: 'A-1' }] }).expect(201);
    const after = await asAdmin().get('/api/articles/GLUE').set('If-None-Match', before.headers.etag as string).set('X-Min-Position', receipt.headers['x-position'] as string).expect(200);
    expect(after.headers.etag).toBe(before.headers.etag);
    expect(after.body.onHand).toBe(before.body.onHand + 4);
  });

  it('filters the ledger by kind and by user, with the other filters and pages', async () => {
    await asAdmin().post('/api/stock/receipts').send({ reference: 'PO-9', lines: [{ sku: 'GLUE', quantity: 10, location: 'A-1' }] }).expect(201);
    await asClerk().post('/api/stock/transfers').send({ lines: [{ sku: 'GLUE', quantity: 3, from: 'A-1', to: 'A-2' }] }).expect(201);
    await asClerk().post('/api/stock/shipments').send({ reference: 'SO-9', lines: [{ sku: 'GLUE', quantity: 1, from: 'A-2' }] }).expect(201);
    await asClerk().post('/api/stock/returns').send({ reason: 'unwanted', lines: [{ sku: 'GLUE', quantity: 1, to: 'A-2' }] }).expect(201);
    await asClerk().post('/api/stock/adjustments').send({ reason: 'found', lines: [{ sku: 'GLUE', location: 'A-2', delta: 1 }] }).expect(201);
    await asClerk().post('/api/stock/counts').send({ location: 'A-2', lines: [{ sku: 'GLUE', counted: 5 }] }).expect(201);
    const counted = await asClerk().get('/api/movements?limit=1').expect(200);
    const shipped = await asAdmin().get('/api/movements?kind=shipped').set('X-Min-Position', counted.headers['x-position'] as string).expect(200);
    const reversal = await asAdmin().post(`/api/movements/${shipped.body.items[0].movementId as string}/reverse`).send({ reason: 'wrong order' }).expect(201);
    const read = (query: string) => asAdmin().get(`/api/movements?${query}`).set('X-Min-Position', reversal.headers['x-position'] as string).expect(200);

    // Every kind the ledger writes is one the filter knows, and each finds only its own rows.
    for (const kind of ledgerKinds) {
      const rows = (await read(`kind=${kind}`)).body.items as { kind: string }[];
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.kind === kind)).toBe(true);
    }
    const everything = (await read('limit=500')).body.items as { kind: string; user: string }[];
    expect(new Set(everything.map((row) => row.kind))).toEqual(new Set(ledgerKinds));

    const byClerk = (await read('user=clerk')).body.items as { kind: string; user: string }[];
    expect(byClerk.map((row) => row.kind)).toEqual(['counted', 'adjusted', 'returned', 'shipped', 'transferred']);
    expect(byClerk.every((row) => row.user === 'clerk')).toBe(true);
    expect(everything.filter((row) => row.user === 'clerk')).toHaveLength(byClerk.length);

    const both = (await read('user=admin&kind=received&reference=PO-9')).body.items as { reference: string }[];
    expect(both).toEqual([expect.objectContaining({ kind: 'received', user: 'admin', reference: 'PO-9', quantity: 10 })]);
    expect((await read('user=nobody')).body.items).toEqual([]);

    // Pages of a filtered listing hold only filtered rows.
    const page1 = (await read('user=clerk&limit=2')).body as { items: { kind: string }[]; nextCursor: string };
    const page2 = (await read(`user=clerk&limit=2&cursor=${encodeURIComponent(page1.nextCursor)}`)).body as { items: { kind: string }[] };
    expect([...page1.items, ...page2.items].map((row) => row.kind)).toEqual(['counted', 'adjusted', 'returned', 'shipped']);

    const unknown = await asAdmin().get('/api/movements?kind=stolen').expect(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'kind' })]);
  });
});
