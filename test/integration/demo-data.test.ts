import { beforeAll, describe, expect, it } from '@jest/globals';
import { AggregateCache } from '../../src/commands/aggregate-cache.js';
import { generateDemoData, type DemoOptions, type DemoSummary } from '../../src/demo/demo-data.js';
import type { ArticleDetails } from '../../src/domain/article/article.js';
import { DuplicateLocation } from '../../src/domain/errors.js';
import { isVirtualLocation } from '../../src/domain/locations.js';
import { splitBalanceKey, sumOverAllLocations, totalOnHand, totalReserved } from '../../src/domain/stock/state.js';
import { stockDecider } from '../../src/domain/stock/stock.js';
import type { RecordedEvent } from '../../src/eventstore/event-store.js';
import { parseStreamName, streamName } from '../../src/eventstore/stream-name.js';
import { reservedStockLines } from '../../src/projections/reserved-stock.js';
import { freshTenant } from '../support/command-handlers.js';
import { useReadSide } from '../support/read-side.js';

const day = 86_400_000;
// A fixed present makes the demo the same on every run; the generator must still keep every movement before it.
const now = new Date('2026-03-24T16:20:00Z');
const demo: Omit<DemoOptions, 'tenant'> = { user: 'demo-test', seed: 7, articles: 60, days: 20, now };
const movementKinds = ['received', 'transferred', 'reserved', 'reservation-released', 'shipped', 'returned', 'adjusted', 'counted', 'reversed'];

async function eventsOf(iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const event of iterable) events.push(event);
  return events;
}

const dataOf = (event: RecordedEvent): Record<string, unknown> => event.data as Record<string, unknown>;
const ofType = (events: readonly RecordedEvent[], type: string): Array<Record<string, unknown>> => events.filter((event) => event.type === type).map(dataOf);
const countBy = (values: readonly unknown[]): Record<string, number> => values.reduce<Record<string, number>>((counts, value) => ({ ...counts, [String(value)]: (counts[String(value)] ?? 0) + 1 }), {});

/** Whether a 13-digit code has a valid EAN-13 check digit (weights 1, 3, 1, ... over all 13 digits sum to a multiple of 10). */
const validEan13 = (code: string): boolean => /^\d{13}$/.test(code) && [...code].reduce((sum, digit, index) => sum + Number(digit) * (index % 2 === 0 ? 1 : 3), 0) % 10 === 0;

/** Each stock stream's events in order, with the random ids (movement ids) left out: what the seed decides. */
function stockHistories(events: readonly RecordedEvent[]): Record<string, unknown[]> {
  const histories: Record<string, unknown[]> = {};
  for (const event of events) {
    const parsed = parseStreamName(event.stream);
    if (parsed?.category !== 'stock') continue;
    const { movementId: _movement, reversedMovementId: _reversed, ...data } = dataOf(event);
    (histories[parsed.id] ??= []).push({ type: event.type, data, occurredAt: event.metadata.occurredAt });
  }
  return histories;
}

