/**
 * Reads of the KurrentDB adapter: one stream by revision, one tenant over `$all` with a
 * server-side stream-name prefix filter of `<tenant>:` (the colon keeps `acme` from matching
 * `acme-2`), and the positions and counts around them.
 *
 * KurrentDB keeps no per-tenant index: a filtered read of `$all` scans the log server-side and
 * skips what does not match. So headPosition(tenant) is a backwards filtered read of one event
 * (it scans back from the end of the log to the tenant's newest event: cheap for a busy tenant,
 * as long as the log behind it for a quiet one), and countEvents reads the range and counts it.
 * Reads that return events go through plain gRPC reads in pages (grpc-read.ts explains why not
 * the client's readStream/readAll); a page whose connection broke is read again.
 */
import {
  BACKWARDS,
  END,
  FORWARDS,
  StreamNotFoundError,
  streamNameFilter,
  type KurrentDBClient,
  type Position as LogPosition,
} from '@kurrent/kurrentdb-client';
import { EventStoreUnavailable, startPosition, type Position, type ReadStreamOptions, type RecordedEvent } from '../event-store.js';
import { tenantStreamPrefix } from '../stream-name.js';
import { translateClientError } from './errors.js';
import { readPage, type PageOf } from './grpc-read.js';
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
 * One stream's ids, revisions and positions from revision `from`, `batchSize` at a time, through
 * the client's plain read (its recorded times are whole seconds: see grpc-read.ts); for the
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

/** Attempts of a page whose connection broke (a reset HTTP/2 session, a leader change): pages can be read again. */
const pageAttempts = 3;

/** One page through grpc-read.ts, read again after a pause when the server could not be reached; errors are the port's. */
async function page(client: KurrentDBClient, of: PageOf, count: number, doing: string): Promise<Awaited<ReturnType<typeof readPage>>> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await readPage(client, of, count);
    } catch (error) {
      const translated = translateClientError(error, doing);
      if (attempt >= pageAttempts || !(translated instanceof EventStoreUnavailable)) throw translated;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * One stream's events in revision order, `batchSize` at a time (see grpc-read.ts). `until` ends
 * the read at the first event recorded after it: the server stamps events in log order, so a
 * stream's recorded times only grow.
 */
export async function* readStreamEvents(client: KurrentDBClient, batchSize: number, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
  let next = options.from ?? 0n;
  for (;;) {
    const count = options.to === undefined ? batchSize : Math.min(batchSize, Number(options.to - next + 1n));
    if (count <= 0) return;
    const resolved = await page(client, { stream, fromRevision: next }, count, `read ${stream}`);
    for (const one of resolved) {
      const event = toRecordedEvent(one);
      if (!event) continue;
      if (options.to !== undefined && event.revision > options.to) return;
      if (options.until && event.recordedAt.getTime() > options.until.getTime()) return;
      yield event;
      next = event.revision + 1n;
    }
    if (resolved.length < count) return;
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
 * A tenant's events after `after` in position order: `$all` with the tenant's prefix filter, in
 * pages of `batchSize` (see grpc-read.ts). Each page starts at the exact place of the last event
 * read (the server includes it, so it is dropped), so events sharing a commit position are not
 * skipped between pages.
 */
export async function* readTenantEvents(client: KurrentDBClient, batchSize: number, tenant: string, after: Position): AsyncIterable<RecordedEvent> {
  let from: LogCursor = cursorOf(after);
  let last = after;
  for (;;) {
    const resolved = await page(client, { from, prefix: tenantStreamPrefix(tenant) }, batchSize + 1, `read tenant ${tenant}`);
    let fresh = 0;
    for (const one of resolved) {
      const event = toRecordedEvent(one);
      const position: LogPosition | undefined = one.event?.position;
      if (!event || !position || !isAfter(event.position, last)) continue;
      fresh += 1;
      last = event.position;
      from = position;
      yield event;
    }
    if (resolved.length <= batchSize || fresh === 0) return;
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
