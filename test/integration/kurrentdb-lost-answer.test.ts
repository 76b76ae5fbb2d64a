/**
 * A write whose answer was lost: the server stored it, then the call broke before its reply (the
 * stand-in's fault hook answers UNAVAILABLE after storing). The caller made one append, so it
 * must get what the PostgreSQL store answers a first append: not a duplicate, with the revision
 * and position the events were stored at; a later retry of the same ids is the duplicate, with
 * the same revision and position (as PostgreSQL answers a retry). Nothing is stored twice.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventToAppend, RecordedEvent } from '../../src/eventstore/event-store.js';
import { KurrentDbEventStore } from '../../src/eventstore/kurrentdb/kurrentdb-event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';
import { createLogger } from '../../src/logger.js';
import { startStandIn, type StandIn } from '../kurrentdb-standin/server.js';

const logger = createLogger('silent');
const event = (n: number): EventToAppend => ({ id: randomUUID(), type: 'ThingHappened', data: { n }, metadata: { user: 'tester' } });

async function read(store: KurrentDbEventStore, stream: string): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for await (const recorded of store.readStream(stream)) events.push(recorded);
  return events;
}

describe('KurrentDB adapter when the answer to a stored write is lost', () => {
  let standIn: StandIn;
  let store: KurrentDbEventStore;
  beforeAll(async () => {
    standIn = await startStandIn();
    store = KurrentDbEventStore.connect(standIn.url, logger);
  });
  afterAll(async () => {
    await store.close();
    await standIn.stop();
  });

  it('answers a single-stream append as written once, not as a duplicate; a later retry is the duplicate', async () => {
    const stream = streamName(`lost${Date.now().toString(36)}`, 'stock', 'BOLT');
    await store.append(stream, [event(1)], { expectedRevision: 'no_stream' });
    const events = [event(2), event(3)];
    const lostBefore = standIn.faults.answersLost;
    standIn.faults.loseNextAnswers('Streams.BatchAppend');
    const result = await store.append(stream, events, { expectedRevision: 0n });

    expect(standIn.faults.answersLost).toBe(lostBefore + 1);
    const stored = await read(store, stream);
    expect(stored.map((recorded) => recorded.id).slice(1)).toEqual(events.map((appended) => appended.id));
    expect(result).toEqual({ revision: 2n, position: stored[2]?.position, duplicate: false });
    expect(await store.append(stream, events, { expectedRevision: 0n })).toEqual({ ...result, duplicate: true });
    expect(await read(store, stream)).toHaveLength(3);
  });

  it('answers a multi-stream append as written once, not as a duplicate; a later retry is the duplicate', async () => {
    const tenant = `lostm${Date.now().toString(36)}`;
    const a = streamName(tenant, 'stock', 'BOLT');
    const b = streamName(tenant, 'movement', randomUUID());
    await store.append(a, [event(1)], { expectedRevision: 'no_stream' });
    const appends = [
      { stream: a, events: [event(2)], expectedRevision: 0n },
      { stream: b, events: [event(3), event(4)], expectedRevision: 'no_stream' as const },
    ];
    const lostBefore = standIn.faults.answersLost;
    standIn.faults.loseNextAnswers('StreamsService.AppendSession');
    const results = await store.appendMany(appends);

    expect(standIn.faults.answersLost).toBe(lostBefore + 1);
    const [storedA, storedB] = [await read(store, a), await read(store, b)];
    expect(storedA).toHaveLength(2);
    expect(storedB.map((recorded) => recorded.id)).toEqual(appends[1]?.events.map((appended) => appended.id));
    expect(results).toEqual([
      { revision: 1n, position: storedA[1]?.position, duplicate: false },
      { revision: 1n, position: storedB[1]?.position, duplicate: false },
    ]);
    expect(await store.appendMany(appends)).toEqual(results.map((result) => ({ ...result, duplicate: true })));
  });
});