describe('demo data generator', () => {
  const readSide = useReadSide();
  const tenant = freshTenant('demo');
  let summary: DemoSummary;
  let events: RecordedEvent[];
  const progress: Array<{ done: number; total: number; what: string }> = [];

  beforeAll(async () => {
    summary = await generateDemoData(readSide.side, { ...demo, tenant, onProgress: (done, total, what) => progress.push({ done, total, what }) });
    events = await eventsOf(readSide.store.readTenant(tenant));
  }, 60_000);

  it('records every kind of movement, and its summary counts what is in the store', () => {
    const kinds = countBy(ofType(events, 'MovementRecorded').map((record) => record.kind));
    expect(Object.keys(kinds).sort()).toEqual([...movementKinds].sort());
    expect(summary).toEqual({ locations: ofType(events, 'LocationCreated').length, articles: 60, movements: ofType(events, 'MovementRecorded').length, events: events.length });
    expect(summary.locations).toBeGreaterThanOrEqual(190);
    expect(summary.movements).toBeGreaterThan(150);

    // The variants of each kind that the reports and the ledger should show.
    const shipped = ofType(events, 'StockShipped');
    expect(shipped.some((line) => line.reservationConsumed !== undefined)).toBe(true);
    expect(shipped.some((line) => line.reference === undefined)).toBe(true);
    expect(ofType(events, 'StockCounted').filter((line) => line.difference !== 0).length).toBeGreaterThan(0);
    expect(ofType(events, 'StockCounted').filter((line) => line.difference === 0).length).toBeGreaterThan(0);
    expect(new Set(ofType(events, 'StockAdjusted').map((line) => line.reason)).size).toBeGreaterThanOrEqual(3);
    expect(ofType(events, 'StockReturned').every((line) => typeof line.reason === 'string')).toBe(true);
    const receivedAt = new Set(ofType(events, 'StockReceived').map((line) => line.to));
    const putAway = ofType(events, 'StockTransferred').filter((line) => receivedAt.has(line.from));
    expect(putAway.length).toBeGreaterThan(0);
    expect(ofType(events, 'ReservationPlaced').length).toBe(countBy(ofType(events, 'MovementRecorded').map((record) => record.kind)).reserved);
  });

  it('reports its progress through locations, articles and days', () => {
    const last = (what: string) => progress.filter((step) => step.what === what).at(-1);
    expect(last('locations')).toEqual({ done: summary.locations, total: summary.locations, what: 'locations' });
    expect(last('articles')).toEqual({ done: 60, total: 60, what: 'articles' });
    expect(last('days')).toEqual({ done: 21, total: 21, what: 'days' });
  });

  it('makes articles of every tracking kind with valid SKUs, EAN-13 barcodes, reorder points and shelf lives', () => {
    const articles = ofType(events, 'ArticleRegistered') as unknown as ArticleDetails[];
    expect(countBy(articles.map((article) => article.tracking))).toEqual({ none: 42, lot: 12, serial: 6 });
    for (const article of articles) expect(article.sku).toMatch(/^[A-Za-z0-9._/-]{1,64}$/);
    expect(new Set(articles.map((article) => article.unit))).toEqual(new Set(['pcs', 'box', 'kg', 'm', 'l']));
    const barcodes = articles.flatMap((article) => (article.barcode === undefined ? [] : [article.barcode]));
    expect(barcodes.length).toBeGreaterThan(20);
    expect(barcodes.filter((code) => !validEan13(code))).toEqual([]);
    expect(new Set(barcodes).size).toBe(barcodes.length);
    expect(articles.filter((article) => article.reorderPoint !== undefined).length).toBeGreaterThan(5);
    expect(articles.filter((article) => article.tracking === 'lot').every((article) => article.shelfLifeDays !== undefined)).toBe(true);
    for (const location of ofType(events, 'LocationCreated')) expect(location.code).toMatch(/^[A-Z0-9._-]{1,32}$/);
  });

  it('leaves no negative stock in a real location; the read side agrees with the deciders, and shows low and expiring stock', async () => {
    const live = await readSide.schemas.ensureLive(tenant);
    await readSide.schemas.catchUp(tenant, live.schema);
    const lines = await reservedStockLines(readSide.database.db, live.schema);
    expect(lines.length).toBeGreaterThan(60);
    expect(lines.filter((line) => line.onHand < 0)).toEqual([]);

    const cache = new AggregateCache(readSide.store);
    const articles = ofType(events, 'ArticleRegistered') as unknown as ArticleDetails[];
    const folded: string[] = [];
    const low: string[] = [];
    for (const article of articles) {
      const { state } = await cache.load(streamName(tenant, 'stock', article.sku), stockDecider);
      expect(sumOverAllLocations(state)).toBe(0);
      expect(totalReserved(state)).toBeLessThanOrEqual(totalOnHand(state));
      for (const [key, onHand] of state.onHand) {
        const { location, lot } = splitBalanceKey(key);
        if (isVirtualLocation(location)) continue;
        expect(onHand).toBeGreaterThan(0);
        folded.push(`${article.sku}|${location}|${lot ?? ''}|${onHand}`);
      }
      if (article.reorderPoint !== undefined && totalOnHand(state) - totalReserved(state) <= article.reorderPoint) low.push(article.sku);
    }
    expect(lines.map((line) => `${line.sku}|${line.location}|${line.lot ?? ''}|${line.onHand}`).sort()).toEqual(folded.sort());
    expect(low.length).toBeGreaterThan(0);

    const today = now.toISOString().slice(0, 10);
    const inDays = (n: number): string => new Date(now.getTime() + n * day).toISOString().slice(0, 10);
    const withExpiry = lines.filter((line) => line.expiresOn !== null);
    expect(withExpiry.filter((line) => (line.expiresOn as string) < today).length).toBeGreaterThan(0);
    expect(withExpiry.filter((line) => (line.expiresOn as string) >= today && (line.expiresOn as string) <= inDays(30)).length).toBeGreaterThan(0);
  });

  it('dates movements within the last `days` days, in order per article, never in the future', () => {
    const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 20 * day;
    const times = events.map((event) => Date.parse(String(event.metadata.occurredAt)));
    expect(times.filter((time) => !(time >= start && time < now.getTime())).map((time) => new Date(time).toISOString())).toEqual([]);
    expect(new Set(times.map((time) => Math.floor(time / day))).size).toBeGreaterThanOrEqual(15);
    for (const [sku, history] of Object.entries(stockHistories(events))) {
      const dates = history.map((entry) => String((entry as { occurredAt: string }).occurredAt));
      expect({ sku, dates }).toEqual({ sku, dates: [...dates].sort() });
    }
  });

  it('makes the same demo from the same seed, and another from another seed', async () => {
    const again = freshTenant('demo');
    const other = freshTenant('demo');
    await generateDemoData(readSide.side, { ...demo, tenant: again });
    await generateDemoData(readSide.side, { ...demo, tenant: other, seed: 8 });
    const againEvents = await eventsOf(readSide.store.readTenant(again));
    const otherEvents = await eventsOf(readSide.store.readTenant(other));
    // Catalog commands run several at a time, so their events are compared in SKU and code order.
    const catalog = (from: readonly RecordedEvent[]) => ofType(from, 'ArticleRegistered').sort((a, b) => String(a.sku).localeCompare(String(b.sku)));
    const locations = (from: readonly RecordedEvent[]) => ofType(from, 'LocationCreated').sort((a, b) => String(a.code).localeCompare(String(b.code)));
    expect(catalog(againEvents)).toEqual(catalog(events));
    expect(locations(againEvents)).toEqual(locations(events));
    expect(stockHistories(againEvents)).toEqual(stockHistories(events));
    expect(catalog(otherEvents)).not.toEqual(catalog(events));
    expect(locations(otherEvents)).toEqual(locations(events));
  }, 60_000);

  it('refuses to run again into a tenant that has its demo, at the first command, recording nothing', async () => {
    const before = (await eventsOf(readSide.store.readTenant(tenant))).length;
    await expect(generateDemoData(readSide.side, { ...demo, tenant })).rejects.toBeInstanceOf(DuplicateLocation);
    expect((await eventsOf(readSide.store.readTenant(tenant))).length).toBe(before);
  });
});
