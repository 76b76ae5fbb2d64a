import { beforeAll, describe, expect, it } from '@jest/globals';
import { as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

describe('audit and read-model administration through the REST API', () => {
  const api = useApi();
  let acme: TenantSession;
  const client = () => as(api.app, acme);
  let between = '';
  let lastPosition = '';

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
    await client().post('/api/locations').send({ code: 'WH', type: 'warehouse' }).expect(201);
    await client().post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
    await client().post('/api/stock/receipts').set('Idempotency-Key', 'po-1').set('X-Request-Id', 'req-po-1').send({ reference: 'PO-1', lines: [{ sku: 'BOLT', quantity: 10, location: 'WH' }] }).expect(201);
    await new Promise((resolve) => setTimeout(resolve, 50));
    between = new Date().toISOString();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await client().post('/api/stock/reservations').send({ reference: 'SO-1', lines: [{ sku: 'BOLT', quantity: 4 }] }).expect(201);
    const shipped = await client().post('/api/stock/shipments').send({ reference: 'SO-2', lines: [{ sku: 'BOLT', quantity: 3, from: 'WH' }] }).expect(201);
    lastPosition = shipped.headers['x-position'] as string;
  });

  it('lists the raw events oldest first with their audit metadata, filtered and paged', async () => {
    const all = await client().get('/api/audit/events?limit=500').expect(200);
    const positions = (all.body.items as Array<{ position: string }>).map((event) => BigInt(event.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    const receipt = (all.body.items as Array<Record<string, unknown>>).find((event) => event.type === 'StockReceived');
    expect(receipt).toMatchObject({ stream: 'acme:stock-BOLT', revision: '0', metadata: { user: 'admin', source: 'api', idempotencyKey: 'po-1', correlationId: 'req-po-1' }, data: { sku: 'BOLT' } });
    const bolt = await client().get('/api/audit/events?sku=BOLT').expect(200);
    expect(new Set((bolt.body.items as Array<{ stream: string }>).map((event) => event.stream))).toEqual(new Set(['acme:stock-BOLT', 'acme:article-BOLT']));
    const stream = await client().get('/api/audit/events?stream=stock-BOLT').expect(200);
    expect((stream.body.items as Array<{ type: string }>).map((event) => event.type)).toEqual(['StockReceived', 'StockReserved', 'StockShipped']);
    const page = await client().get('/api/audit/events?limit=2').expect(200);
    expect(page.body.items).toHaveLength(2);
    const next = await client().get(`/api/audit/events?limit=2&after=${page.body.nextCursor as string}`).expect(200);
    expect(next.body.items[0].position).toBe(all.body.items[2].position);
  });

  it('replays an article straight from the event store, as it stood at a time', async () => {
    const then = await client().get(`/api/audit/articles/BOLT/replay?at=${encodeURIComponent(between)}`).expect(200);
    expect(then.body).toMatchObject({ sku: 'BOLT', eventsFolded: 1, onHand: 10, reservations: [] });
    expect(then.body.balances).toEqual([
      { location: '@supplier', lot: null, onHand: -10 },
      { location: 'WH', lot: null, onHand: 10 },
    ]);
    const now = await client().get('/api/audit/articles/BOLT/replay').expect(200);
    expect(now.body).toMatchObject({ eventsFolded: 3, onHand: 7, reservations: [{ reference: 'SO-1', location: null, quantity: 4 }] });
    await client().get('/api/audit/articles/BOLT/replay?at=yesterday').expect(422);
  });

  it('shows the read model, rebuilds it blue/green while reads go on, and verifies it', async () => {
    const before = await client().get('/api/admin/projections').expect(200);
    expect(before.body).toMatchObject({ status: 'live', lagEvents: expect.any(Number), headPosition: expect.any(String), progress: 1, building: null });
    const liveBefore = before.body.schema as string;
    await client().post('/api/admin/projections/rebuild').expect(202);
    let liveAfter = liveBefore;
    const deadline = Date.now() + 15_000;
    while (liveAfter === liveBefore && Date.now() < deadline) {
      const stock = await client().get('/api/stock?sku=BOLT').set('X-Min-Position', lastPosition).expect(200);
      expect(stock.body.items).toEqual([expect.objectContaining({ onHand: 7, reserved: 4, available: 3 })]);
      const status = await client().get('/api/admin/projections').expect(200);
      expect(status.body.status).toBe('live');
      liveAfter = status.body.schema as string;
    }
    expect(liveAfter).not.toBe(liveBefore);
    const verify = await client().post('/api/admin/projections/verify').expect(200);
    expect(verify.body).toMatchObject({ ok: true, differences: [] });
  });
});
