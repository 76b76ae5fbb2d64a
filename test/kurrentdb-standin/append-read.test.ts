import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  START,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  streamNameFilter,
  type Position,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import { startStandIn, type StandIn } from './server.js';

// The stand-in driven by the real client: appends go through grpc-js, reads through the client's
// Rust bridge (@kurrent/bridge), so both transports are exercised.

let standIn: StandIn;
let client: KurrentDBClient;

beforeAll(async () => {
  standIn = await startStandIn({ idempotenceWindow: 4 });
  client = KurrentDBClient.connectionString(standIn.url);
});

afterAll(async () => {
  await client.dispose();
  await standIn.stop();
});

const event = (type: string, data: Record<string, unknown> = {}, id: string = randomUUID()) => jsonEvent({ id, type, data });

async function collect(events: AsyncIterable<ResolvedEvent>): Promise<ResolvedEvent[]> {
  const out: ResolvedEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const position = (e: ResolvedEvent): Position => e.event!.position!;

describe('appending', () => {
  // The client appends through Streams.BatchAppend when the server lists it, and through
  // Streams.Append when the call carries its own credentials (which the stand-in ignores).
  it.each([
    ['Streams.BatchAppend', {}],
    ['Streams.Append', { credentials: { username: 'admin', password: 'changeit' } }],
  ])('through %s takes every expected state and answers conflicts with the typed error', async (rpc, options) => {
    const callsBefore = standIn.calls.get(rpc) ?? 0;
    const stream = `acme:article-${randomUUID()}`;
    const first = await client.appendToStream(stream, [event('ArticleRegistered'), event('ArticleRenamed')], { ...options, streamState: 'no_stream' });
    expect(first.nextExpectedRevision).toBe(1n);
    expect(first.position!.commit).toBeGreaterThan(0n);

    await expect(client.appendToStream(stream, event('X'), { ...options, streamState: 'no_stream' })).rejects.toMatchObject({
      type: 'wrong-expected-version',
      streamName: stream,
      expectedState: 'no_stream',
      actualState: 1n,
    });
    const stale = client.appendToStream(stream, event('X'), { ...options, streamState: 0n });
    await expect(stale).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(stale).rejects.toMatchObject({ expectedState: 0n, actualState: 1n });
    await expect(client.appendToStream(`acme:missing-${randomUUID()}`, event('X'), { ...options, streamState: 'stream_exists' })).rejects.toMatchObject({
      expectedState: 'stream_exists',
      actualState: 'no_stream',
    });

    expect((await client.appendToStream(stream, event('ArticleRenamed'), { ...options, streamState: 1n })).nextExpectedRevision).toBe(2n);
    expect((await client.appendToStream(stream, event('ArticleRenamed'), { ...options, streamState: 'stream_exists' })).nextExpectedRevision).toBe(3n);
    expect((await client.appendToStream(stream, event('ArticleRenamed'), { ...options, streamState: 'any' })).nextExpectedRevision).toBe(4n);
    expect(standIn.calls.get(rpc) ?? 0).toBeGreaterThan(callsBefore);
  });

  it('treats a replay at an exact revision as idempotent, but remembers ids for `any` only in a small window', async () => {
    const stream = `acme:lot-${randomUUID()}`;
    const ids = [randomUUID(), randomUUID()];
    const once = await client.appendToStream(stream, ids.map((id) => event('LotReceived', {}, id)), { streamState: 'no_stream' });
    const again = await client.appendToStream(stream, ids.map((id) => event('LotReceived', {}, id)), { streamState: 'no_stream' });
    expect(again).toEqual(once);

    // Within the window a replay with `any` is recognised too.
    await client.appendToStream(stream, ids.slice(1).map((id) => event('LotReceived', {}, id)), { streamState: 'any' });
    expect(await collect(client.readStream(stream))).toHaveLength(2);
    // A write that starts with a stored id but goes on with a new one is neither new nor a replay.
    await expect(client.appendToStream(stream, [event('LotReceived', {}, ids[1]), event('LotReceived')], { streamState: 'any' })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    await expect(client.appendToStream(stream, [event('LotReceived', {}, ids[1]), event('LotReceived')], { streamState: 0n })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    expect(await collect(client.readStream(stream))).toHaveLength(2);

    // Push the ids out of the (4-id) window: the same ids with `any` are then stored twice.
    for (let i = 0; i < 5; i += 1) await client.appendToStream(`acme:other-${randomUUID()}`, event('Noise'));
    await client.appendToStream(stream, ids.map((id) => event('LotReceived', {}, id)), { streamState: 'any' });
    const stored = await collect(client.readStream(stream));
    expect(stored.map((e) => e.event!.id)).toEqual([...ids, ...ids]);
  });
});

describe('Streams.Read of one stream', () => {
  const stream = `acme:location-${randomUUID()}`;

  beforeAll(async () => {
    for (let i = 0; i < 5; i += 1) await client.appendToStream(stream, event('Counted', { i }));
  });

  it('reads forwards and backwards, from a revision, with maxCount', async () => {
    const forwards = await collect(client.readStream(stream));
    expect(forwards.map((e) => e.event!.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(forwards.map((e) => (e.event!.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);
    expect(forwards[0]!.event!.type).toBe('Counted');

    const backwards = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: END, maxCount: 2 }));
    expect(backwards.map((e) => e.event!.revision)).toEqual([4n, 3n]);
    const fromTwo = await collect(client.readStream(stream, { direction: FORWARDS, fromRevision: 2n, maxCount: 2 }));
    expect(fromTwo.map((e) => e.event!.revision)).toEqual([2n, 3n]);
    const backFromTwo = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 2n }));
    expect(backFromTwo.map((e) => e.event!.revision)).toEqual([2n, 1n, 0n]);
    const backFromZero = await collect(client.readStream(stream, { direction: BACKWARDS, fromRevision: 0n }));
    expect(backFromZero.map((e) => e.event!.revision)).toEqual([0n]);
    const fromStart = await collect(client.readStream(stream, { fromRevision: START, maxCount: 1 }));
    expect(fromStart.map((e) => e.event!.revision)).toEqual([0n]);
  });

  it('answers a missing stream with the client’s StreamNotFoundError', async () => {
    await expect(collect(client.readStream(`acme:nothing-${randomUUID()}`))).rejects.toMatchObject({ type: 'stream-not-found' });
  });
});

describe('Streams.Read of $all', () => {
  beforeAll(async () => {
    // Tenants interleaved: acme, acme-2 (whose prefix starts with "acme") and globex.
    for (let i = 0; i < 4; i += 1) {
      await client.appendToStream(`acme:article-${i}`, event('ArticleRegistered', { i }));
      await client.appendToStream(`acme-2:article-${i}`, event('ArticleRegistered', { i }));
      await client.appendToStream(`globex:article-${i}`, event(i % 2 === 0 ? 'ArticleRegistered' : 'ArticleRetired', { i }));
    }
  });

  it('holds system streams and sparse positions in (commit, prepare) order, both directions', async () => {
    const forwards = await collect(client.readAll());
    const streams = forwards.map((e) => e.event!.streamId);
    expect(streams).toEqual(expect.arrayContaining(['$settings', '$epoch-information', '$stats-127.0.0.1:2113']));
    const positions = forwards.map(position);
    for (let i = 1; i < positions.length; i += 1) {
      const [a, b] = [positions[i - 1]!, positions[i]!];
      expect(a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare)).toBe(true);
      expect(b.prepare - a.prepare).toBeGreaterThan(1n);
    }
    const backwards = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END }));
    expect(backwards.map(position)).toEqual([...positions].reverse());
  });

  it('reads from a position: inclusive forwards, exclusive backwards, with maxCount', async () => {
    const all = await collect(client.readAll());
    const middle = position(all[5]!);
    const after = await collect(client.readAll({ fromPosition: middle, maxCount: 3 }));
    expect(after.map(position)).toEqual(all.slice(5, 8).map(position));
    const before = await collect(client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 2 }));
    expect(before.map(position)).toEqual([position(all[4]!), position(all[3]!)]);
  });

  it('filters by stream-name prefix without letting "acme:" match "acme-2:"', async () => {
    const acme = await collect(client.readAll({ filter: streamNameFilter({ prefixes: ['acme:'] }) }));
    expect(acme.length).toBeGreaterThanOrEqual(4);
    expect(acme.every((e) => e.event!.streamId.startsWith('acme:'))).toBe(true);
    const acme2 = await collect(client.readAll({ filter: streamNameFilter({ prefixes: ['acme-2:'] }), direction: BACKWARDS, fromPosition: END }));
    expect(acme2.map((e) => e.event!.streamId)).toEqual(['acme-2:article-3', 'acme-2:article-2', 'acme-2:article-1', 'acme-2:article-0']);
    const limited = await collect(client.readAll({ filter: streamNameFilter({ prefixes: ['globex:'] }), maxCount: 2 }));
    expect(limited.map((e) => e.event!.streamId)).toEqual(['globex:article-0', 'globex:article-1']);
  });

  it('filters by stream-name regex and by event type', async () => {
    const regex = await collect(client.readAll({ filter: streamNameFilter({ regex: '^globex:article-[13]$' }) }));
    expect(regex.map((e) => e.event!.streamId)).toEqual(['globex:article-1', 'globex:article-3']);
    const retired = await collect(client.readAll({ filter: eventTypeFilter({ prefixes: ['ArticleRetired'] }) }));
    expect(retired.map((e) => e.event!.streamId)).toEqual(['globex:article-1', 'globex:article-3']);
    const system = await collect(client.readAll({ filter: eventTypeFilter({ regex: '^\\$' }) }));
    expect(system.length).toBeGreaterThan(0);
    expect(system.every((e) => e.event!.streamId.startsWith('$'))).toBe(true);
  });
});
