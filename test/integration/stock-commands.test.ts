import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateCache } from '../../src/commands/aggregate-cache.js';
import { ConcurrencyConflict, RevisionMismatch } from '../../src/commands/errors.js';
import { uuidIdSource } from '../../src/commands/event-ids.js';
import { DuplicateSku, InsufficientStock, InvalidParentLocation, LotRequired, MovementNotReversible, UnknownLocation, UnknownReservation } from '../../src/domain/errors.js';
import { onHandAt, reservedAt, sumOverAllLocations, totalReserved } from '../../src/domain/stock/state.js';
import { stockDecider } from '../../src/domain/stock/stock.js';
import { comparePositions, type EventStore, type RecordedEvent } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { commandSide, freshTenant, metadataFor, type CommandSide } from '../support/command-handlers.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const units = (n: number): number => n * 1000;

async function collect(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

describe('stock commands against the PostgreSQL event store', () => {
  let database: TestDatabase;
  let store: EventStore;
  let side: CommandSide;

  /** The article's stock folded afresh from the store (not from any command side's cache). */
  const stockOf = async (tenant: string, sku: string) => (await new AggregateCache(store).load(streamName(tenant, 'stock', sku), stockDecider)).state;

  /** A tenant with a warehouse, two bins and the given articles. */
  async function warehouse(articles: Array<{ sku: string; tracking?: 'none' | 'lot' | 'serial' }>): Promise<string> {
    const tenant = freshTenant();
    const meta = metadataFor(tenant);
    await side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    await side.catalog.createLocation(meta, { code: 'A-01', type: 'storage', parent: 'WH' });
    await side.catalog.createLocation(meta, { code: 'A-02', type: 'storage', parent: 'WH' });
    for (const { sku, tracking = 'none' } of articles) await side.catalog.registerArticle(meta, { sku, name: sku, unit: 'pcs', tracking });
    return tenant;
  }

  beforeAll(async () => {
    database = await createTestDatabase({ poolSize: 30 });
    store = new PostgresEventStore(database.db, createLogger('silent'));
    side = commandSide(store);
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('50 concurrent shipments of 1 unit against 10 available, from two processes: exactly 10 succeed and on hand is 0', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }]);
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(10), location: 'A-01' }] });
    const processes = [commandSide(store, { maxAttempts: 20 }), commandSide(store, { maxAttempts: 20 })];
    const outcomes = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        (processes[i % 2] as CommandSide).stock.ship(metadataFor(tenant), { reference: `SO-${i}`, lines: [{ sku: 'BOLT', quantity: units(1), from: 'A-01' }] }),
      ),
    );
    const refused = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
    for (const refusal of refused) expect(refusal.reason instanceof InsufficientStock || refusal.reason instanceof ConcurrencyConflict).toBe(true);
    expect(refused.some((refusal) => refusal.reason instanceof InsufficientStock)).toBe(true);
    const stock = await stockOf(tenant, 'BOLT');
    expect(onHandAt(stock, 'A-01')).toBe(0);
    expect(onHandAt(stock, '@customer')).toBe(units(10));
    expect(sumOverAllLocations(stock)).toBe(0);
  }, 60_000);

  it('a 40-line receipt whose last line is invalid records nothing', async () => {
    const skus = Array.from({ length: 40 }, (_, i) => `ART-${i}`);
    const tenant = await warehouse(skus.map((sku, i) => ({ sku, tracking: i === 39 ? 'lot' : 'none' })));
    const eventsOf = async (): Promise<string> => (await database.db.one<{ n: string }>('select count(*) as n from es_events where tenant = $1', [tenant])).n;
    const before = await eventsOf();
    const lines = skus.map((sku) => ({ sku, quantity: units(5), location: 'A-01' }));
    await expect(side.stock.receive(metadataFor(tenant), { lines })).rejects.toMatchObject({ code: 'lot-required', line: 39 });
    await expect(side.stock.receive(metadataFor(tenant), { lines })).rejects.toBeInstanceOf(LotRequired);
    const elsewhere = lines.map((line, i) => (i === 39 ? { ...line, sku: 'ART-0', location: 'NOWHERE' } : line));
    await expect(side.stock.receive(metadataFor(tenant), { lines: elsewhere })).rejects.toBeInstanceOf(UnknownLocation);
    expect(await eventsOf()).toBe(before);
    for (const sku of skus) expect(await store.streamRevision(streamName(tenant, 'stock', sku))).toBeUndefined();
  });

  it('records a multi-article receipt atomically, with the metadata of the command on every event', async () => {
    const tenant = await warehouse([{ sku: 'NUT' }, { sku: 'WASHER' }]);
    const meta = metadataFor(tenant, { causationId: 'req-1', idempotencyKey: 'receipt-1', occurredAt: '2026-11-20T08:00:00.000Z' });
    const result = await side.stock.receive(meta, {
      reference: 'PO-1001',
      lines: [
        { sku: 'NUT', quantity: 100, location: 'A-01' },
        { sku: 'WASHER', quantity: 200, location: 'A-02' },
        { sku: 'NUT', quantity: 200, location: 'A-01' },
      ],
    });
    expect(result.record.lines.map((line) => [line.line, line.sku, line.from, line.to, line.quantity])).toEqual([
      [0, 'NUT', '@supplier', 'A-01', 100],
      [2, 'NUT', '@supplier', 'A-01', 200],
      [1, 'WASHER', '@supplier', 'A-02', 200],
    ]);
    expect(onHandAt(await stockOf(tenant, 'NUT'), 'A-01')).toBe(300); // 0.1 + 0.2 is exactly 0.3
    const events = await collect(store.readStream(streamName(tenant, 'movement', result.movementId)));
    for (const sku of ['NUT', 'WASHER']) events.push(...(await collect(store.readStream(streamName(tenant, 'stock', sku)))));
    const written = events.filter((event) => event.metadata.correlationId === meta.correlationId);
    expect(written.map((event) => event.type).sort()).toEqual(['MovementRecorded', 'StockReceived', 'StockReceived', 'StockReceived']);
    for (const event of written) {
      expect(event.metadata).toEqual({ ...meta, schemaVersion: event.type === 'StockReceived' ? 2 : 1 });
    }
  });

  it('a retried request with the same idempotency key records nothing twice and answers like the first time', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }]);
    const meta = metadataFor(tenant, { idempotencyKey: 'ship-key' });
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(3), location: 'A-01' }] });
    const first = await side.stock.ship(meta, { lines: [{ sku: 'BOLT', quantity: units(2), from: 'A-01' }] });
    const again = await side.stock.ship(meta, { lines: [{ sku: 'BOLT', quantity: units(2), from: 'A-01' }] });
    const fromOtherProcess = await commandSide(store).stock.ship(meta, { lines: [{ sku: 'BOLT', quantity: units(2), from: 'A-01' }] });
    expect(first.duplicate).toBe(false);
    for (const retry of [again, fromOtherProcess]) {
      expect(retry).toMatchObject({ movementId: first.movementId, duplicate: true });
      expect(comparePositions(retry.position, first.position)).toBeGreaterThanOrEqual(0);
      expect(retry.record).toEqual(first.record);
    }
    expect(onHandAt(await stockOf(tenant, 'BOLT'), 'A-01')).toBe(units(1));
  });

  it('concurrent retries of one keyed request record it once', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }]);
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(10), location: 'A-01' }] });
    const meta = metadataFor(tenant, { idempotencyKey: 'same-key' });
    const results = await Promise.all(
      [side, commandSide(store), commandSide(store)].map((process) => process.stock.ship(meta, { lines: [{ sku: 'BOLT', quantity: units(4), from: 'A-01' }] })),
    );
    expect(new Set(results.map((result) => result.movementId)).size).toBe(1);
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(onHandAt(await stockOf(tenant, 'BOLT'), 'A-01')).toBe(units(6));
  });

  it('reverses a movement once, leaving the original as it was', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }, { sku: 'NUT' }]);
    const receipt = await side.stock.receive(metadataFor(tenant), {
      lines: [
        { sku: 'BOLT', quantity: units(5), location: 'A-01' },
        { sku: 'NUT', quantity: units(7), location: 'A-02' },
      ],
    });
    const attempts = await Promise.allSettled([side, commandSide(store)].map((process) => process.stock.reverse(metadataFor(tenant), receipt.movementId, 'wrong delivery note')));
    const reversed = attempts.filter((attempt) => attempt.status === 'fulfilled');
    expect(reversed).toHaveLength(1);
    const refusal = attempts.find((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected');
    expect(refusal?.reason).toBeInstanceOf(MovementNotReversible);
    expect(onHandAt(await stockOf(tenant, 'BOLT'), 'A-01')).toBe(0);
    expect(onHandAt(await stockOf(tenant, 'NUT'), '@supplier')).toBe(0);
    const original = await collect(store.readStream(streamName(tenant, 'movement', receipt.movementId)));
    expect(original.map((event) => event.type)).toEqual(['MovementRecorded', 'MovementReversed']);
    await expect(side.stock.reverse(metadataFor(tenant), 'no-such-movement', 'x')).rejects.toMatchObject({ code: 'unknown-movement' });
  });

  it('reserves over several articles, ships against the reservation and releases the rest', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }, { sku: 'NUT' }]);
    await side.stock.receive(metadataFor(tenant), {
      lines: [
        { sku: 'BOLT', quantity: units(10), location: 'A-01' },
        { sku: 'NUT', quantity: units(10), location: 'A-01' },
      ],
    });
    await side.stock.reserve(metadataFor(tenant), {
      reference: 'SO-77',
      lines: [
        { sku: 'BOLT', quantity: units(6) },
        { sku: 'NUT', quantity: units(4), location: 'A-01' },
      ],
    });
    await expect(side.stock.ship(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(5), from: 'A-01' }] })).rejects.toMatchObject({
      code: 'insufficient-stock',
      available: 4,
    });
    await side.stock.ship(metadataFor(tenant), { reference: 'SO-77', lines: [{ sku: 'BOLT', quantity: units(5), from: 'A-01' }] });
    expect(totalReserved(await stockOf(tenant, 'BOLT'))).toBe(units(1));
    await side.stock.releaseReservation(metadataFor(tenant), 'SO-77');
    expect(totalReserved(await stockOf(tenant, 'BOLT'))).toBe(0);
    expect(reservedAt(await stockOf(tenant, 'NUT'), 'A-01')).toBe(0);
    await expect(side.stock.releaseReservation(metadataFor(tenant), 'SO-77')).rejects.toBeInstanceOf(UnknownReservation);
    await expect(side.stock.releaseReservation(metadataFor(tenant), 'SO-NEVER')).rejects.toBeInstanceOf(UnknownReservation);
  });

  it('catalog commands: duplicate SKU, If-Match, missing parent', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }]);
    await expect(side.catalog.registerArticle(metadataFor(tenant), { sku: 'BOLT', name: 'again', unit: 'pcs', tracking: 'none' })).rejects.toBeInstanceOf(DuplicateSku);
    const updated = await side.catalog.updateArticle(metadataFor(tenant), 'BOLT', { name: 'Bolt M8' }, 0n);
    expect(updated.revision).toBe(1n);
    await expect(side.catalog.updateArticle(metadataFor(tenant), 'BOLT', { name: 'Bolt M10' }, 0n)).rejects.toBeInstanceOf(RevisionMismatch);
    await expect(side.catalog.createLocation(metadataFor(tenant), { code: 'B-01', type: 'storage', parent: 'NOPE' })).rejects.toBeInstanceOf(InvalidParentLocation);
  });

  it('decides on cached states, but refuses only on what the store says now', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }]);
    const other = commandSide(store);
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(10), location: 'A-01' }] });
    await other.stock.ship(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(1), from: 'A-01' }] }); // warms the other cache

    // The other process's cache is behind: it still sees 9 when only 1 is left.
    await side.stock.ship(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(8), from: 'A-01' }] });
    await expect(other.stock.ship(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(5), from: 'A-01' }] })).rejects.toMatchObject({
      code: 'insufficient-stock',
      available: 1,
    });
    // And behind the other way: it sees 1, the store has 21 after this receipt.
    await side.stock.receive(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(20), location: 'A-01' }] });
    await other.stock.ship(metadataFor(tenant), { lines: [{ sku: 'BOLT', quantity: units(15), from: 'A-01' }] });
    expect(onHandAt(await stockOf(tenant, 'BOLT'), 'A-01')).toBe(units(6));

    // An article and a location made by another process are known at once when needed.
    await side.catalog.registerArticle(metadataFor(tenant), { sku: 'NEW', name: 'new', unit: 'pcs', tracking: 'none' });
    await side.catalog.createLocation(metadataFor(tenant), { code: 'C-01', type: 'storage', parent: 'WH' });
    await other.stock.receive(metadataFor(tenant), { lines: [{ sku: 'NEW', quantity: units(1), location: 'C-01' }] });
    expect(onHandAt(await stockOf(tenant, 'NEW'), 'C-01')).toBe(units(1));
  });

  it('commands on one stream from two processes at once: a conflict is decided again, none is lost', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }]);
    const processes = [commandSide(store, { maxAttempts: 20 }), commandSide(store, { maxAttempts: 20 })];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) => (processes[i % 2] as CommandSide).catalog.updateArticle(metadataFor(tenant), 'BOLT', { name: `Bolt ${i}` })),
    );
    const events = await collect(store.readStream(streamName(tenant, 'article', 'BOLT')));
    expect(events.map((event) => event.type)).toEqual(['ArticleRegistered', ...Array.from({ length: 12 }, () => 'ArticleUpdated')]);
  }, 60_000);

  it('a keyed command on one stream, retried after the stream moved on, records nothing twice', async () => {
    const tenant = await warehouse([]);
    const block = metadataFor(tenant, { idempotencyKey: 'block-1' });
    await side.catalog.blockLocation(block, 'A-01', 'count');
    await side.catalog.unblockLocation(metadataFor(tenant), 'A-01');
    // The retry decides "block" again on the unblocked location; its event ids are the first try's.
    const retried = await side.catalog.blockLocation(block, 'A-01', 'count');
    const events = await collect(store.readStream(streamName(tenant, 'location', 'A-01')));
    expect(events.map((event) => event.type)).toEqual(['LocationCreated', 'LocationBlocked', 'LocationUnblocked']);
    expect(retried.revision).toBe(1n);
  });

  it('derives the event ids of a keyed movement as before (<stream>#<index>), so keys stored earlier stay safe to retry', async () => {
    const tenant = await warehouse([{ sku: 'BOLT' }]);
    const meta = metadataFor(tenant, { idempotencyKey: 'receipt-ids', idempotencyScope: 'user-1' });
    const result = await side.stock.receive(meta, {
      lines: [
        { sku: 'BOLT', quantity: units(1), location: 'A-01' },
        { sku: 'BOLT', quantity: units(2), location: 'A-02' },
      ],
    });
    const key = 'receipt-ids@user-1';
    expect(result.movementId).toBe(uuidIdSource.derived(tenant, key, 'movement'));
    for (const stream of [streamName(tenant, 'stock', 'BOLT'), streamName(tenant, 'movement', result.movementId)]) {
      const events = await collect(store.readStream(stream));
      expect(events.map((event) => event.id)).toEqual(events.map((_, index) => uuidIdSource.derived(tenant, key, `${stream}#${index}`)));
    }
  });

  it('reads events written in an older schema version through their upcaster', async () => {
    const tenant = await warehouse([{ sku: 'OLD' }]);
    // StockReceived version 1: `location` instead of `to`, decimal units, no line number.
    await store.append(
      streamName(tenant, 'stock', 'OLD'),
      [
        {
          id: '6f1d3a52-8a4b-4c1e-9d2f-0a1b2c3d4e5f',
          type: 'StockReceived',
          data: { movementId: 'm-v1', sku: 'OLD', location: 'A-01', quantity: 2.5 },
          metadata: { tenant, user: 'legacy', source: 'import', correlationId: 'c-v1', occurredAt: '2026-01-01T00:00:00Z', schemaVersion: 1 },
        },
      ],
      { expectedRevision: 'no_stream' },
    );
    expect(onHandAt(await stockOf(tenant, 'OLD'), 'A-01')).toBe(2500);
    await side.stock.ship(metadataFor(tenant), { lines: [{ sku: 'OLD', quantity: 1500, from: 'A-01' }] });
    expect(onHandAt(await stockOf(tenant, 'OLD'), 'A-01')).toBe(1000);
  });
});
