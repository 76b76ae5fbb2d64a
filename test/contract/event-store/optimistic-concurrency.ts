/**
 * Requirement 1 of DESIGN.md's Event store section, optimistic concurrency: an append checks the
 * expected revision, and of writers with the same expected revision exactly one wins.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { WrongExpectedRevision, type EventStore } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { collect, event, freshTenant } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeOptimisticConcurrency(subject: ContractSubject): void {
  describe('optimistic concurrency', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
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
}
