/**
 * The PostgreSQL store's one append path (es_append_many, migration 0008): an append that carries
 * its recording time, and HistoryImport's batches, keep the rules of a plain append because the
 * same SQL checks them; the given times are stored; a rerun of an import records nothing twice.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DuplicateEventIds, WrongExpectedRevision, type EventToAppend, type ExpectedRevision, type HistoryEvent } from '../../src/eventstore/event-store.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

let database: TestDatabase;
let store: PostgresEventStore;
let tenantCounter = 0;
const freshTenant = (): string => `apt${Date.now().toString(36)}${(tenantCounter += 1)}`;
const event = (recordedAt?: string): EventToAppend => ({
  id: randomUUID(),
  type: 'ThingHappened',
  data: { n: 1 },
  metadata: { user: 'tester' },
  ...(recordedAt ? { recordedAt: new Date(recordedAt) } : {}),
});

beforeAll(async () => {
  database = await createTestDatabase();
  store = new PostgresEventStore(database.db, createLogger('silent'));
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

/** What an append came to: its results, or its error's class and fields. */
async function outcome(work: () => Promise<unknown>): Promise<unknown> {
  try {
    const results = (await work()) as Array<{ revision: bigint; duplicate: boolean }>;
    return { ok: results.map((result) => [result.revision, result.duplicate]) };
  } catch (error) {
    if (error instanceof WrongExpectedRevision) return { error: 'WrongExpectedRevision', stream: error.stream.split(':')[1], expected: error.expected, actual: error.actual };
    if (error instanceof DuplicateEventIds) return { error: 'DuplicateEventIds', stream: error.stream.split(':')[1] };
    throw error;
  }
}

describe('appends with their recording time', () => {
  /**
   * The same history of appends, one tenant with plain events and one with recordedAt on every
   * event: each step must end alike (results, or the same typed error with the same fields).
   */
  it('enforce the expected-revision and duplicate-id rules of a plain append, with the same typed errors', async () => {
    const run = async (timed: boolean): Promise<unknown[]> => {
      const tenant = freshTenant();
      const s = (name: string): string => streamName(tenant, 'stock', name);
      const made = (count: number): EventToAppend[] => Array.from({ length: count }, () => event(timed ? '2020-05-06T07:08:09.010Z' : undefined));
      const a = made(2);
      const b = made(1);
      const many = (appends: Array<[string, EventToAppend[], ExpectedRevision]>) => () =>
        store.appendMany(appends.map(([name, events, expectedRevision]) => ({ stream: s(name), events, expectedRevision })));
      const one = (name: string, events: EventToAppend[], expectedRevision: ExpectedRevision) => async () => [await store.append(s(name), events, { expectedRevision })];
      return [
        await outcome(many([['A', a, 'no_stream'], ['B', b, 'no_stream']])),
        // Wrong expected revisions, each kind, on one stream and on several.
        await outcome(one('A', made(1), 0n)),
        await outcome(one('A', made(1), 'no_stream')),
        await outcome(one('C', made(1), 'exists')),
        await outcome(many([['A', made(1), 1n], ['B', made(1), 5n]])),
        // A retry: every id stored answers as the first append did, whatever it expects now.
        await outcome(many([['A', a, 'no_stream'], ['B', b, 'no_stream']])),
        await outcome(one('A', a, 'no_stream')),
        // Some ids stored, some new: refused, on one stream and beside a stream that is a retry.
        await outcome(one('A', [a[1] as EventToAppend, ...made(1)], 1n)),
        await outcome(many([['A', [a[1] as EventToAppend, ...made(1)], 1n], ['B', b, 'no_stream']])),
        // A retried stream beside a new one: the retry answers duplicate, the other is written.
        await outcome(many([['A', a, 'no_stream'], ['C', made(2), 'no_stream']])),
        await outcome(many([['A', made(1), 'any'], ['B', made(1), 'exists'], ['C', made(1), 1n]])),
      ];
    };
    const plain = await run(false);
    expect(plain).toContainEqual({ error: 'WrongExpectedRevision', stream: 'stock-A', expected: 0n, actual: 1n });
    expect(plain).toContainEqual({ error: 'DuplicateEventIds', stream: 'stock-A' });
    expect(await run(true)).toEqual(plain);
  });

  it('store the given times, and the store clock where an event has none, in one statement with plain events', async () => {
    const tenant = freshTenant();
    const timed = event('2019-01-02T03:04:05.678Z');
    const untimed = event();
    await store.appendMany([
      { stream: streamName(tenant, 'stock', 'A'), events: [timed], expectedRevision: 'no_stream' },
      { stream: streamName(tenant, 'stock', 'B'), events: [untimed], expectedRevision: 'no_stream' },
    ]);
    const rows = await database.db.map('select event_id, recorded_at > now() - interval $2 as recent, recorded_at from es_events where tenant = $1', [tenant, '1 hour'], (row: { event_id: string; recent: boolean; recorded_at: Date }) => row);
    expect(rows.find((row) => row.event_id === timed.id)?.recorded_at.toISOString()).toBe('2019-01-02T03:04:05.678Z');
    expect(rows.find((row) => row.event_id === untimed.id)?.recent).toBe(true);
  });
});

