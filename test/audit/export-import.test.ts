import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { exportTenant } from '../../src/audit/export.js';
import { checkExport, InvalidExport } from '../../src/audit/export-reader.js';
import { importedEventId, importTenant } from '../../src/audit/import.js';
import { compareStockAsOf } from '../../src/audit/stock-as-of.js';
import { generateDemoData } from '../../src/demo/demo-data.js';
import type { EventStore, RecordedEvent } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { stockAsOf, stockLinesWithReservations } from '../../src/projections/queries.js';
import { verifyReadSchema } from '../../src/projections/verify.js';
import { freshTenant, metadataFor } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';
import { createTestDatabase } from '../support/test-database.js';

/** The events of a tenant as the round trip must keep them (recordedAt too): stream names without the tenant. */
async function history(store: EventStore, tenant: string, id: (id: string) => string = (same) => same): Promise<Array<Omit<RecordedEvent, 'position'>>> {
  const events = [];
  for await (const event of store.readTenant(tenant)) {
    const { position: _position, ...kept } = event;
    events.push({ ...kept, id: id(kept.id), stream: kept.stream.slice(tenant.length + 1), metadata: { ...kept.metadata, tenant: 'any' } });
  }
  return events;
}

/**
 * The store through the port alone: the adapter's optional capabilities (TenantTextReads,
 * TenantJsonLines, HistoryImport) hidden, as an adapter without them would be.
 */
function portOnly(store: EventStore): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendHistory' || property === 'readTenantText' || property === 'readTenantJsonLines') return undefined;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The two ways an import writes: the PostgreSQL adapter's capabilities, and the port alone. */
const paths: Array<[string, (store: EventStore) => EventStore]> = [
  ['with the adapter\'s capabilities', (store) => store],
  ['through the port alone', portOnly],
];

