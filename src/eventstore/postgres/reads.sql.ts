/**
 * SQL of reads, as text. The tables are created by migrations/0001_event_store.sql.
 *
 * The read guard: positions are (writing xid8 << 16) + offset, so every event of a transaction
 * that may still commit has a position at or above (oldest running xid << 16). Reading only below
 * that bound means a reader never passes an event that could still appear behind it.
 */

/**
 * Columns of a recorded event, in the order toRecordedEvent() expects. recorded_at comes as epoch
 * milliseconds: parsing timestamptz text into a Date costs node-postgres more than the number does.
 */
const eventColumns = `e.position::text, e.stream_name, e.revision::text, e.event_id, e.type, e.data, e.metadata,
  (extract(epoch from e.recorded_at) * 1000)::float8 as recorded_ms`;

/** The same columns with data and metadata as their jsonb text, nothing for node-postgres to parse. */
const eventTextColumns = eventColumns.replace('e.data, e.metadata,', 'e.data::text, e.metadata::text,');

/** The first position a transaction still running might write: nothing below it can appear later. */
const safeBound = `(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 16)`;

/** $1 tenant, $2 after position, $3 limit: the next page of a tenant's events below the read guard. */
export function readTenantBatchSql(columns = eventColumns): string {
  return `
  with bound as (select ${safeBound} as safe_below)
  select ${columns} from es_events e, bound
   where e.tenant = $1 and e.position > $2::bigint and e.position < bound.safe_below
   order by e.position limit $3`;
}

/** As readTenantBatchSql, with data and metadata as their jsonb text (TenantTextReads: nothing parsed). */
export function readTenantTextBatchSql(): string {
  return readTenantBatchSql(eventTextColumns);
}

/**
 * One event as the JSON line an export holds (src/audit/export-format.ts), built by PostgreSQL:
 * the fields in that order, strings through to_json (which escapes as JSON.stringify does), data
 * and metadata as their jsonb text, recordedAt as ISO 8601 in UTC with milliseconds cut off as
 * the port's Date does.
 */
const eventJsonLine = `'{"id":"' || e.event_id::text || '","stream":' || to_json(e.stream_name)::text ||
  ',"revision":"' || e.revision::text || '","position":"' || e.position::text || '","type":' || to_json(e.type)::text ||
  ',"data":' || coalesce(e.data::text, 'null') || ',"metadata":' || e.metadata::text ||
  ',"recordedAt":"' || to_char(e.recorded_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"}'`;

/**
 * $1 tenant, $2 after position, $3 up to position (inclusive), $4 recorded until (timestamptz),
 * $5 limit: a page of a tenant's events below the read guard as one row: the JSON lines joined by
 * newlines (one text for node-postgres to read, not eight columns per event), how many, the first
 * and last position, and whether an event recorded after $4 ended the page (it and every later
 * one left out: the history up to $4 is a prefix, recorded times need not increase).
 */
export function readTenantJsonLinesPageSql(): string {
  return `
  with bound as (select ${safeBound} as safe_below),
  page as (
    select e.position, ${eventJsonLine} as line, date_trunc('milliseconds', e.recorded_at) > $4::timestamptz as late
      from es_events e, bound
     where e.tenant = $1 and e.position > $2::bigint and e.position <= $3::bigint and e.position < bound.safe_below
     order by e.position limit $5),
  marked as (select position, line, bool_or(late) over (order by position) as cut from page)
  select count(*) filter (where not cut)::int as count,
         bool_or(cut) as cut,
         coalesce(min(position) filter (where not cut), 0)::text as first,
         coalesce(max(position) filter (where not cut), 0)::text as last,
         coalesce(string_agg(line, E'\\n' order by position) filter (where not cut), '') as lines
    from marked`;
}

/**
 * $1 tenant, $2 after position, $3 up to position, $4 offset: the position of the ($4 + 1)th event
 * after $2 (no row when there are fewer), read from the (tenant, position) index alone: where a
 * page of that many events ends, known before the page is read, so pages can be read at once.
 */
export function tenantPageEndSql(): string {
  // e.position, not position: a bare name sorts by the output column, position::text, as text.
  return `select e.position::text from es_events e where e.tenant = $1 and e.position > $2::bigint and e.position <= $3::bigint order by e.position offset $4 limit 1`;
}

/** Whether a tenant has events after $2 that the guard holds back (committed or not yet). */
export function hasEventsAfterSql(): string {
  return `select exists (select 1 from es_events where tenant = $1 and position > $2::bigint) as more`;
}

/** $1 stream, $2 from revision, $3 to revision, $4 recorded at or before, $5 limit. */
export function readStreamBatchSql(): string {
  return `
  select ${eventColumns} from es_events e
   where e.stream_name = $1 and e.revision >= $2::bigint and e.revision <= $3::bigint and e.recorded_at < $4::timestamptz + interval '1 millisecond'
   order by e.revision limit $5`;
}

/** $1 tenant: the position of its newest event below the read guard. */
export function tenantHeadSql(): string {
  return `select coalesce(max(position), 0)::text as head from es_events where tenant = $1 and position < ${safeBound}`;
}

/** $1 tenant: the position of its newest committed event, guard or not. */
export function tenantLastCommittedSql(): string {
  return `select coalesce(max(position), 0)::text as head from es_events where tenant = $1`;
}

/** $1 tenant, $2 after, $3 up to (inclusive). */
export function countEventsSql(): string {
  return `select count(*)::int as n from es_events where tenant = $1 and position > $2::bigint and position <= $3::bigint`;
}

/** The position of the store's newest event below the read guard. */
export function storeHeadSql(): string {
  return `select coalesce(max(position), 0)::text as head from es_events where position < ${safeBound}`;
}

/** $1 stream: its current revision, no row when it does not exist. */
export function streamRevisionSql(): string {
  return `select revision::text from es_streams where stream_name = $1`;
}
