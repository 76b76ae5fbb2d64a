/** Events, tenants and waits shared by the event-store contract's requirement modules. */
import { randomUUID } from 'node:crypto';
import { comparePositions, type EventStore, type EventToAppend, type Position } from '../../../src/eventstore/event-store.js';

let tenantCounter = 0;
/** A tenant slug no other test of this run uses. */
export const freshTenant = (prefix = 't'): string => `${prefix}${Date.now().toString(36)}${(tenantCounter += 1)}`;

/** An event to append with a new id. */
export const event = (type = 'ThingHappened', data: unknown = { n: 1 }): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { user: 'tester', correlationId: randomUUID() },
});

/** Every item of an async iterable, in order. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once `condition` holds; fails after `timeoutMs`. */
export async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
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
export async function settled(store: EventStore, tenant: string, position: Position): Promise<void> {
  const deadline = Date.now() + 5000;
  while (comparePositions(await store.headPosition(tenant), position) < 0) {
    if (Date.now() > deadline) throw new Error(`tenant ${tenant} did not reach position ${position}`);
    await sleep(5);
  }
}
