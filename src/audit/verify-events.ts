/**
 * `verify events`: reads a tenant's whole history once and reports what a sound history cannot
 * contain: a stream whose revisions skip or repeat, positions that do not increase, an event that
 * does not decode or upcast, a stock event filed in another article's stream, an article whose
 * balances do not sum to zero over real and virtual locations, and a serial moved into a location
 * while the book holds it in another one (in two places at once, or received twice).
 */
import { comparePositions, startPosition, type EventStore } from '../eventstore/event-store.js';
import { parseStreamName } from '../eventstore/stream-name.js';
import { isVirtualLocation } from '../domain/locations.js';
import { progressEvery, type AuditRunOptions } from './audit-run.js';
import { decodeStockEvent, isStockStreamEvent, StockBalances } from './stock-balances.js';
import { decodeEvent } from '../events/codec.js';

/** One thing found wrong. `eventId` and `position` name the event where it was seen. */
export type EventFinding =
  | { readonly kind: 'revision-gap'; readonly stream: string; readonly eventId: string; readonly position: string; readonly expected: string; readonly found: string }
  | { readonly kind: 'position-not-increasing'; readonly eventId: string; readonly position: string; readonly previous: string }
  | { readonly kind: 'undecodable'; readonly eventId: string; readonly position: string; readonly type: string; readonly message: string }
  | { readonly kind: 'wrong-article'; readonly eventId: string; readonly position: string; readonly stream: string; readonly sku: string }
  | { readonly kind: 'article-imbalance'; readonly sku: string; readonly sum: number }
  | { readonly kind: 'serial-in-two-places'; readonly eventId: string; readonly position: string; readonly sku: string; readonly serial: string; readonly at: string; readonly to: string };

/** What verify events found: no findings means the history is sound. */
export interface EventsVerification {
  readonly events: number;
  readonly findings: readonly EventFinding[];
}

/** Verifies every event of `tenant` (see the top of this file). */
export async function verifyEvents(store: EventStore, tenant: string, options: AuditRunOptions & { maxFindings?: number } = {}): Promise<EventsVerification> {
  const maxFindings = options.maxFindings ?? 1000;
  const findings: EventFinding[] = [];
  const found = (finding: EventFinding): void => {
    if (findings.length < maxFindings) findings.push(finding);
  };
  const total = options.onProgress ? await store.countEvents(tenant) : 0;
  const revisions = new Map<string, bigint>();
  const serialAt = new Map<string, string>();
  const book = new StockBalances();
  let previous = startPosition;
  let events = 0;
  for await (const event of store.readTenant(tenant)) {
    events += 1;
    if (events % progressEvery === 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.({ done: events, total });
    }
    if (comparePositions(event.position, previous) <= 0) found({ kind: 'position-not-increasing', eventId: event.id, position: event.position, previous });
    previous = event.position;
    const expected = (revisions.get(event.stream) ?? -1n) + 1n;
    if (event.revision !== expected) {
      found({ kind: 'revision-gap', stream: event.stream, eventId: event.id, position: event.position, expected: expected.toString(), found: event.revision.toString() });
    }
    revisions.set(event.stream, event.revision);
    try {
      if (!isStockStreamEvent(event)) {
        decodeEvent(event);
        continue;
      }
      const decoded = decodeStockEvent(event);
      const { sku } = decoded.event.data;
      if (parseStreamName(event.stream)?.id !== sku) found({ kind: 'wrong-article', eventId: event.id, position: event.position, stream: event.stream, sku });
      for (const move of book.applyEvent(decoded)) {
        for (const serial of move.serials ?? []) {
          const key = `${sku}\u0000${serial}`;
          const at = serialAt.get(key);
          if (!isVirtualLocation(move.to) && at !== undefined && at !== move.from) {
            found({ kind: 'serial-in-two-places', eventId: event.id, position: event.position, sku, serial, at, to: move.to });
          }
          if (isVirtualLocation(move.to)) serialAt.delete(key);
          else serialAt.set(key, move.to);
        }
      }
    } catch (error) {
      found({ kind: 'undecodable', eventId: event.id, position: event.position, type: event.type, message: String((error as Error).cause ?? error) });
    }
  }
  for (const [sku, sum] of book.totals()) if (sum !== 0) found({ kind: 'article-imbalance', sku, sum });
  options.onProgress?.({ done: events, total });
  return { events, findings };
}