/** A store whose appends (appendMany or appendHistory) abort the signal after `calls` successful calls: an interrupted import. */
function interruptingStore(store: EventStore, calls: number, controller: AbortController): EventStore {
  let done = 0;
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'appendMany' || property === 'appendHistory') {
        const append = Reflect.get(target, property, receiver) as ((...args: unknown[]) => Promise<unknown>) | undefined;
        if (!append) return undefined;
        return async (...args: unknown[]) => {
          const results = await append.apply(target, args);
          done += 1;
          if (done === calls) controller.abort();
          return results;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('export and import of a tenant', () => {
  const readSide = useReadSide();
  const source = freshTenant('ex');
  let folder: string;
  let file: string;
  let events: number;

  beforeAll(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'stockctl-export-'));
    file = path.join(folder, 'tenant.ndjson.gz');
    await generateDemoData(readSide.side, { tenant: source, user: 'demo', articles: 12, days: 6, now: new Date('2026-06-01T12:00:00Z'), concurrency: 4 });
    events = await readSide.store.countEvents(source);
  }, 120_000);
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('exports every event in position order, closed by a manifest that counts and hashes them', async () => {
    const manifest = await exportTenant(readSide.store, source, file);
    expect(manifest).toMatchObject({ formatVersion: 1, tenant: source, count: events, headPosition: await readSide.store.headPosition(source) });
    const lines = gunzipSync(await readFile(file)).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(events + 1);
    expect(JSON.parse(lines.at(-1) as string)).toEqual({ manifest });
    const check = await checkExport(file);
    expect(check).toEqual({ manifest, events, problems: [] });
  });

  it.each(paths)('exports %s the same events (data and metadata only spaced differently)', async (_path, through) => {
    const viaPort = path.join(folder, 'port.ndjson');
    const viaText = path.join(folder, 'text.ndjson');
    const port = await exportTenant(through(readSide.store), source, viaPort);
    const text = await exportTenant(readSide.store, source, viaText);
    expect(port.count).toBe(text.count);
    const parsed = async (name: string): Promise<unknown[]> => (await readFile(name, 'utf8')).trimEnd().split('\n').slice(0, -1).map((line) => JSON.parse(line) as unknown);
    expect(await parsed(viaPort)).toEqual(await parsed(viaText));
    expect((await checkExport(viaPort)).problems).toEqual([]);
  });

  it('imports into a new tenant with the same ids, order and revisions, and a read model with zero drift', async () => {
    const target = freshTenant('im');
    const result = await importTenant(readSide.store, file, { tenant: target });
    expect(result).toEqual({ sourceTenant: source, tenant: target, events, appended: events, alreadyStored: 0, dryRun: false });
    // Ids are unique in a store: the copy's are derived from the originals, the same on every run.
    expect(await history(readSide.store, target)).toEqual(await history(readSide.store, source, (id) => importedEventId(target, id)));
    for await (const event of readSide.store.readTenant(target)) expect(event.metadata.tenant).toBe(target);

    const sourceSchema = await readSide.schemas.ensureLive(source);
    const targetSchema = await readSide.schemas.ensureLive(target);
    await readSide.schemas.catchUp(source, sourceSchema.schema);
    await readSide.schemas.catchUp(target, targetSchema.schema);
    expect((await verifyReadSchema(readSide.database.db, readSide.schemas, readSide.store, target)).ok).toBe(true);
    const at = '2026-05-29T00:00:00.000Z';
    expect(await stockLinesWithReservations(readSide.database.db, targetSchema.schema, { includeZero: true })).toEqual(
      await stockLinesWithReservations(readSide.database.db, sourceSchema.schema, { includeZero: true }),
    );
    expect(await stockAsOf(readSide.database.db, targetSchema.schema, at)).toEqual(await stockAsOf(readSide.database.db, sourceSchema.schema, at));
    // The events folded by business time agree with the read model's as-of query.
    const comparison = await compareStockAsOf(readSide.database.db, targetSchema.schema, readSide.store, target, new Date(at));
    expect(comparison.fromEvents.length).toBeGreaterThan(0);
    expect(comparison.disagreements).toEqual([]);

    // A rerun records nothing.
    const rerun = await importTenant(readSide.store, file, { tenant: target });
    expect(rerun).toMatchObject({ appended: 0, alreadyStored: events });
    expect(await readSide.store.countEvents(target)).toBe(events);
  }, 60_000);

  it('exports up to a position: a prefix of the history that imports on its own', async () => {
    const positions: string[] = [];
    for await (const event of readSide.store.readTenant(source)) positions.push(event.position);
    const middle = positions[Math.floor(positions.length / 2)] as string;
    const prefix = path.join(folder, 'prefix.ndjson');
    const manifest = await exportTenant(readSide.store, source, prefix, { upToPosition: middle });
    expect(manifest).toMatchObject({ count: positions.indexOf(middle) + 1, lastPosition: middle, upToPosition: middle });
    expect(await importTenant(readSide.store, prefix, { tenant: freshTenant('px'), dryRun: true })).toMatchObject({ events: manifest.count });
  });

  it('imports through the port alone (an adapter without HistoryImport) the same history, and a rerun records nothing', async () => {
    const target = freshTenant('ip');
    const store = portOnly(readSide.store);
    expect(await importTenant(store, file, { tenant: target })).toMatchObject({ appended: events, alreadyStored: 0 });
    expect(await history(readSide.store, target)).toEqual(await history(readSide.store, source, (id) => importedEventId(target, id)));
    expect(await importTenant(store, file, { tenant: target })).toMatchObject({ appended: 0, alreadyStored: events });
  }, 60_000);

  it.each(paths)('imports a longer export of the same history over a shorter one, appending only what is new (%s)', async (_path, through) => {
    const small = freshTenant('sm');
    const meta = metadataFor(small);
    await readSide.side.catalog.createLocation(meta, { code: 'WH', type: 'warehouse' });
    await readSide.side.catalog.registerArticle(meta, { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' });
    // Two lines of one article: two events of one stream, next to each other in the history.
    await readSide.side.stock.receive(meta, { lines: [{ sku: 'BOLT', quantity: 1000, location: 'WH' }, { sku: 'BOLT', quantity: 2000, location: 'WH' }] });
    const all: RecordedEvent[] = [];
    for await (const event of readSide.store.readTenant(small)) all.push(event);
    const cut = all.findIndex((event, index) => event.stream === all[index + 1]?.stream);
    expect(cut).toBeGreaterThanOrEqual(0);
    const shorter = path.join(folder, 'shorter.ndjson');
    const longer = path.join(folder, 'longer.ndjson');
    await exportTenant(readSide.store, small, shorter, { upToPosition: all[cut]?.position as string });
    await exportTenant(readSide.store, small, longer);
    const target = freshTenant('lg');
    expect(await importTenant(through(readSide.store), shorter, { tenant: target })).toMatchObject({ appended: cut + 1 });
    expect(await importTenant(through(readSide.store), longer, { tenant: target })).toMatchObject({ appended: all.length - cut - 1, alreadyStored: cut + 1 });
    expect(await history(readSide.store, target)).toEqual(await history(readSide.store, small, (id) => importedEventId(target, id)));
  });

  it('exports the history as recorded up to a time, and leaves no file behind when aborted', async () => {
    const all: RecordedEvent[] = [];
    for await (const event of readSide.store.readTenant(source)) all.push(event);
    const middle = all[Math.floor(all.length / 2)] as RecordedEvent;
    const until = path.join(folder, 'until.ndjson');
    const manifest = await exportTenant(readSide.store, source, until, { until: middle.recordedAt });
    const expected = all.findIndex((event) => event.recordedAt.getTime() > middle.recordedAt.getTime());
    expect(manifest.count).toBe(expected < 0 ? all.length : expected);
    expect(manifest.until).toBe(middle.recordedAt.toISOString());

    const aborted = path.join(folder, 'aborted.ndjson.gz');
    const controller = new AbortController();
    controller.abort();
    await expect(exportTenant(readSide.store, source, aborted, { signal: controller.signal })).rejects.toThrow(/abort/i);
    await expect(readFile(aborted)).rejects.toThrow(/ENOENT/);
    await expect(readFile(`${aborted}.partial`)).rejects.toThrow(/ENOENT/);
  });

  it('validates everything and writes nothing on a dry run', async () => {
    const target = freshTenant('dry');
    const result = await importTenant(readSide.store, file, { tenant: target, dryRun: true });
    expect(result).toMatchObject({ events, appended: 0, dryRun: true });
    expect(await readSide.store.countEvents(target)).toBe(0);
  });

  it('refuses a file whose events no longer match the manifest, importing nothing', async () => {
    const plain = path.join(folder, 'edited.ndjson');
    const lines = gunzipSync(await readFile(file)).toString('utf8').split('\n');
    const index = lines.findIndex((line) => /"quantity": ?\d/.test(line));
    lines[index] = (lines[index] as string).replace(/"quantity": ?(\d+)/, (_match, quantity: string) => `"quantity": ${Number(quantity) + 1000}`);
    await writeFile(plain, lines.join('\n'));
    expect((await checkExport(plain)).problems).toContain('the SHA-256 of the event lines differs from the manifest');
    const target = freshTenant('bad');
    await expect(importTenant(readSide.store, plain, { tenant: target })).rejects.toBeInstanceOf(InvalidExport);
    expect(await readSide.store.countEvents(target)).toBe(0);
  });

  it.each(paths)('resumes an interrupted import by running it again: the stored batches are skipped (%s)', async (_path, through) => {
    const target = freshTenant('re');
    const controller = new AbortController();
    const interrupted = importTenant(interruptingStore(through(readSide.store), 3, controller), file, { tenant: target, signal: controller.signal, batchSize: 100 });
    await expect(interrupted).rejects.toThrow(/abort/i);
    const stored = await readSide.store.countEvents(target);
    expect(stored).toBeGreaterThan(0);
    expect(stored).toBeLessThan(events);
    const resumed = await importTenant(through(readSide.store), file, { tenant: target, batchSize: 100 });
    expect(resumed).toMatchObject({ appended: events - stored, alreadyStored: stored });
    expect(await history(readSide.store, target)).toEqual(await history(readSide.store, source, (id) => importedEventId(target, id)));
  });

  it('imports into another store under the same tenant with the very same event ids', async () => {
    const other = await createTestDatabase();
    const otherStore = new PostgresEventStore(other.db, createLogger('silent'));
    try {
      expect(await importTenant(otherStore, file)).toMatchObject({ tenant: source, appended: events });
      expect(await history(otherStore, source)).toEqual(await history(readSide.store, source));
      expect(await importTenant(otherStore, file)).toMatchObject({ appended: 0, alreadyStored: events });
    } finally {
      await otherStore.close();
      await other.drop();
    }
  });
});
