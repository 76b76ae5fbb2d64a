/**
 * Requirement 2 of DESIGN.md's Event store section, idempotency: appending an event id that is
 * already stored records nothing twice.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { DuplicateEventIds, type EventStore } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { collect, event, freshTenant } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeIdempotency(subject: ContractSubject): void {
  describe('idempotency', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

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
}
