import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, take, toArray, type Subscription } from 'rxjs';
import {
  DuplicateEventIds,
  InvalidAppend,
  WrongExpectedRevision,
  comparePositions,
  type EventStore,
  type EventToAppend,
  type Position,
  type RecordedEvent,
} from '../../src/eventstore/event-store.js';
import { streamName } from '../../src/eventstore/stream-name.js';

/** A transaction an adapter holds open after its events took their positions. */
export interface HeldAppend {
  readonly position: Position;
  commit(): Promise<void>;
}

/** What an adapter's test file gives the contract suite. */
export interface EventStoreUnderTest {
  readonly store: EventStore;
  /**
   * Appends in a transaction that stays open until commit() (adapters whose positions are taken
   * before commit, like PostgreSQL's). Without it the no-skipped-events case is not applicable.
   */
  readonly holdOpenAppend?: (stream: string, events: readonly EventToAppend[]) => Promise<HeldAppend>;
  /** A second instance on the same storage, as another process would have: it learns of appends only through the store. */
  readonly otherProcess?: EventStore;
  cleanup(): Promise<void>;
}

let tenantCounter = 0;
/** A tenant slug no other test of this file uses. */
const freshTenant = (prefix = 't'): string => `${prefix}${Date.now().toString(36)}${(tenantCounter += 1)}`;

const event = (type = 'ThingHappened', data: unknown = { n: 1 }): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { user: 'tester', correlationId: randomUUID() },
});

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/**
 * Waits until the tenant's readable head has reached `position`. Reads stop below transactions
 * still running anywhere in the store (other tests' included), so a read right after a commit
 * may briefly not reach it yet; that is the guard working, not a lost event.
 */
async function settled(store: EventStore, tenant: string, position: Position): Promise<void> {
  const deadline = Date.now() + 5000;
  while (comparePositions(await store.headPosition(tenant), position) < 0) {
    if (Date.now() > deadline) throw new Error(`tenant ${tenant} did not reach position ${position}`);
    await sleep(5);
  }
}

