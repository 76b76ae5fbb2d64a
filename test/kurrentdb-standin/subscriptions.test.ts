import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { END, KurrentDBClient, START, jsonEvent, streamNameFilter, type Position, type ResolvedEvent, type StreamSubscription, type AllStreamSubscription } from '@kurrent/kurrentdb-client';
import { startStandIn, type StandIn } from './server.js';

// Catch-up subscriptions through the real client (grpc-js): catch-up, the caught-up signal, live
// delivery, and the checkpoints of filtered $all subscriptions.

let standIn: StandIn;
let client: KurrentDBClient;

beforeAll(async () => {
  standIn = await startStandIn({ statsEvery: 0 });
  client = KurrentDBClient.connectionString(standIn.url);
});

afterAll(async () => {
  await client.dispose();
  await standIn.stop();
});

type Seen = { kind: 'event'; stream: string; position: Position } | { kind: 'checkpoint'; position: Position } | { kind: 'caughtUp' };

/** Records what a subscription delivers, in order. */
function record(subscription: StreamSubscription | AllStreamSubscription, seen: Seen[]): void {
  subscription.on('data', (e: ResolvedEvent) => seen.push({ kind: 'event', stream: e.event!.streamId, position: e.event!.position! }));
  subscription.on('caughtUp', () => seen.push({ kind: 'caughtUp' }));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const noise = async (count: number, tenant = 'globex'): Promise<void> => {
  for (let i = 0; i < count; i += 1) await client.appendToStream(`${tenant}:article-${i % 7}`, jsonEvent({ type: 'ArticleRenamed', data: { i } }));
};

const before = (a: Position, b: Position): boolean => a.commit < b.commit || (a.commit === b.commit && a.prepare < b.prepare);

describe('stream subscriptions', () => {
  it('catch up, signal caught-up, then deliver live events; from a revision they start after it', async () => {
    const stream = `acme:article-${randomUUID()}`;
    for (let i = 0; i < 3; i += 1) await client.appendToStream(stream, jsonEvent({ type: 'ArticleRenamed', data: { i } }));

    const seen: Seen[] = [];
    const subscription = client.subscribeToStream(stream, { fromRevision: START });
    record(subscription, seen);
    await waitFor(() => seen.some((s) => s.kind === 'caughtUp'), 'caught up');
    expect(seen.map((s) => s.kind)).toEqual(['event', 'event', 'event', 'caughtUp']);

    await client.appendToStream(stream, jsonEvent({ type: 'ArticleRetired', data: {} }));
    await client.appendToStream(`acme:other-${randomUUID()}`, jsonEvent({ type: 'ArticleRetired', data: {} }));
    await waitFor(() => seen.length === 5, 'the live event');
    expect(seen[4]).toMatchObject({ kind: 'event', stream });
    await subscription.unsubscribe();

    const resumed: ResolvedEvent[] = [];
    const fromOne = client.subscribeToStream(stream, { fromRevision: 1n });
    fromOne.on('data', (e: ResolvedEvent) => resumed.push(e));
    await waitFor(() => resumed.length === 2, 'events after revision 1');
    expect(resumed.map((e) => e.event!.revision)).toEqual([2n, 3n]);
    await fromOne.unsubscribe();
  });
});

describe('$all subscriptions', () => {
  it('with a prefix filter deliver only that tenant and send checkpoints while scanning other tenants', async () => {
    // Tenants of their own: earlier tests wrote to acme:…; acme-x and acme-x-2 share a prefix.
    const acme = `acme${randomUUID().slice(0, 6)}`;
    await noise(40, `${acme}-2`);
    await client.appendToStream(`${acme}:article-1`, jsonEvent({ type: 'ArticleRegistered', data: {} }));
    await noise(40);

    const seen: Seen[] = [];
    // checkpointInterval 1 × the default max search window of 32: a checkpoint every 32 events considered.
    const filter = streamNameFilter({
      prefixes: [`${acme}:`],
      checkpointInterval: 1,
      checkpointReached: (_s, position) => {
        seen.push({ kind: 'checkpoint', position });
      },
    });
    const subscription = client.subscribeToAll({ fromPosition: START, filter });
    record(subscription, seen);
    await waitFor(() => seen.some((s) => s.kind === 'caughtUp'), 'caught up');

    const events = seen.filter((s) => s.kind === 'event');
    expect(events.map((e) => e.stream)).toEqual([`${acme}:article-1`]);
    const catchUpCheckpoints = seen.filter((s) => s.kind === 'checkpoint');
    expect(catchUpCheckpoints.length).toBeGreaterThanOrEqual(3);
    expect(seen[seen.length - 1]!.kind).toBe('caughtUp');
    expect(seen[seen.length - 2]!.kind).toBe('checkpoint');
    const positions = seen.filter((s) => s.kind !== 'caughtUp').map((s) => s.position);
    for (let i = 1; i < positions.length; i += 1) expect(before(positions[i - 1]!, positions[i]!)).toBe(true);

    // Live: a quiet tenant still gets checkpoints as other tenants write.
    const caughtUpAt = seen.length;
    await noise(33);
    await waitFor(() => seen.slice(caughtUpAt).some((s) => s.kind === 'checkpoint'), 'a live checkpoint');
    expect(seen.slice(caughtUpAt).every((s) => s.kind === 'checkpoint')).toBe(true);
    await client.appendToStream(`${acme}:article-2`, jsonEvent({ type: 'ArticleRegistered', data: {} }));
    await waitFor(() => seen.some((s) => s.kind === 'event' && s.stream === `${acme}:article-2`), 'the live acme event');
    await subscription.unsubscribe();

    // Resuming from the last checkpoint delivers only what came after it.
    const lastCheckpoint = [...seen].reverse().find((s) => s.kind === 'checkpoint')!.position;
    const resumed: Seen[] = [];
    const again = client.subscribeToAll({ fromPosition: lastCheckpoint, filter: streamNameFilter({ prefixes: [`${acme}:`] }) });
    record(again, resumed);
    await waitFor(() => resumed.some((s) => s.kind === 'caughtUp'), 'caught up again');
    expect(resumed.filter((s) => s.kind === 'event').map((s) => (s.kind === 'event' ? s.stream : ''))).toEqual([`${acme}:article-2`]);
    await again.unsubscribe();
  });

  it('from the end deliver only events written after it', async () => {
    const seen: Seen[] = [];
    const subscription = client.subscribeToAll({ fromPosition: END });
    record(subscription, seen);
    await waitFor(() => seen.some((s) => s.kind === 'caughtUp'), 'caught up');
    expect(seen.filter((s) => s.kind === 'event')).toEqual([]);
    await client.appendToStream('acme:location-1', jsonEvent({ type: 'LocationOpened', data: {} }));
    await waitFor(() => seen.some((s) => s.kind === 'event'), 'the live event');
    expect(seen.filter((s) => s.kind === 'event').map((s) => (s.kind === 'event' ? s.stream : ''))).toEqual(['acme:location-1']);
    await subscription.unsubscribe();
  });
});

describe('checkpoint interval', () => {
  it('is checkpointInterval × maxSearchWindow events considered, matching or not', async () => {
    // A log of its own: 3 system events, then 97 events of another tenant — 100 to consider.
    const quiet = await startStandIn({ statsEvery: 0 });
    const quietClient = KurrentDBClient.connectionString(quiet.url);
    try {
      for (let i = 0; i < 97; i += 1) await quietClient.appendToStream(`globex:article-${i % 5}`, jsonEvent({ type: 'ArticleRenamed', data: { i } }));
      const seen: Seen[] = [];
      const filter = streamNameFilter({
        prefixes: ['acme:'],
        maxSearchWindow: 10,
        checkpointInterval: 2,
        checkpointReached: (_s, position) => {
          seen.push({ kind: 'checkpoint', position });
        },
      });
      const subscription = quietClient.subscribeToAll({ fromPosition: START, filter });
      record(subscription, seen);
      await waitFor(() => seen.some((s) => s.kind === 'caughtUp'), 'caught up');
      const all = quiet.log.all();
      const at = (n: number): Position => ({ commit: all[n - 1]!.commit, prepare: all[n - 1]!.prepare });
      // Every 20 considered events; the one at the head when going live is the same, so not repeated.
      expect(seen).toEqual([...[20, 40, 60, 80, 100].map((n) => ({ kind: 'checkpoint', position: at(n) })), { kind: 'caughtUp' }]);
      // One more event: going live it is the head, and 20 events later comes the next checkpoint.
      await quietClient.appendToStream('globex:article-0', jsonEvent({ type: 'ArticleRenamed', data: {} }));
      for (let i = 0; i < 20; i += 1) await quietClient.appendToStream('globex:article-1', jsonEvent({ type: 'ArticleRenamed', data: {} }));
      await waitFor(() => seen.length === 7, 'the live checkpoint');
      expect(seen[6]).toEqual({ kind: 'checkpoint', position: at(120) });
      await subscription.unsubscribe();
    } finally {
      await quietClient.dispose();
      await quiet.stop();
    }
  });
});
