/** appendMany: several streams of one tenant, atomically, with every append rule of a single stream. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidAppend, WrongExpectedRevision, comparePositions, type EventStore } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { collect, event, freshTenant, settled } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeAppendMany(subject: ContractSubject): void {
  describe('appendMany', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

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
      // One transaction: growing positions (dense on PostgreSQL, log offsets on KurrentDB: their own
      // tests say so), streams in name order, each event where it was given.
      expect(recorded.map((e) => [e.stream, e.revision, e.id])).toEqual([
        ...batch.x.map((e, i) => [x, BigInt(i + 1), e.id]),
        ...batch.y.map((e, i) => [y, BigInt(i), e.id]),
        ...batch.z.map((e) => [z, 2n, e.id]),
      ]);
      const positions = recorded.map((e) => BigInt(e.position));
      expect(positions.slice(1).every((position, i) => position > (positions[i] ?? 0n))).toBe(true);
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
}
