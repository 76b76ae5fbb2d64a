/** Appends to one stream and reads it back: revisions, ranges, metadata, malformed appends. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidAppend, comparePositions, type EventStore } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { collect, event, freshTenant } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeAppendAndReadStream(subject: ContractSubject): void {
  describe('append and readStream', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

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
}
