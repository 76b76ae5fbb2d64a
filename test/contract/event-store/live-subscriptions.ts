/**
 * Requirement 4 of DESIGN.md's Event store section, live subscriptions: subscribeTenant catches
 * up, then follows appends as they commit, woken by the store rather than by polling alone.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, take, toArray } from 'rxjs';
import type { EventStore, RecordedEvent } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { event, freshTenant, sleep, waitUntil } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeLiveSubscriptions(subject: ContractSubject): void {
  describe('subscribeTenant', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

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

    it('completes every live subscription when the store closes', async () => {
      // An instance of its own: closing the suite's store would end the tests after this one.
      const own = await subject.adapter.open();
      try {
        const tenant = freshTenant();
        await own.store.append(streamName(tenant, 'stock', 'CLOSE'), [event()], { expectedRevision: 'any' });
        const received: RecordedEvent[] = [];
        let completed = false;
        const subscription = own.store.subscribeTenant(tenant).subscribe({
          next: (e) => received.push(e),
          complete: () => {
            completed = true;
          },
        });
        await waitUntil(() => received.length === 1);
        await own.store.close();
        await waitUntil(() => completed, 2000);
        expect(subscription.closed).toBe(true);
      } finally {
        await own.cleanup();
      }
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
  });
}
