import { auditEvent, type AuditEvent } from '../../audit/audit-event.js';
import type { RecordedEvent } from '../../eventstore/event-store.js';
import { parseStreamName, streamName } from '../../eventstore/stream-name.js';
import type { AuditorClient } from './auditor-client.js';
import type { CommandContext } from './context.js';
import { selectEventPlace } from './events.sql.js';

/** An event as stockctl prints it: the shape of GET /api/audit/events, in both modes. */
export type EventView = AuditEvent;

/** Which events a listing keeps. */
export interface EventFilter {
  /** Stream names without the tenant prefix (`stock-BOLT`); none: every stream. */
  readonly streams?: readonly string[];
  readonly types?: readonly string[];
  /** Recorded at or after. */
  readonly since?: Date;
}

/** A recorded event in the API's audit shape (raw data, the audit part of the metadata): the one audit shape, src/audit/audit-event.ts. */
export const eventView: (event: RecordedEvent) => EventView = auditEvent;

/** A stream the user names, in the tenant: `stock-BOLT` or `acme:stock-BOLT`; undefined when it is not a stream name. */
export function tenantStream(tenant: string, name: string): string | undefined {
  const local = name.startsWith(`${tenant}:`) ? name.slice(tenant.length + 1) : name;
  const parsed = parseStreamName(`${tenant}:${local}`);
  return parsed ? streamName(tenant, parsed.category, parsed.id) : undefined;
}

/** Whether an event passes the filter's type and time (the streams are chosen by the reader). */
export function passes(filter: EventFilter, event: EventView): boolean {
  if (filter.types && !filter.types.includes(event.type)) return false;
  return !filter.since || Date.parse(event.recordedAt) >= filter.since.getTime();
}

const pageSize = 500;

/**
 * The tenant's events after `after` in position order, through whichever mode the context is in:
 * the event store (a stream at a time when streams are named, merged by position) or
 * GET /api/audit/events, page by page. Type and time are filtered by the caller ({@link passes}).
 */
export async function* eventsAfter(context: CommandContext, tenant: string, after: string, streams: readonly string[] | undefined): AsyncIterable<EventView> {
  if (context.mode === 'auditor') {
    yield* auditedEventsAfter(context.auditor(), after, streams);
    return;
  }
  const { store } = await context.operator();
  if (streams === undefined) {
    for await (const event of store.readTenant(tenant, { after, batchSize: pageSize })) yield eventView(event);
    return;
  }
  const found: RecordedEvent[] = [];
  for (const name of streams) {
    const stream = tenantStream(tenant, name);
    if (stream === undefined) continue;
    for await (const event of store.readStream(stream)) if (BigInt(event.position) > BigInt(after)) found.push(event);
  }
  found.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  for (const event of found) yield eventView(event);
}

async function* auditedEventsAfter(client: AuditorClient, after: string, streams: readonly string[] | undefined): AsyncIterable<EventView> {
  // The API takes one stream a request: several are read one by one and merged by position.
  const queries = streams === undefined ? [{}] : streams.map((stream) => ({ stream }));
  const found: EventView[] = [];
  for (const query of queries) {
    let cursor: string | null = after;
    while (cursor !== null) {
      const page: { items: EventView[]; nextCursor: string | null } = await client.get('/api/audit/events', { ...query, after: cursor, limit: pageSize });
      if (streams === undefined) for (const event of page.items) yield event;
      else found.push(...page.items);
      cursor = page.nextCursor;
    }
  }
  found.sort((a, b) => (BigInt(a.position) < BigInt(b.position) ? -1 : 1));
  yield* found;
}

/** One event of the tenant by its id, or undefined. */
export async function eventById(context: CommandContext, tenant: string, id: string): Promise<EventView | undefined> {
  if (context.mode === 'auditor') {
    // The API has no lookup by id (yet): the tenant's events are read until it turns up.
    for await (const event of auditedEventsAfter(context.auditor(), '0', undefined)) if (event.id === id) return event;
    return undefined;
  }
  const { db, store } = await context.operator();
  const place = await db.oneOrNone<{ stream_name: string; revision: string }>(selectEventPlace(), [tenant, id]);
  if (!place) return undefined;
  const revision = BigInt(place.revision);
  for await (const event of store.readStream(place.stream_name, { from: revision, to: revision })) return eventView(event);
  return undefined;
}
