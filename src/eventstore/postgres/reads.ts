/**
 * Reads of the PostgreSQL event store: pages of es_events in revision or position order, and the
 * positions and counts around them. Tenant reads stop at the read guard (see reads.sql.ts).
 */
import type { Database } from '../../database/connection.js';
import { comparePositions, startPosition, type EventJsonLinesPage, type Position, type ReadStreamOptions, type RecordedEvent, type RecordedEventText } from '../event-store.js';
import {
  countEventsSql,
  hasEventsAfterSql,
  readStreamBatchSql,
  readTenantBatchSql,
  readTenantJsonLinesPageSql,
  readTenantTextBatchSql,
  storeHeadSql,
  streamRevisionSql,
  tenantHeadSql,
  tenantPageEndSql,
  tenantLastCommittedSql,
} from './reads.sql.js';

/** A row of the event columns, fetched as an array: cheaper for node-postgres than named fields. */
type EventRow = [string, string, string, string, string, unknown, Record<string, unknown>, number];

/** The largest bigint: "no upper bound" for revision and position ranges. */
const maxBigint = 9_223_372_036_854_775_807n;

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: row[0],
    stream: row[1],
    revision: BigInt(row[2]),
    id: row[3],
    type: row[4],
    data: row[5],
    metadata: row[6],
    recordedAt: new Date(row[7]),
  };
}

async function eventRows(db: Database, text: string, values: unknown[]): Promise<EventRow[]> {
  const result = await db.result({ text, values, rowMode: 'array' } as never);
  return result.rows as unknown as EventRow[];
}

/**
 * One stream's events in revision order, fetched `batchSize` at a time, the next page while the
 * caller works through this one (a long article history replays in PostgreSQL's time and Node's
 * at once, not one after the other).
 */
export async function* readStreamEvents(db: Database, batchSize: number, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
  const to = (options.to ?? maxBigint).toString();
  const until = options.until ?? new Date('9999-12-31T00:00:00Z');
  const page = (from: bigint): Promise<EventRow[]> => {
    const rows = eventRows(db, readStreamBatchSql(), [stream, from.toString(), to, until, batchSize]);
    // A caller that stops early leaves the next page unread: its failure then is nobody's concern.
    rows.catch(() => undefined);
    return rows;
  };
  let next = page(options.from ?? 0n);
  for (;;) {
    const rows = await next;
    const last = rows.at(-1);
    const more = rows.length === batchSize && last !== undefined;
    if (more) next = page(BigInt(last[2]) + 1n);
    for (const row of rows) yield toRecordedEvent(row);
    if (!more) return;
  }
}

function tenantRows(db: Database, tenant: string, after: Position, batchSize: number, text = readTenantBatchSql()): Promise<EventRow[]> {
  return eventRows(db, text, [tenant, after, batchSize]);
}

/** One page of a tenant's events after `after`, below the read guard, in position order. */
export async function readTenantPage(db: Database, tenant: string, after: Position, batchSize: number): Promise<RecordedEvent[]> {
  return (await tenantRows(db, tenant, after, batchSize)).map(toRecordedEvent);
}

/** A tenant's events after `after` in position order, fetched `batchSize` at a time. */
export function readTenantEvents(db: Database, tenant: string, after: Position, batchSize: number): AsyncIterable<RecordedEvent> {
  return tenantPages(db, tenant, after, batchSize, readTenantBatchSql(), toRecordedEvent);
}

/** As readTenantEvents, with data and metadata as their jsonb text (TenantTextReads). */
export function readTenantEventTexts(db: Database, tenant: string, after: Position, batchSize: number): AsyncIterable<RecordedEventText> {
  return tenantPages(db, tenant, after, batchSize, readTenantTextBatchSql(), (row) => {
    const { data, metadata, ...event } = toRecordedEvent(row);
    return { ...event, dataJson: data as string, metadataJson: metadata as unknown as string };
  });
}

/** The far future: no limit on recording time. */
const noRecordingLimit = new Date('9999-12-31T00:00:00Z');

