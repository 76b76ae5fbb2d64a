/**
 * What only the KurrentDB adapter has to prove (the contract suite covers the rest): idempotency
 * beyond the server's recent-id window, metadata through the multi-stream append, and what an
 * unreachable server becomes. Always on the stand-in: its id window can be made small.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { jsonEvent, KurrentDBClient, UnsupportedError } from '@kurrent/kurrentdb-client';
import { EventStoreUnavailable, type EventToAppend } from '../../src/eventstore/event-store.js';
import { MultiStreamAppendUnsupported, translateClientError } from '../../src/eventstore/kurrentdb/errors.js';
import { KurrentDbEventStore } from '../../src/eventstore/kurrentdb/kurrentdb-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { isConnectionError } from '../../src/projections/transient-error.js';
import { startStandIn, type StandIn } from '../kurrentdb-standin/server.js';

const logger = createLogger('silent');
const event = (data: unknown = {}, metadata: Record<string, unknown> = { user: 'tester' }): EventToAppend => ({ id: randomUUID(), type: 'ThingHappened', data, metadata });

async function count<T>(items: AsyncIterable<T>): Promise<number> {
  let n = 0;
  for await (const item of items) if (item) n += 1;
  return n;
}

describe('KurrentDB adapter', () => {
  let standIn: StandIn;
  const opened: KurrentDbEventStore[] = [];
  const open = (): KurrentDbEventStore => {
    const store = KurrentDbEventStore.connect(standIn.url, logger);
    opened.push(store);
    return store;
  };
  beforeAll(async () => {
    // The server remembers 2 ids: a few appends later it has forgotten the earlier ones.
    standIn = await startStandIn({ idempotenceWindow: 2 });
  });
  afterAll(async () => {
    for (const store of opened) await store.close();
    await standIn.stop();
  });

  it("records a retried append once even after the server's recent-id window forgot its ids, also in another process", async () => {
    const first = open();
    const tenant = `kdb${Date.now().toString(36)}`;
    const stream = streamName(tenant, 'stock', 'BOLT');
    const events = [event({ n: 1 }), event({ n: 2 })];
    const written = await first.append(stream, events, { expectedRevision: 'any' });
    for (let i = 0; i < 5; i += 1) await first.append(streamName(tenant, 'stock', `OTHER-${i}`), [event()], { expectedRevision: 'any' });

    // The scenario is past the window: the server alone stores a forgotten id again under 'any'.
    const client = KurrentDBClient.connectionString(standIn.url);
    try {
      const control = `${tenant}:control-X`;
      const once = jsonEvent({ id: randomUUID(), type: 'Control', data: {} });
      await client.appendToStream(control, once);
      for (let i = 0; i < 3; i += 1) await client.appendToStream(`${tenant}:control-${i}`, jsonEvent({ type: 'Control', data: {} }));
      await client.appendToStream(control, once);
      expect(await count(client.readStream(control))).toBe(2);
    } finally {
      await client.dispose();
    }

    // A second process (no memory of the first append) retries: under 'any', and re-decided at
    // the stream's current revision, as a command retried with its idempotency key would be.
    const second = open();
    expect(await second.append(stream, events, { expectedRevision: 'any' })).toEqual({ ...written, duplicate: true });
    expect(await second.append(stream, events, { expectedRevision: 1n })).toEqual({ ...written, duplicate: true });
    expect(await first.append(stream, events, { expectedRevision: 'exists' })).toEqual({ ...written, duplicate: true });
    expect(await count(first.readStream(stream))).toBe(2);
  });

  it('carries metadata with nested and non-string values through the multi-stream append', async () => {
    const store = open();
    const tenant = `kdm${Date.now().toString(36)}`;
    const metadata = { user: 'tester', attempt: 2, flags: { replay: false }, lines: [1, 2] };
    await store.appendMany([
      { stream: streamName(tenant, 'stock', 'A'), events: [event({ a: 1 }, metadata)], expectedRevision: 'no_stream' },
      { stream: streamName(tenant, 'stock', 'B'), events: [event({ b: 1 }, metadata)], expectedRevision: 'no_stream' },
    ]);
    for await (const recorded of store.readTenant(tenant)) expect(recorded.metadata).toEqual(metadata);
    expect(await store.countEvents(tenant)).toBe(2);
  });

  it('reads streams and tenants in pages the server ends, cancelling no call, with recorded times to the tick', async () => {
    const store = open();
    const tenant = `kdr${Date.now().toString(36)}`;
    const stream = streamName(tenant, 'stock', 'READ');
    await store.append(stream, [event({ n: 1 }), event({ n: 2 }), event({ n: 3 })], { expectedRevision: 'no_stream' });
    const cancelledBefore = standIn.scanned.cancelled;
    for (let i = 0; i < 20; i += 1) {
      expect(await count(store.readStream(stream))).toBe(3);
      expect(await count(store.readTenant(tenant, { batchSize: 2 }))).toBe(3);
    }
    expect(standIn.scanned.cancelled).toBe(cancelledBefore);
    // The server's ticks survive the read (the client's own plain read keeps whole seconds only).
    const stored = standIn.log.stream(stream)?.[0];
    const [read] = await Promise.all([store.readStream(stream)[Symbol.asyncIterator]().next()]);
    expect((read?.value as { recordedAt: Date }).recordedAt.getTime()).toBe(Number((stored?.created ?? 0n) / 10_000n));
  });

  it('turns an unreachable server into EventStoreUnavailable, which the API answers 503 and projectors retry', async () => {
    const gone = await startStandIn();
    const url = gone.url;
    await gone.stop();
    const store = KurrentDbEventStore.connect(url, logger);
    try {
      const tenant = 'kdu';
      const attempts: Array<() => Promise<unknown>> = [
        () => store.append(streamName(tenant, 'stock', 'A'), [event()], { expectedRevision: 'any' }),
        () => store.headPosition(tenant),
        () => store.streamRevision(streamName(tenant, 'stock', 'A')),
        () => count(store.readTenant(tenant)),
      ];
      for (const attempt of attempts) {
        const error = await attempt().then(() => undefined, (failure: unknown) => failure);
        expect(error).toBeInstanceOf(EventStoreUnavailable);
        expect(isConnectionError(error)).toBe(true);
      }
    } finally {
      await store.close();
    }
  });

  it('refuses appendMany on a server without multi-stream append instead of faking it', () => {
    // What the client throws when ServerFeatures does not list the v2 append session.
    const refused = translateClientError(new UnsupportedError('multiStreamAppend', '25.1'), 'append');
    expect(refused).toBeInstanceOf(MultiStreamAppendUnsupported);
    expect((refused as Error).message).toContain('25.1');
  });
});
