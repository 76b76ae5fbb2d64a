/**
 * Requirement 3 of DESIGN.md's Event store section, no skipped events: a reader that has seen
 * position p never later finds a committed event below p, however writers interleave. How a store
 * guarantees it differs (PostgreSQL reads below its oldest running writer, which its own test file
 * proves by holding a transaction open; KurrentDB takes positions at commit), so the suite checks
 * the outcome every store owes: concurrent writers, every event delivered once, in order.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions, type EventStore, type RecordedEvent } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { event, freshTenant, sleep, waitUntil } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeNoSkippedEvents(subject: ContractSubject): void {
  describe('no skipped events', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
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
}