describe('HistoryImport', () => {
  const history = (tenant: string, shape: Array<[string, number]>): HistoryEvent[] =>
    shape.map(([name, revision], index) => ({ ...event(), stream: streamName(tenant, 'stock', name), revision: BigInt(revision), recordedAt: new Date(Date.UTC(2020, 0, 1, 0, 0, index)) }));
  const stored = async (tenant: string): Promise<Array<[string, string, string]>> =>
    await database.db.map('select event_id, stream_name, revision::text from es_events where tenant = $1 order by position', [tenant], (row: { event_id: string; stream_name: string; revision: string }) => [row.event_id, row.stream_name.split(':')[1] ?? '', row.revision] as [string, string, string]);

  it('writes streams interleaved in the order given, and a rerun records nothing twice', async () => {
    const tenant = freshTenant();
    const events = history(tenant, [['A', 0], ['B', 0], ['A', 1], ['A', 2], ['B', 1], ['C', 0], ['A', 3]]);
    expect(await store.appendHistory(events)).toEqual({ appended: 7, alreadyStored: 0 });
    const first = await stored(tenant);
    expect(first).toEqual(events.map((e) => [e.id, e.stream.split(':')[1], e.revision.toString()]));
    const times = await database.db.map('select recorded_at from es_events where tenant = $1 order by position', [tenant], (row: { recorded_at: Date }) => row.recorded_at.toISOString());
    expect(times).toEqual(events.map((e) => e.recordedAt.toISOString()));

    expect(await store.appendHistory(events)).toEqual({ appended: 0, alreadyStored: 7 });
    // A longer batch of the same history (an interrupted run resumed with other cuts): only the new part.
    const longer = [...events, ...history(tenant, [['B', 2], ['C', 1]])];
    expect(await store.appendHistory(longer.slice(3))).toEqual({ appended: 2, alreadyStored: 4 });
    expect(await store.appendHistory(longer)).toEqual({ appended: 0, alreadyStored: 9 });
    expect(await stored(tenant)).toEqual(longer.map((e) => [e.id, e.stream.split(':')[1], e.revision.toString()]));
    expect(await store.streamRevision(streamName(tenant, 'stock', 'A'))).toBe(3n);
  });

  it('refuses, writing nothing, an id stored elsewhere and an event that does not continue its stream', async () => {
    const tenant = freshTenant();
    const events = history(tenant, [['A', 0], ['B', 0], ['A', 1]]);
    await store.appendHistory(events);
    const before = await stored(tenant);

    // The same ids at other revisions, or in another stream: not a rerun.
    const moved = events.map((e) => ({ ...e, stream: streamName(tenant, 'stock', 'Z') })).map((e, index) => ({ ...e, revision: BigInt(index) }));
    await expect(store.appendHistory(moved)).rejects.toBeInstanceOf(DuplicateEventIds);
    await expect(store.appendHistory([...history(tenant, [['C', 0]]), { ...(events[2] as HistoryEvent), revision: 5n }])).rejects.toBeInstanceOf(DuplicateEventIds);

    // A gap, a revision taken by another event, and a stream that is not there.
    const refusal = async (events: HistoryEvent[]): Promise<unknown> => await outcome(async () => [await store.appendHistory(events)]);
    expect(await refusal([...history(tenant, [['D', 0]]), ...history(tenant, [['A', 3]])])).toEqual({ error: 'WrongExpectedRevision', stream: 'stock-A', expected: 2n, actual: 1n });
    expect(await refusal(history(tenant, [['B', 0]]))).toEqual({ error: 'WrongExpectedRevision', stream: 'stock-B', expected: 'no_stream', actual: 0n });
    expect(await refusal(history(tenant, [['E', 1]]))).toEqual({ error: 'WrongExpectedRevision', stream: 'stock-E', expected: 0n, actual: 'no_stream' });
    // Within one batch: a stream's events must follow each other.
    await expect(store.appendHistory(history(tenant, [['F', 0], ['G', 0], ['F', 2]]))).rejects.toBeInstanceOf(WrongExpectedRevision);
    expect(await stored(tenant)).toEqual(before);
  });
});
