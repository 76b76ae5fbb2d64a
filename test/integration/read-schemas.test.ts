import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { AggregateCache } from '../../src/commands/aggregate-cache.js';
import { pgp } from '../../src/database/connection.js';
import { stockDecider } from '../../src/domain/stock/stock.js';
import { splitBalanceKey, totalReserved } from '../../src/domain/stock/state.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { ReadModelAccess } from '../../src/api/read-model-access.js';
import { stockAsOf, ReadModelNotReady } from '../../src/projections/queries.js';
import { reservedStockLines } from '../../src/projections/reserved-stock.js';
import { readModelTables } from '../../src/projections/read-model.sql.js';
import { ProjectionFailed, ReadSchemaGone, ReadSchemas } from '../../src/projections/read-schemas.js';
import { freshTenant, metadataFor, type CommandSide } from '../support/command-handlers.js';
import type { TestDatabase } from '../support/test-database.js';
import { useReadSide } from '../support/read-side.js';

const units = (n: number): number => n * 1000;
const logger = createLogger('silent');

describe('per-tenant read schemas', () => {
  let database: TestDatabase;
  let store: EventStore;
  let side: CommandSide;
  let schemas: ReadSchemas;

  async function warehouse(): Promise<string> {
    const tenant = freshTenant('rm');
    const meta = metadataFor(tenant);
    await side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    for (const code of ['A-01', 'A-02', 'A-03']) await side.catalog.createLocation(meta, { code, type: 'storage', parent: 'WH' });
    await side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none', reorderPoint: units(5) });
    await side.catalog.registerArticle(meta, { sku: 'MILK', name: 'Milk', unit: 'l', tracking: 'lot' });
    await side.catalog.registerArticle(meta, { sku: 'DRILL', name: 'Drill', unit: 'pcs', tracking: 'serial' });
    return tenant;
  }

  /** Every row of every read-model table, sorted, for comparing two schemas. */
  async function contents(schema: string): Promise<Record<string, unknown[]>> {
    const tables: Record<string, unknown[]> = {};
    for (const table of readModelTables) {
      const rows = await database.db.any(`select * from ${pgp.as.name(schema)}.${pgp.as.name(table)}`);
      tables[table] = rows.map((row) => JSON.stringify(row)).sort();
    }
    return tables;
  }

  const readSide = useReadSide();
  beforeAll(() => {
    ({ database, store, side, schemas } = readSide);
  });

  it('gives a new tenant an empty live schema at once, named rm_<tenant>_<version>', async () => {
    const tenant = freshTenant('new-t');
    const live = await schemas.ensureLive(tenant);
    expect(live.schema).toBe(`rm_${tenant.replaceAll('-', '_')}_${schemas.version}`);
    expect(await reservedStockLines(database.db, live.schema)).toEqual([]);
    expect(await schemas.ensureLive(tenant)).toEqual(live);
  });

  it('live projection in small batches equals a rebuild from zero, and matches the stock the deciders see', async () => {
    const operation = fc.oneof(
      fc.record({ kind: fc.constant('receive'), sku: fc.constantFrom('BOLT', 'MILK'), to: fc.constantFrom('A-01', 'A-02'), quantity: fc.integer({ min: 1, max: 9000 }), lot: fc.constantFrom('L1', 'L2') }),
      fc.record({ kind: fc.constant('transfer'), sku: fc.constantFrom('BOLT', 'MILK'), from: fc.constantFrom('A-01', 'A-02'), quantity: fc.integer({ min: 1, max: 5000 }), lot: fc.constantFrom('L1', 'L2') }),
      fc.record({ kind: fc.constant('ship'), sku: fc.constantFrom('BOLT', 'MILK'), from: fc.constantFrom('A-01', 'A-02'), quantity: fc.integer({ min: 1, max: 5000 }), lot: fc.constantFrom('L1', 'L2'), reference: fc.constantFrom('SO-1', 'SO-2') }),
      fc.record({ kind: fc.constant('reserve'), sku: fc.constantFrom('BOLT', 'MILK'), quantity: fc.integer({ min: 1, max: 3000 }), reference: fc.constantFrom('SO-1', 'SO-2') }),
      fc.record({ kind: fc.constant('release'), reference: fc.constantFrom('SO-1', 'SO-2') }),
      fc.record({ kind: fc.constant('count'), sku: fc.constantFrom('BOLT'), counted: fc.integer({ min: 0, max: 9000 }) }),
      fc.record({ kind: fc.constant('serials'), serial: fc.constantFrom('SN1', 'SN2', 'SN3') }),
      fc.record({ kind: fc.constant('reverse'), back: fc.integer({ min: 1, max: 5 }) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 5, maxLength: 30 }), fc.integer({ min: 1, max: 7 }), async (operations, batchSize) => {
        const tenant = await warehouse();
        const live = await schemas.ensureLive(tenant);
        const movements: string[] = [];
        const lotOf = (sku: string, lot: string) => (sku === 'MILK' ? { lot } : {});
        for (const [index, op] of operations.entries()) {
          const meta = metadataFor(tenant, { occurredAt: new Date(Date.UTC(2026, 10, 1 + (index % 20))).toISOString() });
          const run = async () => {
            switch (op.kind) {
              case 'receive':
                return await side.stock.receive(meta, { lines: [{ sku: op.sku, quantity: op.quantity, location: op.to, ...lotOf(op.sku, op.lot) }] });
              case 'transfer':
                return await side.stock.transfer(meta, { lines: [{ sku: op.sku, quantity: op.quantity, from: op.from, to: 'A-03', ...lotOf(op.sku, op.lot) }] });
              case 'ship':
                return await side.stock.ship(meta, { reference: op.reference, lines: [{ sku: op.sku, quantity: op.quantity, from: op.from, ...lotOf(op.sku, op.lot) }] });
              case 'reserve':
                return await side.stock.reserve(meta, { reference: op.reference, lines: [{ sku: op.sku, quantity: op.quantity }] });
              case 'release':
                return await side.stock.releaseReservation(meta, op.reference);
              case 'count':
                return await side.stock.count(meta, { location: 'A-01', lines: [{ sku: op.sku, counted: op.counted }] });
              case 'serials':
                return await side.stock.receive(meta, { lines: [{ sku: 'DRILL', quantity: units(1), location: 'A-02', serials: [op.serial] }] });
              case 'reverse': {
                const movementId = movements.at(-op.back);
                return movementId ? await side.stock.reverse(meta, movementId, 'test') : undefined;
              }
            }
          };
          const result = await run().catch(() => undefined);
          if (result && op.kind !== 'reserve' && op.kind !== 'release') movements.push(result.movementId);
          if (index % 3 === 2) await schemas.catchUp(tenant, live.schema, { batchSize });
        }
        await schemas.catchUp(tenant, live.schema, { batchSize });

        const rebuilt = await schemas.rebuild(tenant);
        expect(rebuilt.schema).not.toBe(live.schema);
        expect(await contents(rebuilt.schema)).toEqual(await contents(live.schema));

        for (const sku of ['BOLT', 'MILK', 'DRILL']) {
          const { state } = await new AggregateCache(store).load(streamName(tenant, 'stock', sku), stockDecider);
          const expected = [...state.onHand]
            .map(([key, onHand]) => ({ ...splitBalanceKey(key), onHand }))
            .filter((row) => !row.location.startsWith('@'))
            .map((row) => `${row.location}/${row.lot ?? ''}=${row.onHand}`)
            .sort();
          const projected = (await reservedStockLines(database.db, rebuilt.schema, { sku })).map((row) => `${row.location}/${row.lot ?? ''}=${row.onHand}`).sort();
          expect(projected).toEqual(expected);
          const reserved = await database.db.one<{ total: string }>(`select coalesce(sum(quantity), 0)::text as total from ${pgp.as.name(rebuilt.schema)}.reservations where sku = $1`, [sku]);
          expect(Number(reserved.total)).toBe(totalReserved(state));
        }
      }),
      { numRuns: 6 },
    );
  }, 120_000);

  it('serves reads from the old schema until the switch, then from the new one; the old one is never altered', async () => {
    const tenant = await warehouse();
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(7), location: 'A-01' }] });
    const oldVersion = new ReadSchemas(database.db, store, logger, 'aaaa000001');
    const old = await oldVersion.ensureLive(tenant);
    await oldVersion.catchUp(tenant, old.schema);
    const columnsOf = (schema: string) =>
      database.db.map('select table_name, column_name, data_type from information_schema.columns where table_schema = $1 order by 1, 2', [schema], (row) => JSON.stringify(row));
    const oldColumns = await columnsOf(old.schema);

    const newVersion = new ReadSchemas(database.db, store, logger, 'bbbb000002');
    const progress: Array<{ events: number; total: number }> = [];
    const building = newVersion.rebuild(tenant, { batchSize: 2, onProgress: ({ events, total }) => progress.push({ events, total }) });
    expect((await newVersion.live(tenant))?.schema).toBe(old.schema);
    const rebuilt = await building;
    expect(rebuilt.version).toBe('bbbb000002');
    expect((await oldVersion.live(tenant))?.schema).toBe(rebuilt.schema);
    expect(progress.length).toBeGreaterThan(1);
    const eventsOfTenant = (await database.db.one<{ n: number }>('select count(*)::int as n from es_events where tenant = $1', [tenant])).n;
    expect(progress.at(-1)).toEqual({ events: eventsOfTenant, total: eventsOfTenant });
    expect(progress.every((step, i) => i === 0 || step.events > (progress[i - 1]?.events ?? 0))).toBe(true);
    expect(await reservedStockLines(database.db, rebuilt.schema, { sku: 'BOLT' })).toEqual([{ sku: 'BOLT', location: 'A-01', lot: null, expiresOn: null, onHand: units(7), reserved: 0, lastCountedAt: null }]);
    expect(await columnsOf(old.schema)).toEqual(oldColumns);
    const registry = await newVersion.list(tenant);
    expect(registry.find((schema) => schema.schema === old.schema)?.status).toBe('retired');
  });

  it('rebuilds again after older generations were dropped', async () => {
    const tenant = await warehouse();
    const first = await schemas.ensureLive(tenant);
    // Caches the live schema's name for a minute and reads its checkpoint on every call.
    const access = new ReadModelAccess(schemas, 60_000, 0);
    expect((await access.at(tenant)).schema).toBe(first.schema);
    const second = await schemas.rebuild(tenant);
    await schemas.dropSchema(first.schema);
    await expect(schemas.checkpoint(first.schema)).rejects.toBeInstanceOf(ReadSchemaGone);
    // The dropped schema's typed error sends the access to look the live schema up again.
    expect((await access.at(tenant)).schema).toBe(second.schema);
    const third = await schemas.rebuild(tenant);
    expect([second.schema.endsWith('_g1'), third.schema.endsWith('_g2')]).toEqual([true, true]);
    await expect(schemas.dropSchema(third.schema)).rejects.toThrow(/is live/);
  });

  it('builds a schema from zero without the ledger indexes and adds them before it goes live', async () => {
    const tenant = await warehouse();
    await schemas.ensureLive(tenant);
    const ledgerIndexes = async (schema: string): Promise<string[]> =>
      await database.db.map(`select indexname from pg_indexes where schemaname = $1 and tablename = 'ledger' order by 1`, [schema], (row: { indexname: string }) => row.indexname);
    const scratch = await schemas.buildScratch(tenant);
    expect(await ledgerIndexes(scratch)).toEqual(['ledger_pkey']);
    await schemas.dropSchema(scratch);
    const rebuilt = await schemas.rebuild(tenant);
    expect(await ledgerIndexes(rebuilt.schema)).toEqual(['ledger_movement_id', 'ledger_pkey', 'ledger_reference', 'ledger_sku_occurred_at']);
  });

  it('a poison event stops that tenant with the event id and the error, and other tenants go on', async () => {
    const poisoned = await warehouse();
    const healthy = await warehouse();
    const bad = await store.append(
      streamName(poisoned, 'stock', 'BOLT'),
      [{ id: '0b7e3c1a-5d2f-4e8b-9a6c-1f2e3d4c5b6a', type: 'StockReceived', data: { movementId: 'x', line: 0, sku: 'BOLT' }, metadata: { tenant: poisoned, user: 'u', source: 'import', correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z', schemaVersion: 2 } }],
      { expectedRevision: 'any' },
    );
    await side.stock.receive(metadataFor(healthy), { lines: [{ sku: 'BOLT', quantity: units(3), location: 'A-01' }] });
    const poisonedLive = await schemas.ensureLive(poisoned);
    await expect(schemas.catchUp(poisoned, poisonedLive.schema)).rejects.toMatchObject({ code: 'projection-failed', eventId: '0b7e3c1a-5d2f-4e8b-9a6c-1f2e3d4c5b6a' });
    const status = await schemas.live(poisoned);
    expect(status).toMatchObject({ status: 'failed', failedEventId: '0b7e3c1a-5d2f-4e8b-9a6c-1f2e3d4c5b6a' });
    expect(status?.error).toContain('does not match its schema');
    expect(bad.position).toBeDefined();
    const healthyLive = await schemas.ensureLive(healthy);
    await schemas.catchUp(healthy, healthyLive.schema);
    expect((await reservedStockLines(database.db, healthyLive.schema)).map((row) => row.onHand)).toEqual([units(3)]);
    await expect(schemas.catchUp(poisoned, poisonedLive.schema)).rejects.toBeInstanceOf(ProjectionFailed);
  });

  it('applies each event once, however many appliers run at once', async () => {
    const tenant = await warehouse();
    for (let i = 0; i < 20; i += 1) await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-01' }] });
    const live = await schemas.ensureLive(tenant);
    const appliers = [schemas, new ReadSchemas(database.db, store, logger), new ReadSchemas(database.db, store, logger)];
    const applied = await Promise.all(appliers.map((applier) => applier.catchUp(tenant, live.schema, { batchSize: 3 })));
    const eventsOfTenant = (await database.db.one<{ n: number }>('select count(*)::int as n from es_events where tenant = $1', [tenant])).n;
    expect(applied.reduce((a, b) => a + b, 0)).toBe(eventsOfTenant);
    expect(await reservedStockLines(database.db, live.schema, { sku: 'BOLT' })).toMatchObject([{ onHand: units(20) }]);
  });

  it('answers stock as of a past business time from the ledger, and waits for a position (X-Min-Position)', async () => {
    const tenant = await warehouse();
    await side.stock.receive(metadataFor(tenant, { occurredAt: '2026-03-01T10:00:00Z' }), { lines: [{ sku: 'BOLT', quantity: units(10), location: 'A-01' }] });
    await side.stock.ship(metadataFor(tenant, { occurredAt: '2026-03-05T10:00:00Z' }), { lines: [{ sku: 'BOLT', quantity: units(4), from: 'A-01' }] });
    // Back-dated: recorded last, happened between the two.
    const late = await side.stock.receive(metadataFor(tenant, { occurredAt: '2026-03-03T10:00:00Z' }), { lines: [{ sku: 'BOLT', quantity: units(1), location: 'A-02' }] });
    const live = await schemas.ensureLive(tenant);
    const access = new ReadModelAccess(schemas);
    await expect(access.at(tenant, late.position, 50)).rejects.toBeInstanceOf(ReadModelNotReady);
    const waiting = access.at(tenant, late.position, 5000);
    await schemas.catchUp(tenant, live.schema);
    expect(BigInt((await waiting).position)).toBeGreaterThanOrEqual(BigInt(late.position));
    expect(await stockAsOf(database.db, live.schema, '2026-03-02T00:00:00Z')).toEqual([{ sku: 'BOLT', location: 'A-01', lot: null, onHand: units(10) }]);
    expect(await stockAsOf(database.db, live.schema, '2026-03-04T00:00:00Z')).toEqual([
      { sku: 'BOLT', location: 'A-01', lot: null, onHand: units(10) },
      { sku: 'BOLT', location: 'A-02', lot: null, onHand: units(1) },
    ]);
    expect(await stockAsOf(database.db, live.schema, '2026-03-06T00:00:00Z', { location: 'A-01' })).toEqual([{ sku: 'BOLT', location: 'A-01', lot: null, onHand: units(6) }]);
  });
});
