/** Reads of one tenant: its events only, in position order, across pages, and its head position. */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { firstValueFrom, take, toArray } from 'rxjs';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../../../src/eventstore/event-store.js';
import { streamName } from '../../../src/eventstore/stream-name.js';
import type { ContractSubject } from './adapter.js';
import { collect, event, freshTenant, settled, sleep, waitUntil } from './fixtures.js';

/** The contract's tests of this requirement, against the adapter of `subject`. */
export function describeTenantReads(subject: ContractSubject): void {
  describe('tenants', () => {
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

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
    let store: EventStore;
    beforeAll(() => {
      store = subject.store;
    });

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
}
