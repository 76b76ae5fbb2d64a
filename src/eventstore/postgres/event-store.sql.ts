/**
 * SQL of the PostgreSQL event store, as text. The tables and es_append() are created by
 * migrations/0001_event_store.sql.
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

/** The first position a transaction still running might write: nothing below it can appear later. */
const safeBound = `(pg_snapshot_xmin(pg_current_snapshot())::text::bigint << 16)`;

export const appendSql = `select revision::text, "position"::text, duplicate from es_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])`;

/** $1 tenant, then per stream (in name order): names, expected revisions, event counts; then the events' columns. */
export const appendManySql = `select stream_name, revision::text, "position"::text, duplicate
  from es_append_many($1, $2::text[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[])`;

/** $1 tenant, $2 after position, $3 limit. */
export const readTenantBatchSql = `
  with bound as (select ${safeBound} as safe_below)
  select ${eventColumns} from es_events e, bound
   where e.tenant = $1 and e.position > $2::bigint and e.position < bound.safe_below
   order by e.position limit $3`;

/** Whether a tenant has events after $2 that the guard holds back (committed or not yet). */
export const hasEventsAfterSql = `select exists (select 1 from es_events where tenant = $1 and position > $2::bigint) as more`;

/** $1 stream, $2 from revision, $3 to revision, $4 recorded at or before, $5 limit. */
export const readStreamBatchSql = `
  select ${eventColumns} from es_events e
   where e.stream_name = $1 and e.revision >= $2::bigint and e.revision <= $3::bigint and e.recorded_at < $4::timestamptz + interval '1 millisecond'
   order by e.revision limit $5`;

export const tenantHeadSql = `select coalesce(max(position), 0)::text as head from es_events where tenant = $1 and position < ${safeBound}`;

export const tenantLastCommittedSql = `select coalesce(max(position), 0)::text as head from es_events where tenant = $1`;

/** $1 tenant, $2 after, $3 up to (inclusive). */
export const countEventsSql = `select count(*)::int as n from es_events where tenant = $1 and position > $2::bigint and position <= $3::bigint`;

export const storeHeadSql = `select coalesce(max(position), 0)::text as head from es_events where position < ${safeBound}`;

export const streamRevisionSql = `select revision::text from es_streams where stream_name = $1`;

/** The NOTIFY channel that writers signal after commit, with the tenant slug as payload. */
export const notifyChannel = 'es_events';

/** $1 the tenants that have new events: one NOTIFY each, in one statement. */
export const notifySql = `select pg_notify('es_events', tenant) from unnest($1::text[]) as tenant`;
