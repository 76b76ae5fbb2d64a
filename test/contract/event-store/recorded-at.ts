/**
 * Appends that carry their recording time (history moved from another store): readers see the
 * given recordedAt, and every other promise of an append (expected revision, ids stored once,
 * all or nothing) holds as for any append.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { DuplicateEventIds, WrongExpectedRevision, type EventStore, type EventToAppend } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { collect, event, freshTenant, settled } from './fixtures.js';

const at = (iso: string) => (of: EventToAppend): EventToAppend => ({ ...of, recordedAt: new Date(iso) });

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeRecordedAt(subject: ContractSubject): void {
  describe('appends with their recording time', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

    it('keeps the given recordedAt, for readStream (and its until) and readTenant', async () => {
      const tenant = freshTenant('rat');
      const article = streamName(tenant, 'article', 'A');
      const stock = streamName(tenant, 'stock', 'A');
      const registered = at('2021-03-04T05:06:07.089Z')(event('ArticleRegistered'));
      const received = [at('2021-03-05T00:00:00.001Z')(event('StockReceived')), at('2022-01-01T00:00:00.000Z')(event('StockReceived'))];
      const results = await store.appendMany([
        { stream: article, events: [registered], expectedRevision: 'no_stream' },
        { stream: stock, events: received, expectedRevision: 'no_stream' },
      ]);
      expect(results.map((result) => [result.revision, result.duplicate])).toEqual([[0n, false], [1n, false]]);
      const before = Date.now();
      await store.append(stock, [event('StockShipped')], { expectedRevision: 1n });

      const read = await collect(store.readStream(stock));
      expect(read.map((e) => e.recordedAt.toISOString()).slice(0, 2)).toEqual(['2021-03-05T00:00:00.001Z', '2022-01-01T00:00:00.000Z']);
      // Without a time of its own, an event gets the store's.
      expect(read[2]?.recordedAt.getTime()).toBeGreaterThanOrEqual(before - 5000);
      expect((await collect(store.readStream(stock, { until: new Date('2021-12-31T00:00:00Z') }))).map((e) => e.id)).toEqual([received[0]?.id]);

      await settled(store, tenant, await store.lastCommittedPosition(tenant));
      const all = await collect(store.readTenant(tenant));
      expect(all.map((e) => [e.id, e.recordedAt.toISOString()]).slice(0, 3)).toEqual(
        expect.arrayContaining([
          [registered.id, '2021-03-04T05:06:07.089Z'],
          [received[0]?.id, '2021-03-05T00:00:00.001Z'],
          [received[1]?.id, '2022-01-01T00:00:00.000Z'],
        ]),
      );
    });

    it('checks the expected revision and stores each id once, as every append does', async () => {
      const stream = streamName(freshTenant('rar'), 'stock', 'B');
      const first = [at('2020-01-01T00:00:00Z')(event()), at('2020-01-02T00:00:00Z')(event())];
      await store.append(stream, first, { expectedRevision: 'no_stream' });
      await expect(store.append(stream, [at('2020-01-03T00:00:00Z')(event())], { expectedRevision: 0n })).rejects.toBeInstanceOf(WrongExpectedRevision);
      await expect(store.append(stream, [at('2020-01-03T00:00:00Z')(event())], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(WrongExpectedRevision);
      const again = await store.append(stream, first, { expectedRevision: 'no_stream' });
      expect(again).toMatchObject({ revision: 1n, duplicate: true });
      await expect(store.append(stream, [first[1] as EventToAppend, at('2020-01-03T00:00:00Z')(event())], { expectedRevision: 1n })).rejects.toBeInstanceOf(DuplicateEventIds);
      const next = await store.append(stream, [at('2020-01-03T00:00:00Z')(event())], { expectedRevision: 'exists' });
      expect(next).toMatchObject({ revision: 2n, duplicate: false });
      expect((await collect(store.readStream(stream))).map((e) => [e.revision, e.recordedAt.toISOString()])).toEqual([
        [0n, '2020-01-01T00:00:00.000Z'],
        [1n, '2020-01-02T00:00:00.000Z'],
        [2n, '2020-01-03T00:00:00.000Z'],
      ]);
    });
  });
}
