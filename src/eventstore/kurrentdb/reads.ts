/**
 * Reads of the KurrentDB adapter: one stream by revision, one tenant over `$all` with a
 * server-side stream-name prefix filter of `<tenant>:` (the colon keeps `acme` from matching
 * `acme-2`), and the positions and counts around them.
 *
 * KurrentDB keeps no per-tenant index: a filtered read of `$all` scans the log server-side and
 * skips what does not match. So headPosition(tenant) is a backwards filtered read of one event
 * (it scans back from the end of the log to the tenant's newest event: cheap for a busy tenant,
 * as long as the log behind it for a quiet one), and countEvents reads the range and counts it.
 */
import { BACKWARDS, END, FORWARDS, StreamNotFoundError, streamNameFilter, type KurrentDBClient } from '@kurrent/kurrentdb-client';
import { startPosition, type Position, type ReadStreamOptions, type RecordedEvent } from '../event-store.js';
import { tenantStreamPrefix } from '../stream-name.js';
import { translateClientError } from './errors.js';
import { cursorOf, isAfter, toPosition, type LogCursor } from './positions.js';
import { toRecordedEvent } from './recorded-events.js';

/** The server-side filter of one tenant's streams. */
export const tenantFilter = (tenant: string): ReturnType<typeof streamNameFilter> => streamNameFilter({ prefixes: [tenantStreamPrefix(tenant)] });

function isStreamNotFound(error: unknown): boolean {
  return error instanceof StreamNotFoundError || (error as { type?: unknown } | undefined)?.type === 'stream-not-found';
}

/** One page of a stream from revision `from`, forwards; empty for a stream that does not exist. */
async function streamPage(client: KurrentDBClient, stream: string, from: bigint, maxCount: number): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  try {
    for await (const resolved of client.readStream(stream, { fromRevision: from, direction: FORWARDS, maxCount })) {
      const event = toRecordedEvent(resolved);
      if (event) events.push(event);
    }
  } catch (error) {
    if (isStreamNotFound(error)) return [];
    throw translateClientError(error, `read ${stream}`);
  }
  return events;
}

/**
 * One stream's events in revision order, `batchSize` at a time. `until` ends the read at the first
 * event recorded after it: the server stamps events in log order, so a stream's recorded times
 * only grow.
 */
export async function* readStreamEvents(client: KurrentDBClient, batchSize: number, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
  let from = options.from ?? 0n;
  for (;;) {
    const page = await streamPage(client, stream, from, batchSize);
    for (const event of page) {
      if (options.to !== undefined && event.revision > options.to) return;
      if (options.until && event.recordedAt.getTime() > options.until.getTime()) return;
      yield event;
    }
    const last = page.at(-1);
    if (page.length < batchSize || !last) return;
    from = last.revision + 1n;
  }
}

/** The stream's current revision, undefined when it does not exist. */
export async function streamRevision(client: KurrentDBClient, stream: string): Promise<bigint | undefined> {
  try {
    for await (const resolved of client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 1 })) {
      if (resolved.event) return resolved.event.revision;
    }
  } catch (error) {
    if (isStreamNotFound(error)) return undefined;
    throw translateClientError(error, `read ${stream}`);
  }
  return undefined;
}

/** The position of the event at `revision` of `stream`. */
export async function positionAt(client: KurrentDBClient, stream: string, revision: bigint): Promise<Position> {
  const [event] = await streamPage(client, stream, revision, 1);
  if (!event || event.revision !== revision) throw new Error(`${stream} has no event at revision ${revision}`);
  return event.position;
}

/** A page of a tenant's events, and the exact place of its last one to go on from. */
interface TenantPage {
  readonly events: RecordedEvent[];
  readonly next: LogCursor;
}

/**
 * One page of a tenant's events after the token `after`, read from `from` (the exact place of
 * the previous page's last event, or the place `after` stands for), in position order.
 */
async function readTenantPage(client: KurrentDBClient, tenant: string, from: LogCursor, after: Position, batchSize: number): Promise<TenantPage> {
  const events: RecordedEvent[] = [];
  let next = from;
  try {
    // One more than asked: a start at `after` reads the event at `after` again.
    const maxCount = after === startPosition ? batchSize : batchSize + 1;
    for await (const resolved of client.readAll({ fromPosition: from, direction: FORWARDS, maxCount, filter: tenantFilter(tenant) })) {
      const event = toRecordedEvent(resolved);
      if (!event || !isAfter(event.position, after) || events.length === batchSize) continue;
      events.push(event);
      next = resolved.event?.position ?? next;
    }
  } catch (error) {
    throw translateClientError(error, `read tenant ${tenant}`);
  }
  return { events, next };
}

/** A tenant's events after `after` in position order, fetched `batchSize` at a time. */
export async function* readTenantEvents(client: KurrentDBClient, tenant: string, after: Position, batchSize: number): AsyncIterable<RecordedEvent> {
  let cursor = after;
  let from = cursorOf(after);
  for (;;) {
    const page = await readTenantPage(client, tenant, from, cursor, batchSize);
    for (const event of page.events) yield event;
    const last = page.events.at(-1);
    if (page.events.length < batchSize || !last) return;
    cursor = last.position;
    from = page.next;
  }
}

/** The position of the tenant's newest event (of the whole log without a tenant); '0' when there is none. */
export async function headPosition(client: KurrentDBClient, tenant?: string): Promise<Position> {
  try {
    const filter = tenant === undefined ? undefined : tenantFilter(tenant);
    for await (const resolved of client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1, ...(filter ? { filter } : {}) })) {
      if (resolved.event) return toPosition(resolved.event.position);
    }
  } catch (error) {
    throw translateClientError(error, tenant === undefined ? 'read the head of $all' : `read the head of tenant ${tenant}`);
  }
  return startPosition;
}

/** How many of the tenant's events lie after `after` and at or before `upTo`: read and counted. */
export async function countTenantEvents(client: KurrentDBClient, tenant: string, batchSize: number, after: Position = startPosition, upTo?: Position): Promise<number> {
  let count = 0;
  for await (const event of readTenantEvents(client, tenant, after, batchSize)) {
    if (upTo !== undefined && isAfter(event.position, upTo)) break;
    count += 1;
  }
  return count;
}
