import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'rxjs';
import { appendParameters } from '../../src/eventstore/postgres/append.js';
import { appendManySql, appendSql } from '../../src/eventstore/postgres/append.sql.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase } from '../support/test-database.js';
import { comparePositions, type EventToAppend, type Position, type RecordedEvent } from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { describeEventStoreContract } from './event-store/contract.js';
import { collect, event, freshTenant, settled, sleep, waitUntil } from './event-store/fixtures.js';

describeEventStoreContract({
  name: 'PostgreSQL',
  // A second store on the same database learns of appends only by LISTEN/NOTIFY, as another
  // process would.
  capabilities: { otherProcess: true },
  open: async () => {
    const database = await createTestDatabase();
    const store = new PostgresEventStore(database.db, createLogger('silent'));
    const otherProcess = new PostgresEventStore(database.db, createLogger('silent'));
    return {
      store,
      otherProcess,
      cleanup: async () => {
        await store.close();
        await otherProcess.close();
        await database.drop();
      },
    };
  },
});

describe('es_append_many (SQL)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  const call = (counts: number[], ids: string[]): Promise<unknown> =>
    database.db.any(appendManySql(), ['tqa', ['tqa:stock-A', 'tqa:stock-B'], ['no_stream', 'no_stream'], counts, ids, ids.map(() => 'T'), ids.map(() => '{}'), ids.map(() => '{}')]);

  it('refuses counts that do not add up to the events given, and writes nothing', async () => {
    await expect(call([1, 2], [randomUUID(), randomUUID()])).rejects.toMatchObject({ code: '22023' });
    await expect(call([2, 1], [randomUUID(), randomUUID()])).rejects.toMatchObject({ code: '22023' });
    await expect(call([0, 2], [randomUUID(), randomUUID()])).rejects.toMatchObject({ code: '22023' });
    expect(await database.db.one('select count(*)::int as n from es_streams where tenant = $1', ['tqa'])).toEqual({ n: 0 });
  });

  it('continues positions after an earlier append of the same transaction', async () => {
    const positions = await database.db.tx(async (tx) => {
      const first = await tx.one<{ position: string }>(appendSql(), appendParameters('tqa:stock-C', [{ id: randomUUID(), type: 'T', data: {}, metadata: {} }], 'no_stream'));
      const ids = [randomUUID(), randomUUID()];
      const rows = await tx.any<{ position: string }>(appendManySql(), ['tqa', ['tqa:stock-D', 'tqa:stock-E'], ['no_stream', 'no_stream'], [1, 1], ids, ['T', 'T'], ['{}', '{}'], ['{}', '{}']]);
      return [first.position, ...rows.map((row) => row.position)].map(BigInt);
    });
    expect(positions[1]).toBe((positions[0] ?? 0n) + 1n);
    expect(positions[2]).toBe((positions[0] ?? 0n) + 2n);
  });
});

/**
 * What only the PostgreSQL store has to prove about positions: they are taken from the writing
 * transaction before it commits (so readers must wait below an open writer), and the events of
 * one transaction are numbered consecutively. KurrentDB takes positions at commit, as log offsets.
 */
describe('PostgreSQL positions', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: PostgresEventStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.db, createLogger('silent'));
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  /** Appends in a transaction held open until commit(): its events have positions, readers must not pass them. */
  async function holdOpenAppend(stream: string, events: readonly EventToAppend[]): Promise<{ position: Position; commit(): Promise<void> }> {
    const connection = await database.db.connect();
    await connection.none('begin');
    const row = await connection.one<{ position: string }>(appendSql(), appendParameters(stream, events, 'any'));
    return {
      position: row.position,
      commit: async () => {
        await connection.none('commit');
        connection.done();
      },
    };
  }

  it('never skips an event whose transaction was still open: all delivered once, in position order', async () => {
    const tenant = freshTenant();
    const stream = (sku: string): string => streamName(tenant, 'stock', sku);
    const received: RecordedEvent[] = [];
    let subscription: Subscription | undefined;
    try {
      subscription = store.subscribeTenant(tenant).subscribe((e) => received.push(e));
      const first = event('First');
      await store.append(stream('A'), [first], { expectedRevision: 'any' });
      await waitUntil(() => received.length === 1);

      const heldEvent = event('Held');
      const held = await holdOpenAppend(stream('B'), [heldEvent]);
      const later = [event('Later1'), event('Later2'), event('Later3')];
      let lastLater: Position = '0';
      for (const [i, e] of later.entries()) {
        const result = await store.append(stream(`C${i}`), [e], { expectedRevision: 'any' });
        expect(comparePositions(result.position, held.position)).toBeGreaterThan(0);
        lastLater = result.position;
      }
      await sleep(300);
      // Committed, not yet readable: the last committed position is ahead of the readable head.
      expect(await store.lastCommittedPosition(tenant)).toBe(lastLater);
      expect(comparePositions(await store.headPosition(tenant), held.position)).toBeLessThan(0);
      // The later events are committed, but a reader that took them would pass the open one.
      expect(received.map((e) => e.id)).toEqual([first.id]);
      expect((await collect(store.readTenant(tenant))).map((e) => e.id)).toEqual([first.id]);

      await held.commit();
      await waitUntil(() => received.length >= 5);
      await sleep(100);
      expect(received.map((e) => e.id)).toEqual([first.id, heldEvent.id, ...later.map((e) => e.id)]);
      const positions = received.map((e) => e.position);
      for (let i = 1; i < positions.length; i += 1) expect(comparePositions(positions[i - 1] ?? '0', positions[i] ?? '0')).toBeLessThan(0);
    } finally {
      subscription?.unsubscribe();
    }
  });

  it('numbers the events of one appendMany consecutively, streams in name order', async () => {
    const tenant = freshTenant();
    const results = await store.appendMany([
      { stream: streamName(tenant, 'stock', 'Z'), events: [event()], expectedRevision: 'no_stream' },
      { stream: streamName(tenant, 'stock', 'X'), events: [event(), event()], expectedRevision: 'no_stream' },
    ]);
    const last = results.reduce((max, result) => (comparePositions(result.position, max) > 0 ? result.position : max), '0');
    await settled(store, tenant, last);
    const positions = (await collect(store.readTenant(tenant))).map((e) => BigInt(e.position));
    expect(positions).toHaveLength(3);
    expect(positions.at(-1)?.toString()).toBe(last);
    expect(positions.slice(1).every((position, i) => position === (positions[i] ?? 0n) + 1n)).toBe(true);
  });
});
