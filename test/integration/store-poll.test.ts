/**
 * The PostgreSQL store's safety net under LISTEN/NOTIFY: one store-wide poll per process finds
 * events that no notification announced and wakes their subscribers only. Appends here go through
 * the bare SQL, so no NOTIFY is ever sent and the subscriber's store has nothing else to go by.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../src/eventstore/event-store.js';
import { appendParameters } from '../../src/eventstore/postgres/append.js';
import { appendSql } from '../../src/eventstore/postgres/append.sql.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { event, freshTenant, sleep, waitUntil } from '../contract/event-store/fixtures.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const idlePollMs = 500;

describe('the PostgreSQL store-wide poll', () => {
  let database: TestDatabase;
  let store: PostgresEventStore;

  beforeAll(async () => {
    database = await createTestDatabase();
    store = new PostgresEventStore(database.db, createLogger('silent'), { idlePollMs });
  });
  afterAll(async () => {
    await store.close();
    await database.drop();
  });

  /** Appends without a NOTIFY, as a writer that died right after its commit would have. */
  const appendSilently = (stream: string): Promise<unknown> => database.db.one(appendSql(), appendParameters(stream, [event()], 'any'));

  /** A subscription of its own for `tenant`, caught up with its first event and then left idle past a poll or two. */
  async function idleSubscriber(tenant: string): Promise<{ received: RecordedEvent[]; unsubscribe: () => void }> {
    await appendSilently(streamName(tenant, 'stock', 'FIRST'));
    const received: RecordedEvent[] = [];
    const subscription = store.subscribeTenant(tenant).subscribe((e) => received.push(e));
    await waitUntil(() => received.length === 1, 5000);
    await sleep(idlePollMs * 2.5);
    return { received, unsubscribe: () => subscription.unsubscribe() };
  }

  it('delivers an event whose NOTIFY was lost within about the poll interval', async () => {
    const tenant = freshTenant('lost');
    const subscriber = await idleSubscriber(tenant);
    const appended = Date.now();
    await appendSilently(streamName(tenant, 'stock', 'SILENT'));
    await waitUntil(() => subscriber.received.length === 2, idlePollMs * 4);
    subscriber.unsubscribe();
    expect(Date.now() - appended).toBeLessThan(idlePollMs * 4);
  }, 20_000);

  it('delivers an event of a transaction that was running at the previous poll, committed without NOTIFY', async () => {
    const tenant = freshTenant('slow');
    const subscriber = await idleSubscriber(tenant);
    const connection = await database.db.connect();
    try {
      await connection.none('begin');
      await connection.one(appendSql(), appendParameters(streamName(tenant, 'stock', 'SLOW'), [event()], 'any'));
      // A later transaction completes, so the next polls' snapshots have their xmax above this
      // one and list it as running: its event is below where they look for new transactions.
      await appendSilently(streamName(freshTenant('later'), 'stock', 'LATER'));
      await sleep(idlePollMs * 3);
      await connection.none('commit');
    } finally {
      connection.done();
    }
    await waitUntil(() => subscriber.received.length === 2, idlePollMs * 4);
    subscriber.unsubscribe();
    expect(subscriber.received).toHaveLength(2);
  }, 20_000);

  it('wakes only the subscribers of the tenants with new events', async () => {
    const quiet = freshTenant('quiet');
    const busy = freshTenant('busy');
    const quietSubscriber = await idleSubscriber(quiet);
    const busySubscriber = await idleSubscriber(busy);
    const statements = countQuietReads(database, quiet);
    await appendSilently(streamName(busy, 'stock', 'SILENT'));
    await waitUntil(() => busySubscriber.received.length === 2, idlePollMs * 4);
    await sleep(idlePollMs * 2);
    quietSubscriber.unsubscribe();
    busySubscriber.unsubscribe();
    expect(statements.stop()).toBe(0);
  }, 20_000);
});

/** Counts the statements this process sends with `tenant` among their values, until stop(). */
function countQuietReads(database: TestDatabase, tenant: string): { stop: () => number } {
  const client = database.db.$config.pgp.pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = client.query;
  let count = 0;
  client.query = function (this: unknown, ...args: unknown[]): unknown {
    const [config, values] = args as [{ values?: unknown[] } | string, unknown[] | undefined];
    const parameters = (typeof config === 'object' ? config.values : undefined) ?? values ?? [];
    if (parameters.includes(tenant)) count += 1;
    return original.apply(this, args);
  };
  return {
    stop: () => {
      client.query = original;
      return count;
    },
  };
}
