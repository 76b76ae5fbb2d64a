import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { z } from 'zod';
import { expiringLotSchema, ledgerRowSchema, lowStockLineSchema } from '../../src/api/schemas/queries.js';
import { adminPassword, as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

describe('catalog, movements and queries through the REST API', () => {
  const api = useApi();
  let acme: TenantSession;
  const client = () => as(api.app, acme);

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
    for (const location of [
      { code: 'WH1', type: 'warehouse', name: 'Main warehouse' },
      { code: 'RCV', type: 'receiving', parent: 'WH1' },
      { code: 'A-01-01', type: 'storage', parent: 'WH1' },
      { code: 'A-01-02', type: 'storage', parent: 'WH1' },
    ]) {
      await client().post('/api/locations').send(location).expect(201);
    }
    for (const article of [
      { sku: 'BOLT-M8', name: 'Bolt M8x40', unit: 'pcs', tracking: 'none', barcode: '4006381333931', reorderPoint: 100, reorderQuantity: 500 },
      { sku: 'MILK-1L', name: 'Milk 1 l', unit: 'pcs', tracking: 'lot', shelfLifeDays: 14 },
      { sku: 'DRILL-X', name: 'Drill X', unit: 'pcs', tracking: 'serial' },
      { sku: 'ROPE', name: 'Rope', unit: 'm', tracking: 'none' },
    ]) {
      await client().post('/api/articles').send(article).expect(201);
    }
  });

  it('receives exactly: 0.1 + 0.2 on hand is 0.3, with X-Position and X-Min-Position', async () => {
    const first = await client().post('/api/stock/receipts').send({ lines: [{ sku: 'ROPE', quantity: 0.1, location: 'A-01-01' }] }).expect(201);
    expect(first.body).toMatchObject({ movementId: expect.any(String), position: first.headers['x-position'], lines: [{ sku: 'ROPE', from: '@supplier', to: 'A-01-01', quantity: 0.1 }] });
    const second = await client().post('/api/stock/receipts').send({ reference: 'PO-1', lines: [{ sku: 'ROPE', quantity: 0.2, location: 'A-01-01' }] }).expect(201);
    const stock = await client().get('/api/stock?sku=ROPE').set('X-Min-Position', second.headers['x-position'] as string).expect(200);
    expect(BigInt(stock.headers['x-position'] as string)).toBeGreaterThanOrEqual(BigInt(second.headers['x-position'] as string));
    expect(stock.body.items).toEqual([{ sku: 'ROPE', location: 'A-01-01', lot: null, expiresOn: null, onHand: 0.3, reserved: 0, available: 0.3, lastCountedAt: null }]);
  });

  it('answers 503 not-ready with Retry-After when X-Min-Position is not reached in time, and 400 for a malformed one', async () => {
    const far = (BigInt(Number.MAX_SAFE_INTEGER) * 1000n).toString();
    const started = Date.now();
    const response = await client().get('/api/stock').set('X-Min-Position', far).expect(503);
    expect(response.body.code).toBe('not-ready');
    // Like every 503 (API.md): a client knows when to come back without guessing.
    expect(response.headers['retry-after']).toBe('1');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    await client().get('/api/stock').set('X-Min-Position', 'yesterday').expect(400);
  }, 15_000);

  it('moves stock through every kind of movement, with the ledger and reports to match', async () => {
    const post = async (path: string, body: object) => (await client().post(path).send(body).expect(201)).headers['x-position'] as string;
    await post('/api/stock/receipts', { reference: 'PO-2', lines: [{ sku: 'BOLT-M8', quantity: 150, location: 'RCV' }, { sku: 'MILK-1L', quantity: 20, location: 'RCV', lot: 'L1', expiresOn: '2026-12-01' }] });
    await post('/api/stock/transfers', { lines: [{ sku: 'BOLT-M8', quantity: 150, from: 'RCV', to: 'A-01-02' }] });
    await post('/api/stock/reservations', { reference: 'SO-77', lines: [{ sku: 'BOLT-M8', quantity: 40 }] });
    const reserved = await client().get('/api/articles/BOLT-M8').set('X-Min-Position', await post('/api/stock/adjustments', { reason: 'found', lines: [{ sku: 'BOLT-M8', location: 'A-01-02', delta: 1 }] })).expect(200);
    expect(reserved.body).toMatchObject({ sku: 'BOLT-M8', onHand: 151, reserved: 40, available: 111, reorderPoint: 100 });
    await post('/api/stock/shipments', { reference: 'SO-77', lines: [{ sku: 'BOLT-M8', quantity: 40, from: 'A-01-02' }] });
    await post('/api/stock/returns', { reason: 'damaged', lines: [{ sku: 'BOLT-M8', quantity: 2, to: 'A-01-02' }] });
    const count = await client().post('/api/stock/counts').send({ location: 'A-01-02', lines: [{ sku: 'BOLT-M8', counted: 100 }] }).expect(201);
    expect(count.body.differences).toEqual([{ sku: 'BOLT-M8', difference: -13 }]);
    const low = await client().get('/api/reports/low-stock').set('X-Min-Position', count.headers['x-position'] as string).expect(200);
    expect(low.body.items).toEqual([expect.objectContaining({ sku: 'BOLT-M8', onHand: 100, available: 100, reorderPoint: 100 })]);
    const movements = await client().get('/api/movements?sku=BOLT-M8&limit=3').expect(200);
    expect(movements.body.items.map((row: { kind: string }) => row.kind)).toEqual(['counted', 'returned', 'shipped']);
    const next = await client().get(`/api/movements?sku=BOLT-M8&limit=3&cursor=${encodeURIComponent(movements.body.nextCursor as string)}`).expect(200);
    expect(next.body.items[0].kind).toBe('adjusted');
    const reversal = await client().post(`/api/movements/${movements.body.items[1].movementId as string}/reverse`).send({ reason: 'booked twice' }).expect(201);
    const after = await client().get('/api/stock?sku=BOLT-M8').set('X-Min-Position', reversal.headers['x-position'] as string).expect(200);
    // The count's business time, as the movement list gives it: the line was last counted then (a reversal after it is no count).
    const counted = (movements.body.items[0] as { occurredAt: string }).occurredAt;
    expect(after.body.items).toEqual([expect.objectContaining({ location: 'A-01-02', onHand: 98, lastCountedAt: new Date(counted).toISOString() })]);
    const expiring = await client().get('/api/reports/expiring?withinDays=3650').expect(200);
    expect(expiring.body.items).toEqual([expect.objectContaining({ sku: 'MILK-1L', lot: 'L1', expiresOn: '2026-12-01', onHand: 20 })]);
    // Each answer is exactly what its route declares (the OpenAPI document, so the dashboard's generated types): no field more or less.
    const declared = (item: z.ZodObject) => z.strictObject({ items: z.array(item.strict()).min(1), nextCursor: z.string().nullable() });
    expect(declared(lowStockLineSchema).safeParse(low.body).error).toBeUndefined();
    expect(declared(ledgerRowSchema).safeParse(movements.body).error).toBeUndefined();
    expect(declared(expiringLotSchema).safeParse(expiring.body).error).toBeUndefined();
    const history = await client().get('/api/reports/stock-history?sku=BOLT-M8&days=7').expect(200);
    expect(history.body.days).toHaveLength(7);
    expect(history.body.days.at(-1).onHand).toBe(98);
    const asOf = await client().get(`/api/stock/as-of?at=${encodeURIComponent('2000-01-01T00:00:00Z')}&sku=BOLT-M8`).expect(200);
    expect(asOf.body.items).toEqual([]);
    const barcode = await client().get('/api/barcodes/4006381333931').expect(200);
    expect(barcode.body).toMatchObject({ kind: 'article', article: { sku: 'BOLT-M8' } });
    const location = await client().get('/api/locations/A-01-02').expect(200);
    expect(location.body.stock).toEqual([expect.objectContaining({ sku: 'BOLT-M8', onHand: 98 })]);
  });

  it('refuses what API.md names, with the stable codes', async () => {
    const refused = async (path: string, body: object, status: number) => (await client().post(path).send(body).expect(status)).body as Record<string, unknown>;
    const insufficient = await refused('/api/stock/shipments', { lines: [{ sku: 'ROPE', quantity: 5, from: 'A-01-01' }] }, 409);
    expect(insufficient).toMatchObject({ code: 'insufficient-stock', sku: 'ROPE', location: 'A-01-01', requested: 5, available: 0.3 });
    const unknown = await refused('/api/stock/receipts', { lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01-01' }, { sku: 'NOPE', quantity: 1, location: 'A-01-01' }] }, 422);
    expect(unknown).toMatchObject({ code: 'unknown-article', errors: [{ path: 'lines.1.sku' }] });
    expect(await refused('/api/stock/receipts', { lines: [{ sku: 'ROPE', quantity: 1, location: 'ZZ-99' }] }, 422)).toMatchObject({ code: 'unknown-location' });
    expect(await refused('/api/stock/receipts', { lines: [{ sku: 'MILK-1L', quantity: 1, location: 'RCV' }] }, 422)).toMatchObject({ code: 'lot-required', errors: [{ path: 'lines.0.lot' }] });
    expect(await refused('/api/stock/receipts', { lines: [{ sku: 'DRILL-X', quantity: 2, location: 'RCV', serials: ['S1'] }] }, 422)).toMatchObject({ code: 'serials-mismatch' });
    await client().post('/api/stock/receipts').send({ lines: [{ sku: 'DRILL-X', quantity: 1, location: 'RCV', serials: ['S1'] }] }).expect(201);
    expect(await refused('/api/stock/receipts', { lines: [{ sku: 'DRILL-X', quantity: 1, location: 'RCV', serials: ['S1'] }] }, 409)).toMatchObject({ code: 'duplicate-serial' });
    await client().post('/api/locations/A-01-01/block').send({}).expect(200);
    expect(await refused('/api/stock/receipts', { lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01-01' }] }, 409)).toMatchObject({ code: 'location-blocked' });
    await client().post('/api/locations/A-01-01/unblock').expect(200);
    expect(await refused('/api/articles', { sku: 'ROPE', name: 'Again', unit: 'm', tracking: 'none' }, 409)).toMatchObject({ code: 'duplicate-sku' });
    // Nothing of a refused multi-line movement was recorded.
    const rope = await client().get('/api/stock?sku=ROPE').expect(200);
    expect(rope.body.items).toEqual([expect.objectContaining({ onHand: 0.3 })]);
    const invalid = await refused('/api/stock/receipts', { occurredAt: '2999-01-01T00:00:00Z', lines: [{ sku: 'bad sku!', quantity: 0.0001, location: 'a-01' }, { sku: 'ROPE', quantity: -1, location: 'A-01-01' }] }, 422);
    expect((invalid.errors as Array<{ path: string }>).map((error) => error.path).sort()).toEqual(['lines.0.location', 'lines.0.quantity', 'lines.0.sku', 'lines.1.quantity', 'occurredAt']);
    expect(await refused('/api/stock/receipts', { lines: [{ sku: 'ROPE', quantity: 1e10, location: 'A-01-01' }] }, 422)).toMatchObject({ code: 'validation' });
    await client().delete('/api/stock/reservations/NO-SUCH-ORDER').expect(404);
    await client().post('/api/movements/00000000-0000-4000-8000-000000000000/reverse').send({ reason: 'guess' }).expect(404);
    const missing = await client().get('/api/articles/NOPE').expect(404);
    expect(missing.headers['x-position']).toMatch(/^\d+$/);
    await client().post('/api/locations/A-01-01/unblock').expect(200).expect((answer) => expect(answer.headers['x-position']).toMatch(/^\d+$/));
    await client().patch('/api/articles/NOPE').send({ name: 'x' }).expect(404);
  });

  it('changes articles with an optional If-Match (412 when stale)', async () => {
    await client().post('/api/articles').send({ sku: 'TAPE', name: 'Tape', unit: 'pcs', tracking: 'none' }).expect(201);
    const changed = await client().patch('/api/articles/TAPE').set('If-Match', '"0"').send({ name: 'Tape 50 mm' }).expect(200);
    expect(changed.headers.etag).toBe('"1"');
    const stale = await client().patch('/api/articles/TAPE').set('If-Match', '"0"').send({ name: 'Tape 19 mm' }).expect(412);
    expect(stale.body.code).toBe('revision-mismatch');
    const archived = await client().post('/api/articles/TAPE/archive').expect(200);
    const article = await client().get('/api/articles/TAPE').set('X-Min-Position', archived.headers['x-position'] as string).expect(200);
    expect(article.body).toMatchObject({ name: 'Tape 50 mm', archived: true });
    const list = await client().get('/api/articles?search=tape').expect(200);
    expect(list.body.items.map((item: { sku: string }) => item.sku)).toEqual(['TAPE']);
  });

  it('honours Idempotency-Key: a retry gets the first answer and records nothing; another body is 409', async () => {
    const body = { lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01-02' }] };
    const first = await client().post('/api/stock/receipts').set('Idempotency-Key', 'receipt-42').send(body).expect(201);
    const again = await client().post('/api/stock/receipts').set('Idempotency-Key', 'receipt-42').send(body).expect(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['x-position']).toBe(first.headers['x-position']);
    const parallel = await Promise.all(Array.from({ length: 5 }, () => client().post('/api/stock/receipts').set('Idempotency-Key', 'receipt-43').send(body)));
    expect(new Set(parallel.map((response) => response.status))).toEqual(new Set([201]));
    expect(new Set(parallel.map((response) => response.body.movementId as string)).size).toBe(1);
    const mismatch = await client().post('/api/stock/receipts').set('Idempotency-Key', 'receipt-42').send({ lines: [{ sku: 'ROPE', quantity: 2, location: 'A-01-02' }] }).expect(409);
    expect(mismatch.body.code).toBe('idempotency-mismatch');
    const stock = await client().get('/api/stock?sku=ROPE&location=A-01-02').set('X-Min-Position', parallel[0]?.headers['x-position'] as string).expect(200);
    expect(stock.body.items).toEqual([expect.objectContaining({ onHand: 2 })]);
    await client().post('/api/stock/receipts').set('Idempotency-Key', 'k'.repeat(201)).send(body).expect(400);
  });

  it('lets a key go after a refused attempt: the same body is tried again, another body records its own movement', async () => {
    const ship = { lines: [{ sku: 'ROPE', quantity: 999, from: 'A-01-02' }] };
    await client().post('/api/stock/shipments').set('Idempotency-Key', 'refused-key').send(ship).expect(409);
    await client().post('/api/stock/shipments').set('Idempotency-Key', 'refused-key').send(ship).expect(409);
    const receipt = await client().post('/api/stock/receipts').set('Idempotency-Key', 'refused-key').send({ reference: 'AFTER-REFUSAL', lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01-02' }] }).expect(201);
    const ledger = await client().get('/api/movements?reference=AFTER-REFUSAL').set('X-Min-Position', receipt.headers['x-position'] as string).expect(200);
    expect(ledger.body.items).toEqual([expect.objectContaining({ movementId: receipt.body.movementId, kind: 'received' })]);
    await client().post('/api/stock/shipments').set('Idempotency-Key', 'refused-key').send(ship).expect(409).expect((answer) => expect(answer.body.code).toBe('idempotency-mismatch'));
  });

  it('shows reservations where shipping would take them: located ones FEFO over the lots, anywhere ones over the rest', async () => {
    await client().post('/api/articles').send({ sku: 'JAM', name: 'Jam', unit: 'pcs', tracking: 'lot' }).expect(201);
    await client().post('/api/stock/receipts').send({ lines: [
      { sku: 'JAM', quantity: 3, location: 'A-01-01', lot: 'J1', expiresOn: '2030-01-01' },
      { sku: 'JAM', quantity: 10, location: 'A-01-01', lot: 'J2', expiresOn: '2031-01-01' },
      { sku: 'JAM', quantity: 4, location: 'A-01-02', lot: 'J3', expiresOn: '2032-01-01' },
    ] }).expect(201);
    await client().post('/api/stock/reservations').send({ reference: 'SO-JAM-1', lines: [{ sku: 'JAM', quantity: 5, location: 'A-01-01' }] }).expect(201);
    const anywhere = await client().post('/api/stock/reservations').send({ reference: 'SO-JAM-2', lines: [{ sku: 'JAM', quantity: 6 }] }).expect(201);
    const stock = await client().get('/api/stock?sku=JAM').set('X-Min-Position', anywhere.headers['x-position'] as string).expect(200);
    expect(stock.body.items.map((item: { lot: string; reserved: number; available: number }) => [item.lot, item.reserved, item.available])).toEqual([
      ['J1', 3, 0],
      ['J2', 8, 2],
      ['J3', 0, 4],
    ]);
    const article = await client().get('/api/articles/JAM').expect(200);
    expect(article.body).toMatchObject({ onHand: 17, reserved: 11, available: 6 });
    const walked: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await client().get(`/api/stock?sku=JAM&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).expect(200);
      walked.push(...(page.body.items as unknown[]));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(walked).toEqual(stock.body.items);
    await client().get('/api/stock?limit=0').expect(422);
    const atLocation = await client().get('/api/stock?sku=JAM&location=A-01-02').expect(200);
    expect(atLocation.body.items).toEqual([expect.objectContaining({ lot: 'J3', reserved: 0, available: 4 })]);
  });

  it('never gives a body another body\'s movement, nor records a retried body twice, whatever failed in between', async () => {
    const bodyA = { reference: 'MIXED-A', lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01-01' }] };
    const first = await client().post('/api/stock/receipts').set('Idempotency-Key', 'mixed-key').send(bodyA).expect(201);
    // As if A committed its events but failed before its answer was kept: the key is let go.
    await api.database.db.none(`update idempotency_records set status = null, response = null, claim = null where key = 'mixed-key'`);
    // Another body under the key is refused by the domain, and lets the key go again.
    await client().post('/api/stock/receipts').set('Idempotency-Key', 'mixed-key').send({ reference: 'MIXED-B', lines: [{ sku: 'NOPE', quantity: 1, location: 'A-01-01' }] }).expect(422);
    // A retried: its movement, not a second one.
    const retry = await client().post('/api/stock/receipts').set('Idempotency-Key', 'mixed-key').send(bodyA).expect(201);
    expect(retry.body.movementId).toBe(first.body.movementId);
    const ledger = await client().get('/api/movements?reference=MIXED-A').set('X-Min-Position', retry.headers['x-position'] as string).expect(200);
    expect(ledger.body.items).toHaveLength(1);
  });

  it('forgets an Idempotency-Key after 24 hours', async () => {
    const body = { lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01-02' }] };
    const first = await client().post('/api/stock/receipts').set('Idempotency-Key', 'old-key').send(body).expect(201);
    await api.database.db.none(`update idempotency_records set created_at = now() - interval '25 hours' where key = 'old-key'`);
    const later = await client().post('/api/stock/receipts').set('Idempotency-Key', 'old-key').send({ lines: [{ sku: 'ROPE', quantity: 2, location: 'A-01-02' }] }).expect(201);
    expect(later.body.movementId).not.toBe(first.body.movementId);
  });

  it('answers a retry after a crash between commit and answer with the movement that was recorded, once', async () => {
    const body = { reference: 'CRASH-1', lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01-01' }] };
    const first = await client().post('/api/stock/receipts').set('Idempotency-Key', 'crash-key').send(body).expect(201);
    // As a process that died after its events committed, before it kept the answer, leaves it: a
    // claim, however recent, whose session (its advisory lock) is gone.
    await api.database.db.none(`update idempotency_records set status = null, response = null, claim = gen_random_uuid(), claimed_at = now() where key = 'crash-key'`);
    const retry = await client().post('/api/stock/receipts').set('Idempotency-Key', 'crash-key').send(body).expect(201);
    expect(retry.body.movementId).toBe(first.body.movementId);
    const ledger = await client().get('/api/movements?reference=CRASH-1').set('X-Min-Position', retry.headers['x-position'] as string).expect(200);
    expect(ledger.body.items).toHaveLength(1);
    // A claim whose session lives (it holds the claim's advisory lock) is waited for, not taken over.
    const holder = await api.database.db.connect({ direct: true });
    try {
      const claim = await holder.one<{ claim: string }>(
        `update idempotency_records set status = null, response = null, claim = gen_random_uuid(), claimed_at = now() where key = 'crash-key' returning claim::text`,
      );
      await holder.any(`select pg_advisory_lock(('x' || left(replace($1, '-', ''), 16))::bit(64)::bigint)`, [claim.claim]);
      const waiting = await client().post('/api/stock/receipts').set('Idempotency-Key', 'crash-key').send(body);
      expect(waiting.status).toBe(409);
      expect(waiting.body.code).toBe('idempotency-in-progress');
      expect(waiting.headers['retry-after']).toBe('1');
    } finally {
      await holder.done();
    }
  }, 20_000);

  it('releases a reservation, refuses expired lots unless allowExpired, and archived articles', async () => {
    await client().post('/api/stock/receipts').send({ lines: [{ sku: 'MILK-1L', quantity: 5, location: 'A-01-02', lot: 'OLD', expiresOn: '2020-01-01' }] }).expect(201);
    const expired = await client().post('/api/stock/shipments').send({ lines: [{ sku: 'MILK-1L', quantity: 1, from: 'A-01-02', lot: 'OLD' }] }).expect(409);
    expect(expired.body).toMatchObject({ code: 'lot-expired', errors: [{ path: 'lines.0.lot' }] });
    await client().post('/api/stock/shipments').send({ lines: [{ sku: 'MILK-1L', quantity: 1, from: 'A-01-02', lot: 'OLD', allowExpired: true }] }).expect(201);
    await client().post('/api/stock/reservations').send({ reference: 'SO-REL', lines: [{ sku: 'MILK-1L', quantity: 2, location: 'A-01-02' }] }).expect(201);
    const released = await client().delete('/api/stock/reservations/SO-REL').expect(201);
    expect(released.body.movementId).toEqual(expect.any(String));
    await client().delete('/api/stock/reservations/SO-REL').expect(404);
    await client().post('/api/articles').send({ sku: 'OLD-THING', name: 'Old thing', unit: 'pcs', tracking: 'none' }).expect(201);
    await client().post('/api/articles/OLD-THING/archive').expect(200);
    const archived = await client().post('/api/stock/receipts').send({ lines: [{ sku: 'OLD-THING', quantity: 1, location: 'A-01-02' }] }).expect(409);
    expect(archived.body).toMatchObject({ code: 'article-archived', errors: [{ path: 'lines.0.sku' }] });
  });

  it('pages through locations and articles without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await client().get(`/api/locations?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`).expect(200);
      seen.push(...(page.body.items as Array<{ code: string }>).map((item) => item.code));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(['A-01-01', 'A-01-02', 'RCV', 'WH1']);
    const articles = await client().get('/api/articles?limit=2').expect(200);
    expect(articles.body.items).toHaveLength(2);
    expect(articles.body.nextCursor).toEqual(expect.any(String));
    await client().get('/api/articles?limit=0').expect(422);
    await client().get('/api/articles?limit=501').expect(422);
    await client().get('/api/articles?cursor=not-a-cursor').expect(422);
  });

  it('needs credentials and a tenant on every tenant route', async () => {
    const { default: request } = await import('supertest');
    const noAuth = await request(api.app).get('/api/stock').set('X-Tenant', 'acme').expect(401);
    expect(noAuth.body.code).toBe('unauthenticated');
    const noTenant = await request(api.app).get('/api/stock').set('Authorization', `Bearer ${acme.token}`).expect(404);
    expect(noTenant.body.code).toBe('unknown-tenant');
  });

  it('lets exactly 10 of 20 parallel shipments of 1 through when 10 are available', async () => {
    await client().post('/api/articles').send({ sku: 'HOT', name: 'Hot item', unit: 'pcs', tracking: 'none' }).expect(201);
    await client().post('/api/stock/receipts').send({ lines: [{ sku: 'HOT', quantity: 10, location: 'A-01-02' }] }).expect(201);
    const shipments = await Promise.all(Array.from({ length: 20 }, (_, index) => client().post('/api/stock/shipments').send({ reference: `SO-${index}`, lines: [{ sku: 'HOT', quantity: 1, from: 'A-01-02' }] })));
    const statuses = shipments.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(10);
    expect(statuses.filter((status) => status === 409)).toHaveLength(10);
    const last = shipments.map((response) => response.headers['x-position'] as string | undefined).filter((position) => position !== undefined).sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).at(-1);
    const stock = await client().get('/api/stock?sku=HOT&includeZero=true').set('X-Min-Position', last as string).expect(200);
    expect(stock.body.items).toEqual([expect.objectContaining({ onHand: 0 })]);
  });

  it('answers malformed JSON with 400, bodies over 1 MiB with 413, unknown routes with 404, all as problem+json', async () => {
    const malformed = await client().post('/api/stock/receipts').set('Content-Type', 'application/json').send('{"lines": [').expect(400);
    expect(malformed.headers['content-type']).toMatch(/application\/problem\+json/);
    const huge = await client().post('/api/stock/receipts').send({ reference: 'x'.repeat(1024 * 1024 + 10), lines: [] }).expect(413);
    expect(huge.body.code).toBe('payload-too-large');
    await client().get('/api/nothing-here').expect(404);
  });

  it('serves an OpenAPI 3.1 document generated from the request schemas', async () => {
    const response = await client().get('/api/openapi.json').expect(200);
    expect(response.body.openapi).toBe('3.1.0');
    const receipt = response.body.paths['/api/stock/receipts'].post;
    expect(receipt.requestBody.content['application/json'].schema.properties.lines.items.required).toEqual(expect.arrayContaining(['sku', 'quantity', 'location']));
    expect(receipt.parameters.map((parameter: { name: string }) => parameter.name)).toContain('Idempotency-Key');
    expect(Object.keys(response.body.paths)).toEqual(expect.arrayContaining(['/api/tenants', '/api/articles/{sku}', '/api/audit/articles/{sku}/replay', '/api/admin/projections/verify']));
  });

  it('shows a reservation where nothing is on hand (negative stock allowed) on a line of its own', async () => {
    const tenant = 'negres';
    await request(api.app)
      .post('/api/tenants')
      .send({ companyName: 'Negres Ltd', tenant, email: 'admin@negres.example', username: 'admin', password: adminPassword, passwordConfirm: adminPassword })
      .expect(201);
    await api.database.db.none('update tenants set allow_negative_stock = true where slug = $1', [tenant]);
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', tenant).send({ username: 'admin', password: adminPassword }).expect(200);
    const negres = () => as(api.app, { tenant, token: (login.body as { token: string }).token });
    await negres().post('/api/locations').send({ code: 'WH', type: 'warehouse' }).expect(201);
    for (const code of ['A-01', 'B-01']) await negres().post('/api/locations').send({ code, type: 'storage', parent: 'WH' }).expect(201);
    await negres().post('/api/articles').send({ sku: 'TAPE', name: 'Tape', unit: 'pcs', tracking: 'none' }).expect(201);
    await negres().post('/api/stock/receipts').send({ lines: [{ sku: 'TAPE', quantity: 5, location: 'B-01' }] }).expect(201);
    await negres().post('/api/stock/reservations').send({ reference: 'SO-NEG', lines: [{ sku: 'TAPE', quantity: 3, location: 'B-01' }] }).expect(201);
    // Negative stock allowed: the reserved units may be moved away too, and B-01 is left with 0 on hand and 3 reserved.
    const moved = await negres().post('/api/stock/transfers').send({ lines: [{ sku: 'TAPE', quantity: 5, from: 'B-01', to: 'A-01' }] }).expect(201);
    const at = moved.headers['x-position'] as string;
    const lines = [
      { sku: 'TAPE', location: 'A-01', lot: null, expiresOn: null, onHand: 5, reserved: 0, available: 5, lastCountedAt: null },
      { sku: 'TAPE', location: 'B-01', lot: null, expiresOn: null, onHand: 0, reserved: 3, available: -3, lastCountedAt: null },
    ];
    expect((await negres().get('/api/stock?sku=TAPE').set('X-Min-Position', at).expect(200)).body.items).toEqual(lines);
    expect((await negres().get('/api/stock?location=B-01').set('X-Min-Position', at).expect(200)).body.items).toEqual([lines[1]]);
    expect((await negres().get('/api/stock?sku=TAPE&includeZero=true').set('X-Min-Position', at).expect(200)).body.items).toEqual(lines);
    expect((await negres().get('/api/stock?sku=TAPE&lot=L1').set('X-Min-Position', at).expect(200)).body.items).toEqual([]);
    expect((await negres().get('/api/articles/TAPE').set('X-Min-Position', at).expect(200)).body).toMatchObject({ onHand: 5, reserved: 3, available: 2 });
  });
});