/** The event-store contract: every adapter of the EventStore port must pass it unchanged. */
export function describeEventStoreContract(adapter: string, open: () => Promise<EventStoreUnderTest>): void {
  describe(`EventStore contract: ${adapter}`, () => {
    let subject: EventStoreUnderTest;
    let store: EventStore;

    beforeAll(async () => {
      subject = await open();
      store = subject.store;
    });
    afterAll(async () => {
      await subject.cleanup();
    });

    describe('append and readStream', () => {
      it('records events with revisions from 0 and reads them back in order with their metadata', async () => {
        const stream = streamName(freshTenant(), 'article', 'BOLT-M8');
        const events = [event('ArticleRegistered', { sku: 'BOLT-M8' }), event('ArticleUpdated', { name: 'Bolt' })];
        const result = await store.append(stream, events, { expectedRevision: 'no_stream' });
        expect(result.revision).toBe(1n);
        expect(result.duplicate).toBe(false);

        const read = await collect(store.readStream(stream));
        expect(read.map((e) => [e.id, e.type, e.revision, e.stream])).toEqual([
          [events[0]?.id, 'ArticleRegistered', 0n, stream],
          [events[1]?.id, 'ArticleUpdated', 1n, stream],
        ]);
        expect(read[0]?.data).toEqual({ sku: 'BOLT-M8' });
        expect(read[0]?.metadata).toEqual(events[0]?.metadata);
        expect(read[0]?.recordedAt).toBeInstanceOf(Date);
        expect(read[1]?.position).toBe(result.position);
        expect(comparePositions(read[0]?.position ?? '0', read[1]?.position ?? '0')).toBeLessThan(0);
        expect(await store.streamRevision(stream)).toBe(1n);
      });

      it('checks the expected revision: no_stream, exists, a number and any', async () => {
        const stream = streamName(freshTenant(), 'stock', 'A');
        await expect(store.append(stream, [event()], { expectedRevision: 'exists' })).rejects.toBeInstanceOf(WrongExpectedRevision);
        await expect(store.append(stream, [event()], { expectedRevision: 3n })).rejects.toBeInstanceOf(WrongExpectedRevision);
        await store.append(stream, [event()], { expectedRevision: 'no_stream' });
        const conflict = await store.append(stream, [event()], { expectedRevision: 'no_stream' }).catch((error: unknown) => error);
        expect(conflict).toBeInstanceOf(WrongExpectedRevision);
        expect((conflict as WrongExpectedRevision).actual).toBe(0n);
        expect((await store.append(stream, [event()], { expectedRevision: 0n })).revision).toBe(1n);
        expect((await store.append(stream, [event()], { expectedRevision: 'exists' })).revision).toBe(2n);
        expect((await store.append(stream, [event(), event()], { expectedRevision: 'any' })).revision).toBe(4n);
        await expect(store.append(stream, [event()], { expectedRevision: 1n })).rejects.toMatchObject({ actual: 4n });
        expect(await store.streamRevision(streamName(freshTenant(), 'stock', 'none'))).toBeUndefined();
      });

      it('reads a stream by revision range and by recorded time', async () => {
        const stream = streamName(freshTenant(), 'stock', 'RANGE');
        for (let i = 0; i < 5; i += 1) await store.append(stream, [event('E', { i })], { expectedRevision: 'any' });
        const middle = await collect(store.readStream(stream, { from: 1n, to: 3n }));
        expect(middle.map((e) => (e.data as { i: number }).i)).toEqual([1, 2, 3]);
        const all = await collect(store.readStream(stream));
        const cut = all[2]?.recordedAt ?? new Date();
        const untilCut = await collect(store.readStream(stream, { until: cut }));
        expect(untilCut.every((e) => e.recordedAt.getTime() <= cut.getTime())).toBe(true);
        expect(untilCut.length).toBeGreaterThanOrEqual(3);
        expect(await collect(store.readStream(streamName(freshTenant(), 'stock', 'MISSING')))).toEqual([]);
      });

      it('refuses malformed appends', async () => {
        await expect(store.append('no-tenant-here', [event()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppend);
        await expect(store.append(streamName(freshTenant(), 'stock', 'X'), [], { expectedRevision: 'any' })).rejects.toBeInstanceOf(InvalidAppend);
        await expect(
          store.appendMany([
            { stream: streamName(freshTenant('a'), 'stock', 'X'), events: [event()], expectedRevision: 'any' },
            { stream: streamName(freshTenant('b'), 'stock', 'X'), events: [event()], expectedRevision: 'any' },
          ]),
        ).rejects.toBeInstanceOf(InvalidAppend);
      });
    });

    describe('optimistic concurrency', () => {
      it('of 10 concurrent writers with the same expected revision, exactly one wins', async () => {
        const stream = streamName(freshTenant(), 'stock', 'CONTENDED');
        await store.append(stream, [event()], { expectedRevision: 'no_stream' });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, (_, writer) => store.append(stream, [event('Written', { writer })], { expectedRevision: 0n })),
        );
        const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(9);
        for (const loss of lost) expect(loss.reason).toBeInstanceOf(WrongExpectedRevision);
        expect(await collect(store.readStream(stream))).toHaveLength(2);
      });

      it('of 10 concurrent creators of a new stream, exactly one wins', async () => {
        const stream = streamName(freshTenant(), 'stock', 'NEW');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.append(stream, [event()], { expectedRevision: 'no_stream' })),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        expect(await collect(store.readStream(stream))).toHaveLength(1);
      });
    });

    describe('idempotency', () => {
      it('appending already-stored event ids records nothing twice and answers like the first time', async () => {
        const stream = streamName(freshTenant(), 'stock', 'IDEM');
        const events = [event(), event()];
        const first = await store.append(stream, events, { expectedRevision: 'no_stream' });
        const again = await store.append(stream, events, { expectedRevision: 'no_stream' });
        const againAny = await store.append(stream, events, { expectedRevision: 'any' });
        expect(again).toEqual({ ...first, duplicate: true });
        expect(againAny).toEqual({ ...first, duplicate: true });
        expect(await collect(store.readStream(stream))).toHaveLength(2);
      });

      it('concurrent retries of one append store it once', async () => {
        const stream = streamName(freshTenant(), 'stock', 'RETRY');
        await store.append(stream, [event()], { expectedRevision: 'no_stream' });
        const events = [event(), event(), event()];
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, (_, i) => store.append(stream, events, { expectedRevision: i % 2 === 0 ? 0n : 'any' })),
        );
        expect(outcomes.filter((outcome) => !outcome.duplicate)).toHaveLength(1);
        expect(new Set(outcomes.map((outcome) => outcome.position)).size).toBe(1);
        expect(await collect(store.readStream(stream))).toHaveLength(4);
      });

      it('refuses an append of which only some ids are stored', async () => {
        const stream = streamName(freshTenant(), 'stock', 'PARTIAL');
        const stored = event();
        await store.append(stream, [stored], { expectedRevision: 'no_stream' });
        await expect(store.append(stream, [stored, event()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(DuplicateEventIds);
        expect(await collect(store.readStream(stream))).toHaveLength(1);
      });
    });

    describe('appendMany', () => {
      it('appends to several streams of one tenant in one go', async () => {
        const tenant = freshTenant();
        const streams = ['A', 'B', 'C'].map((sku) => streamName(tenant, 'stock', sku));
        const results = await store.appendMany(streams.map((stream) => ({ stream, events: [event()], expectedRevision: 'no_stream' })));
        expect(results.map((result) => result.revision)).toEqual([0n, 0n, 0n]);
        await settled(store, tenant, results[2]?.position ?? '0');
        expect(await collect(store.readTenant(tenant))).toHaveLength(3);
      });

      it('is all-or-nothing when one stream is not at its expected revision', async () => {
        const tenant = freshTenant();
        const [a, b, c] = ['A', 'B', 'C'].map((sku) => streamName(tenant, 'stock', sku)) as [string, string, string];
        const written = await store.append(b, [event()], { expectedRevision: 'no_stream' });
        await settled(store, tenant, written.position);
        const head = await store.headPosition(tenant);
        const attempt = store.appendMany([
          { stream: a, events: [event(), event()], expectedRevision: 'no_stream' },
          { stream: b, events: [event()], expectedRevision: 5n },
          { stream: c, events: [event()], expectedRevision: 'any' },
        ]);
        await expect(attempt).rejects.toBeInstanceOf(WrongExpectedRevision);
        expect(await collect(store.readStream(a))).toEqual([]);
        expect(await collect(store.readStream(b))).toHaveLength(1);
        expect(await collect(store.readStream(c))).toEqual([]);
        expect(await store.streamRevision(a)).toBeUndefined();
        expect(await store.headPosition(tenant)).toBe(head);
      });

      it("gives each stream its revisions and each event its position, for every kind of expected revision", async () => {
        const tenant = freshTenant();
        const [x, y, z] = ['X', 'Y', 'Z'].map((sku) => streamName(tenant, 'stock', sku)) as [string, string, string];
        await store.append(x, [event()], { expectedRevision: 'no_stream' });
        await store.append(z, [event(), event()], { expectedRevision: 'no_stream' });
        const before = await store.headPosition(tenant);
        const batch = { x: [event(), event()], y: [event(), event(), event()], z: [event()] };
        const results = await store.appendMany([
          { stream: z, events: batch.z, expectedRevision: 'exists' },
          { stream: x, events: batch.x, expectedRevision: 0n },
          { stream: y, events: batch.y, expectedRevision: 'any' },
        ]);
        expect(results.map((result) => [result.revision, result.duplicate])).toEqual([
          [2n, false],
          [2n, false],
          [2n, false],
        ]);
        const last = results.reduce((max, result) => (comparePositions(result.position, max) > 0 ? result.position : max), before);
        await settled(store, tenant, last);
        const recorded = await collect(store.readTenant(tenant, { after: before }));
        // One transaction: consecutive positions, streams in name order, each event where it was given.
        expect(recorded.map((e) => [e.stream, e.revision, e.id])).toEqual([
          ...batch.x.map((e, i) => [x, BigInt(i + 1), e.id]),
          ...batch.y.map((e, i) => [y, BigInt(i), e.id]),
          ...batch.z.map((e) => [z, 2n, e.id]),
        ]);
        const positions = recorded.map((e) => BigInt(e.position));
        expect(positions.slice(1).every((position, i) => position === (positions[i] ?? 0n) + 1n)).toBe(true);
        expect(results[0]?.position).toBe(recorded.at(-1)?.position);
        expect(results[1]?.position).toBe(recorded[1]?.position);
        expect(results[2]?.position).toBe(recorded[4]?.position);
      });

      it('refuses an event id given twice in one appendMany, writing nothing', async () => {
        const tenant = freshTenant();
        const [a, b] = ['A', 'B'].map((sku) => streamName(tenant, 'stock', sku)) as [string, string];
        const twice = event();
        await expect(
          store.appendMany([
            { stream: a, events: [twice], expectedRevision: 'no_stream' },
            { stream: b, events: [twice], expectedRevision: 'no_stream' },
          ]),
        ).rejects.toBeInstanceOf(InvalidAppend);
        expect(await store.streamRevision(a)).toBeUndefined();
      });

      it("refuses 'exists' for a stream that does not exist, writing nothing", async () => {
        const tenant = freshTenant();
        const [a, b] = ['A', 'B'].map((sku) => streamName(tenant, 'stock', sku)) as [string, string];
        await expect(
          store.appendMany([
            { stream: a, events: [event()], expectedRevision: 'no_stream' },
            { stream: b, events: [event()], expectedRevision: 'exists' },
          ]),
        ).rejects.toBeInstanceOf(WrongExpectedRevision);
        expect(await store.streamRevision(a)).toBeUndefined();
      });

      it('a retried appendMany, one after another or many at once, records it once and answers like the first time', async () => {
        const tenant = freshTenant();
        const [a, b] = ['A', 'B'].map((sku) => streamName(tenant, 'stock', sku)) as [string, string];
        await store.append(a, [event()], { expectedRevision: 'no_stream' });
        const appends = [
          { stream: a, events: [event(), event()], expectedRevision: 0n },
          { stream: b, events: [event()], expectedRevision: 'no_stream' as const },
        ];
        const outcomes = await Promise.all(Array.from({ length: 6 }, () => store.appendMany(appends)));
        const first = outcomes.find((results) => results.every((result) => !result.duplicate));
        expect(outcomes.filter((results) => results.some((result) => !result.duplicate))).toHaveLength(1);
        for (const results of outcomes) expect(results.map((result) => result.position)).toEqual(first?.map((result) => result.position));
        const later = await store.appendMany(appends);
        expect(later).toEqual(first?.map((result) => ({ ...result, duplicate: true })));
        expect(await collect(store.readStream(a))).toHaveLength(3);
        expect(await collect(store.readStream(b))).toHaveLength(1);
      });

      it('with one stream already stored and one not, answers duplicate for the first and appends the second', async () => {
        const tenant = freshTenant();
        const [a, b] = ['A', 'B'].map((sku) => streamName(tenant, 'stock', sku)) as [string, string];
        const stored = [event()];
        const first = await store.append(a, stored, { expectedRevision: 'no_stream' });
        const results = await store.appendMany([
          { stream: a, events: stored, expectedRevision: 'no_stream' },
          { stream: b, events: [event()], expectedRevision: 'no_stream' },
        ]);
        expect(results[0]).toEqual({ ...first, duplicate: true });
        expect(results[1]).toMatchObject({ revision: 0n, duplicate: false });
        expect(await collect(store.readStream(b))).toHaveLength(1);
      });
    });

    describe('tenants', () => {
      it("never returns another tenant's events, also for slugs that are prefixes of each other", async () => {
        const base = freshTenant('acme');
        const tenants = [base, `${base}-2`, `${base}-22`];
        for (const tenant of tenants) {
          await store.append(streamName(tenant, 'stock', 'BOLT'), [event('E', { tenant })], { expectedRevision: 'any' });
          const last = await store.append(streamName(tenant, 'article', 'BOLT'), [event('E', { tenant })], { expectedRevision: 'any' });
          await settled(store, tenant, last.position);
        }
        for (const tenant of tenants) {
          const read = await collect(store.readTenant(tenant));
          expect(read).toHaveLength(2);
          expect(read.every((e) => (e.data as { tenant: string }).tenant === tenant && e.stream.startsWith(`${tenant}:`))).toBe(true);
          const live = await firstValueFrom(store.subscribeTenant(tenant).pipe(take(2), toArray()));
          expect(live.map((e) => e.id)).toEqual(read.map((e) => e.id));
        }
        // A live append to acme-2 must not reach a subscriber of acme.
        const received: RecordedEvent[] = [];
        const subscription = store.subscribeTenant(base).subscribe((e) => received.push(e));
        await waitUntil(() => received.length === 2);
        await store.append(streamName(`${base}-2`, 'stock', 'BOLT'), [event()], { expectedRevision: 'any' });
        await store.append(streamName(base, 'stock', 'NUT'), [event('E', { tenant: base })], { expectedRevision: 'any' });
        await waitUntil(() => received.length === 3);
        await sleep(100);
        subscription.unsubscribe();
        expect(received.every((e) => e.stream.startsWith(`${base}:`))).toBe(true);
        expect(received).toHaveLength(3);
      });

      it('tells the head position of a tenant and of the whole store', async () => {
        const tenant = freshTenant();
        expect(await store.headPosition(tenant)).toBe('0');
        const result = await store.append(streamName(tenant, 'stock', 'H'), [event()], { expectedRevision: 'any' });
        await settled(store, tenant, result.position);
        expect(await store.headPosition(tenant)).toBe(result.position);
        expect(comparePositions(await store.headPosition(), result.position)).toBeGreaterThanOrEqual(0);
      });
    });

    describe('readTenant', () => {
      it('reads every event after a position in position order, across pages', async () => {
        const tenant = freshTenant();
        let last: Position = '0';
        for (let i = 0; i < 25; i += 1) last = (await store.append(streamName(tenant, 'stock', `S${i % 4}`), [event('E', { i })], { expectedRevision: 'any' })).position;
        await settled(store, tenant, last);
        const all = await collect(store.readTenant(tenant, { batchSize: 7 }));
        expect(all.map((e) => (e.data as { i: number }).i)).toEqual(Array.from({ length: 25 }, (_, i) => i));
        for (let i = 1; i < all.length; i += 1) expect(comparePositions(all[i - 1]?.position ?? '0', all[i]?.position ?? '0')).toBeLessThan(0);
        const after = await collect(store.readTenant(tenant, { after: all[9]?.position ?? '0', batchSize: 4 }));
        expect(after.map((e) => e.id)).toEqual(all.slice(10).map((e) => e.id));
        expect(await store.countEvents(tenant)).toBe(25);
        expect(await store.countEvents(tenant, { after: all[9]?.position ?? '0', upTo: all[19]?.position ?? '0' })).toBe(10);
      });
    });

    describe('subscribeTenant', () => {
      it('catches up, then follows live appends', async () => {
        const tenant = freshTenant();
        const stream = streamName(tenant, 'stock', 'LIVE');
        await store.append(stream, [event(), event()], { expectedRevision: 'any' });
        const received: RecordedEvent[] = [];
        const subscription = store.subscribeTenant(tenant).subscribe((e) => received.push(e));
        await waitUntil(() => received.length === 2);
        await store.append(stream, [event()], { expectedRevision: 'any' });
        await waitUntil(() => received.length === 3);
        subscription.unsubscribe();
        expect(received.map((e) => e.revision)).toEqual([0n, 1n, 2n]);
      });

      it('starts after the given position', async () => {
        const tenant = freshTenant();
        const stream = streamName(tenant, 'stock', 'AFTER');
        const first = await store.append(stream, [event()], { expectedRevision: 'any' });
        await store.append(stream, [event()], { expectedRevision: 'any' });
        const [next] = await firstValueFrom(store.subscribeTenant(tenant, { after: first.position }).pipe(take(1), toArray()));
        expect(next?.revision).toBe(1n);
      });

      it('delivers a new event to a live subscriber (of another process, where the adapter has one) within 100 ms of its commit', async () => {
        const tenant = freshTenant();
        const stream = streamName(tenant, 'stock', 'FAST');
        await store.append(stream, [event()], { expectedRevision: 'any' });
        const arrivals = new Map<string, number>();
        const subscription = (subject.otherProcess ?? store).subscribeTenant(tenant).subscribe((e) => arrivals.set(e.id, performance.now()));
        await waitUntil(() => arrivals.size === 1);
        await sleep(1200); // past the idle poll, so only a notification can wake the subscriber in time
        const delays: number[] = [];
        for (let i = 0; i < 5; i += 1) {
          const next = event();
          await store.append(stream, [next], { expectedRevision: 'any' });
          const committed = performance.now();
          await waitUntil(() => arrivals.has(next.id), 2000);
          delays.push((arrivals.get(next.id) ?? Infinity) - committed);
          await sleep(50);
        }
        subscription.unsubscribe();
        expect(Math.max(...delays)).toBeLessThan(100);
      });

      it('never skips an event whose transaction was still open: all delivered once, in position order', async () => {
        if (!subject.holdOpenAppend) return; // positions are taken at commit: nothing can be skipped
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
          const held = await subject.holdOpenAppend(stream('B'), [heldEvent]);
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

      it('delivers every event exactly once in position order under concurrent writers', async () => {
        const tenant = freshTenant();
        const received: RecordedEvent[] = [];
        const subscription = store.subscribeTenant(tenant).subscribe((e) => received.push(e));
        const written = await Promise.all(
          Array.from({ length: 200 }, (_, i) => store.append(streamName(tenant, 'stock', `W${i % 20}`), [event('E', { i })], { expectedRevision: 'any' })),
        );
        await waitUntil(() => received.length >= 200, 10_000);
        await sleep(100);
        subscription.unsubscribe();
        expect(received).toHaveLength(200);
        expect(new Set(received.map((e) => e.id)).size).toBe(200);
        for (let i = 1; i < received.length; i += 1) expect(comparePositions(received[i - 1]?.position ?? '0', received[i]?.position ?? '0')).toBeLessThan(0);
        expect(new Set(received.map((e) => e.position))).toEqual(new Set(written.map((w) => w.position)));
      });
    });
  });
}
