import type { z } from 'zod';
import { auditEvent } from '../../audit/audit-event.js';
import { fold } from '../../domain/decider.js';
import { isVirtualLocation } from '../../domain/locations.js';
import { fromThousandths } from '../../domain/quantity.js';
import type { StockEvent } from '../../domain/stock/events.js';
import { splitBalanceKey } from '../../domain/stock/state.js';
import { stockDecider } from '../../domain/stock/stock.js';
import type { EventStore, RecordedEvent } from '../../eventstore/event-store.js';
import { parseStreamName, streamName } from '../../eventstore/stream-name.js';
import { decodeEvent } from '../../events/codec.js';
import { route, type AnyRoute } from '../route.js';
import { skuParams } from '../schemas/catalog.js';
import { auditEventsQuery, replayQuery } from '../schemas/queries.js';

/** Events of some streams after a position, merged in position order, at most `limit`. */
async function streamsAfter(store: EventStore, streams: readonly string[], after: string, limit: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  for (const stream of streams) {
    for await (const event of store.readStream(stream)) if (BigInt(event.position) > BigInt(after)) events.push(event);
  }
  events.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  return events.slice(0, limit);
}

/**
 * A stream the caller names, in this tenant only: `stock-BOLT-M8` or `acme:stock-BOLT-M8`. A name
 * of another tenant's stream is read as an id in this tenant, so it finds nothing.
 */
function tenantStream(tenant: string, name: string): string | undefined {
  const local = name.startsWith(`${tenant}:`) ? name.slice(tenant.length + 1) : name;
  const parsed = parseStreamName(`${tenant}:${local}`);
  return parsed ? streamName(tenant, parsed.category, parsed.id) : undefined;
}

/** The audit routes (auditor, admin): raw events, and an article's stock replayed from the event store. */
export function auditRoutes(store: EventStore): AnyRoute[] {
  return [
    route<unknown, z.output<typeof auditEventsQuery>>({
      method: 'get',
      path: '/api/audit/events',
      summary: "The tenant's raw events, oldest first (filter by stream or article; page with after=<position>)",
      tag: 'Audit',
      access: 'audit',
      query: auditEventsQuery,
      responses: [{ status: 200, description: '`{ items, nextCursor }`; nextCursor is the position to pass as `after`.' }],
      handle: async ({ query, tenant }) => {
        const after = query.after ?? '0';
        let events: RecordedEvent[];
        if (query.stream !== undefined || query.sku !== undefined) {
          const streams = [
            ...(query.stream === undefined ? [] : [tenantStream(tenant, query.stream)]),
            ...(query.sku === undefined ? [] : [streamName(tenant, 'stock', query.sku), streamName(tenant, 'article', query.sku)]),
          ].filter((stream): stream is string => stream !== undefined);
          events = await streamsAfter(store, [...new Set(streams)], after, query.limit);
        } else {
          events = [];
          for await (const event of store.readTenant(tenant, { after, batchSize: query.limit })) {
            events.push(event);
            if (events.length >= query.limit) break;
          }
        }
        const last = events.at(-1);
        return { status: 200, body: { items: events.map(auditEvent), nextCursor: events.length === query.limit && last ? last.position : null } };
      },
    }),
    route<z.output<typeof skuParams>, z.output<typeof replayQuery>>({
      method: 'get',
      path: '/api/audit/articles/:sku/replay',
      summary: "An article's stock state folded from its events up to `at` (as recorded, or by business time with `basis=occurred`), straight from the event store",
      tag: 'Audit',
      access: 'audit',
      params: skuParams,
      query: replayQuery,
      responses: [{ status: 200, description: 'Balances, reservations and serials at that time, with the events folded.' }],
      handle: async ({ params, query, tenant, now }) => {
        const at = query.at === undefined ? now : new Date(query.at);
        const events: StockEvent[] = [];
        let position: string | null = null;
        // By business time every recorded event is read and those that happened later are left out:
        // a movement entered today for last week counts at last week.
        const byBusinessTime = query.basis === 'occurred';
        for await (const recorded of store.readStream(streamName(tenant, 'stock', params.sku), byBusinessTime ? {} : { until: at })) {
          const event = decodeEvent<StockEvent>(recorded);
          if (byBusinessTime && Date.parse(event.metadata.occurredAt) > at.getTime()) continue;
          events.push(event);
          position = recorded.position;
        }
        const state = fold(stockDecider, events);
        const balances = [...state.onHand.entries()].map(([key, quantity]) => {
          const { location, lot } = splitBalanceKey(key);
          return { location, lot: lot ?? null, onHand: fromThousandths(quantity) };
        });
        balances.sort((a, b) => a.location.localeCompare(b.location) || (a.lot ?? '').localeCompare(b.lot ?? ''));
        const reservations = [...state.reservations.entries()].flatMap(([reference, byLocation]) =>
          [...byLocation.entries()].map(([location, quantity]) => ({ reference, location: location === '' ? null : location, quantity: fromThousandths(quantity) })),
        );
        const serials = [...state.serials.entries()].map(([serial, location]) => ({ serial, location }));
        // Summed in exact thousandths over real locations only: the virtual ones hold the other side of each move.
        let onHand = 0;
        for (const [key, quantity] of state.onHand) if (!isVirtualLocation(splitBalanceKey(key).location)) onHand += quantity;
        return {
          status: 200,
          body: { sku: params.sku, at: at.toISOString(), basis: query.basis, eventsFolded: events.length, position, onHand: fromThousandths(onHand), balances, reservations, serials },
        };
      },
    }),
  ];
}
