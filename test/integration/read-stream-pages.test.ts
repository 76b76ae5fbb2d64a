/**
 * readStream fetches a stream's next page while the caller works through the current one (a long
 * article history for `replay article`): every event still comes once, in revision order, within
 * the asked range, and a caller that stops early leaves nothing behind that fails later.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { freshTenant } from '../support/command-handlers.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

async function revisions(events: AsyncIterable<RecordedEvent>): Promise<bigint[]> {
  const seen: bigint[] = [];
  for await (const event of events) seen.push(event.revision);
  return seen;
}

describe('reading a stream a page ahead', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;
  const stream = streamName(freshTenant('pg'), 'stock', 'LONG');
  const range = (from: number, to: number): bigint[] => Array.from({ length: to - from + 1 }, (_, index) => BigInt(from + index));

  beforeAll(async () => {
    database = await createTestDatabase();
    // Pages of 3: the 10 events take four pages, the last one short.
    store = new PostgresEventStore(database.db, createLogger('silent'), { batchSize: 3 });
    await store.append(stream, Array.from({ length: 10 }, (_, index) => ({ id: randomUUID(), type: 'Noted', data: { index } })), { expectedRevision: 'no_stream' });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  it('gives every event once, in order, over pages of any fill', async () => {
    expect(await revisions(store.readStream(stream))).toEqual(range(0, 9));
    expect(await revisions(store.readStream(stream, { from: 2n, to: 7n }))).toEqual(range(2, 7));
    expect(await revisions(store.readStream(stream, { from: 4n, to: 6n }))).toEqual(range(4, 6));
    expect(await revisions(store.readStream(stream, { from: 9n }))).toEqual(range(9, 9));
  });

  it('lets a caller stop after the first page while the next one is on its way', async () => {
    const seen: bigint[] = [];
    for await (const event of store.readStream(stream)) {
      seen.push(event.revision);
      if (seen.length === 4) break;
    }
    expect(seen).toEqual(range(0, 3));
    expect(await revisions(store.readStream(stream, { from: 8n }))).toEqual(range(8, 9));
  });
});
