/**
 * Requirement 3 of DESIGN.md's Event store section, no skipped events: a reader that has seen
 * position p never later finds a committed event below p, however writers interleave.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Subscription } from 'rxjs';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { collect, event, freshTenant, sleep, waitUntil } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeNoSkippedEvents(subject: ContractSubject): void {
  describe('no skipped events', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

    // Where positions are taken at commit, no event can appear behind a reader: nothing to hold open.
    const whereHeldOpen = subject.adapter.capabilities.positionsTakenBeforeCommit ? it : it.skip;

    whereHeldOpen('never skips an event whose transaction was still open: all delivered once, in position order', async () => {
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
}
