/**
 * Reads of the PostgreSQL event store: pages of es_events in revision or position order, and the
 * positions and counts around them. Tenant reads stop at the read guard (see reads.sql.ts).
 */
import type { Database } from '../../database/connection.js';
import { startPosition, type EventJsonLinesPage, type Position, type ReadStreamOptions, type RecordedEvent, type RecordedEventText } from '../event-store.js';
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

/** One stream's events in revision order, fetched `batchSize` at a time. */
export async function* readStreamEvents(db: Database, batchSize: number, stream: string, options: ReadStreamOptions): AsyncIterable<RecordedEvent> {
  let from = options.from ?? 0n;
  const to = options.to ?? maxBigint;
  const until = options.until ?? new Date('9999-12-31T00:00:00Z');
  for (;;) {
    const rows = await eventRows(db, readStreamBatchSql(), [stream, from.toString(), to.toString(), until, batchSize]);
    for (const row of rows) yield toRecordedEvent(row);
    const last = rows.at(-1);
    if (rows.length < batchSize || !last) return;
    from = BigInt(last[2]) + 1n;
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

/** A tenant's events as JSON lines built by PostgreSQL (TenantJsonLines), a page per query, the next fetched while the caller writes this one. */
export async function* readTenantJsonLinePages(
  db: Database,
  tenant: string,
  options: { after: Position; upTo: Position; recordedUntil: Date | undefined; batchSize: number },
): AsyncIterable<EventJsonLinesPage> {
  type Row = { count: number; fetched: number; cut: boolean; first: string; last: string; lines: string };
  const page = (after: Position): Promise<Row> =>
    db.one<Row>(readTenantJsonLinesPageSql(), [tenant, after, options.upTo, options.recordedUntil ?? noRecordingLimit, options.batchSize]);
  let next = page(options.after);
  for (;;) {
    const row = await next;
    const more = row.fetched === options.batchSize && !row.cut;
    if (more) next = page(row.last);
    if (row.count > 0) yield { lines: row.lines, count: row.count, firstPosition: row.first, lastPosition: row.last };
    if (!more) return;
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