/** Pages of JSON lines read at once: PostgreSQL builds the lines, so two of its backends build them on two cores. */
const jsonLinePagesAtOnce = 2;

/**
 * A tenant's events as JSON lines built by PostgreSQL (TenantJsonLines), a page per query. Each
 * page's end is looked up first in the index, so the next page is read by another connection
 * while this one is built, and both while the caller writes the page before.
 */
export async function* readTenantJsonLinePages(
  db: Database,
  tenant: string,
  options: { after: Position; upTo: Position; recordedUntil: Date | undefined; batchSize: number },
): AsyncIterable<EventJsonLinesPage> {
  type Row = { count: number; cut: boolean; first: string; last: string; lines: string };
  const { upTo, batchSize } = options;
  const until = options.recordedUntil ?? noRecordingLimit;
  const queue: Array<Promise<Row>> = [];
  let from = options.after;
  let read = comparePositions(from, upTo) >= 0;
  /** Starts reading the page after `from`. */
  const start = async (): Promise<void> => {
    const end = (await db.oneOrNone<{ position: string }>(tenantPageEndSql(), [tenant, from, upTo, batchSize - 1]))?.position ?? upTo;
    const page = db.one<Row>(readTenantJsonLinesPageSql(), [tenant, from, end, until, batchSize]);
    // A caller that stops early leaves pages unread: their failure then is nobody's concern.
    page.catch(() => undefined);
    queue.push(page);
    from = end;
    read = comparePositions(end, upTo) >= 0;
  };
  while (!read && queue.length < jsonLinePagesAtOnce) await start();
  for (let page = queue.shift(); page; page = queue.shift()) {
    const row = await page;
    if (row.cut) {
      if (row.count > 0) yield { lines: row.lines, count: row.count, firstPosition: row.first, lastPosition: row.last };
      return;
    }
    if (!read) await start();
    if (row.count > 0) yield { lines: row.lines, count: row.count, firstPosition: row.first, lastPosition: row.last };
  }
}

async function* tenantPages<T>(db: Database, tenant: string, after: Position, batchSize: number, text: string, toEvent: (row: EventRow) => T): AsyncIterable<T> {
  let next = tenantRows(db, tenant, after, batchSize, text);
  for (;;) {
    const rows = await next;
    const last = rows.at(-1);
    if (!last) return;
    // Fetch the next page while the caller works through this one.
    if (rows.length === batchSize) next = tenantRows(db, tenant, last[0], batchSize, text);
    for (const row of rows) yield toEvent(row);
    if (rows.length < batchSize) return;
  }
}

/** Whether the tenant has events after `after`, readable or still held back by the guard. */
export async function hasEventsAfter(db: Database, tenant: string, after: Position): Promise<boolean> {
  return (await db.one<{ more: boolean }>(hasEventsAfterSql(), [tenant, after])).more;
}

/** The position of the tenant's (or the store's) newest event below the read guard. */
export async function readableHead(db: Database, tenant?: string): Promise<Position> {
  const row =
    tenant === undefined
      ? await db.one<{ head: string }>(storeHeadSql())
      : await db.one<{ head: string }>(tenantHeadSql(), [tenant]);
  return row.head;
}

/** The position of the tenant's newest committed event, whether the guard holds it back or not. */
export async function lastCommitted(db: Database, tenant: string): Promise<Position> {
  return (await db.one<{ head: string }>(tenantLastCommittedSql(), [tenant])).head;
}

/** How many of the tenant's events lie after `after` and at or before `upTo`. */
export async function countTenantEvents(db: Database, tenant: string, after: Position = startPosition, upTo: Position = maxBigint.toString()): Promise<number> {
  return (await db.one<{ n: number }>(countEventsSql(), [tenant, after, upTo])).n;
}

/** The stream's current revision, undefined when it does not exist. */
export async function currentRevision(db: Database, stream: string): Promise<bigint | undefined> {
  const row = await db.oneOrNone<{ revision: string }>(streamRevisionSql(), [stream]);
  return row ? BigInt(row.revision) : undefined;
}
