/**
 * Reads of the KurrentDB adapter: one stream by revision, one tenant over `$all` with a
 * server-side stream-name prefix filter of `<tenant>:` (the colon keeps `acme` from matching
 * `acme-2`), and the positions and counts around them.
 *
 * KurrentDB keeps no per-tenant index: a filtered read of `$all` scans the log server-side and
 * skips what does not match. So headPosition(tenant) is a backwards filtered read of one event
 * (it scans back from the end of the log to the tenant's newest event: cheap for a busy tenant,
 * as long as the log behind it for a quiet one), and countEvents reads the range and counts it.
 * Reads that return events go through catch-up subscriptions (catch-up-read.ts explains why).
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  START,
  StreamNotFoundError,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type KurrentDBClient,
  type ResolvedEvent,
  type StreamSubscription,
} from '@kurrent/kurrentdb-client';
import { startPosition, type Position, type ReadStreamOptions, type RecordedEvent } from '../event-store.js';
import { tenantStreamPrefix } from '../stream-name.js';
import { translateClientError } from './errors.js';
import { readUntilCaughtUp } from './catch-up-read.js';
import { cursorOf, isAfter, toPosition } from './positions.js';
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
 * One stream's ids, revisions and positions from revision `from`, `batchSize` at a time, through
 * the plain read (its recorded times are whole seconds: see catch-up-read.ts); for the
 * idempotency ledger.
 */
export async function* readStreamIds(client: KurrentDBClient, batchSize: number, stream: string, from: bigint): AsyncIterable<RecordedEvent> {
  let next = from;
  for (;;) {
    const page = await streamPage(client, stream, next, batchSize);
    for (const event of page) yield event;
    const last = page.at(-1);
    if (page.length < batchSize || !last) return;
    next = last.revision + 1n;
  }
}

/**
 * One stream's events in revision order, read through a catch-up subscription (see
 * catch-up-read.ts). `until` ends the read at the first event recorded after it: the server
 * stamps events in log order, so a stream's recorded times only grow.
 */
export async function* readStreamEvents(client: KurrentDBClient, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
  const from = options.from ?? 0n;
  // A subscription starts after the revision it is given.
  const subscription = (): StreamSubscription => client.subscribeToStream(stream, { fromRevision: from === 0n ? START : from - 1n });
  for await (const resolved of readUntilCaughtUp<ResolvedEvent>(subscription, `read ${stream}`)) {
    const event = toRecordedEvent(resolved);
    if (!event || event.revision < from) continue;
    if (options.to !== undefined && event.revision > options.to) return;
    if (options.until && event.recordedAt.getTime() > options.until.getTime()) return;
    yield event;
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

/**
 * A tenant's events after `after` in position order, read through a filtered catch-up
 * subscription of `$all` (see catch-up-read.ts); the server paces it, so there are no pages.
 */
export async function* readTenantEvents(client: KurrentDBClient, tenant: string, after: Position): AsyncIterable<RecordedEvent> {
  const subscription = (): AllStreamSubscription => client.subscribeToAll({ fromPosition: cursorOf(after), filter: tenantFilter(tenant) });
  for await (const resolved of readUntilCaughtUp<AllStreamResolvedEvent>(subscription, `read tenant ${tenant}`)) {
    const event = toRecordedEvent(resolved);
    if (event && isAfter(event.position, after)) yield event;
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
  let from = cursorOf(after);
  for (;;) {
    let read = 0;
    try {
      // The plain read, in pages: positions are all a count needs.
      for await (const resolved of client.readAll({ fromPosition: from, direction: FORWARDS, maxCount: batchSize + 1, filter: tenantFilter(tenant) })) {
        read += 1;
        const position = resolved.event?.position;
        if (!position) continue;
        const token = toPosition(position);
        if (upTo !== undefined && isAfter(token, upTo)) return count;
        if (isAfter(token, after)) {
          count += 1;
          after = token;
          from = position;
        }
      }
    } catch (error) {
      throw translateClientError(error, `count the events of tenant ${tenant}`);
    }
    if (read <= batchSize) return count;
  }
}
