/**
 * SQL of appends that carry their recording time (append-recorded.ts), as text. es_append()
 * stamps recorded_at with now() and takes no time, and changing its signature needs a migration
 * this change does not have; so these statements do its work set-based, in one transaction the
 * caller opens. Positions follow the same rule as es_append's (migrations/0001_event_store.sql).
 */

/** $1 stream names: their current revisions, rows locked until the transaction ends (in name order, as es_append_many locks). */
export function lockStreamsSql(): string {
  return `select stream_name, revision::text from es_streams where stream_name = any($1::text[]) order by stream_name for update`;
}

/** $1 event ids: those already stored, with their stream, revision and position. */
export function storedIdsSql(): string {
  return `select event_id::text, revision::text, position::text from es_events where event_id = any($1::uuid[])`;
}

/** The first position of this transaction: (xid8 << 16) plus what earlier statements of it wrote. */
export function transactionBaseSql(): string {
  return `with base as (select (pg_current_xact_id()::text::bigint << 16) as first)
  select coalesce(max(e.position) + 1, base.first)::text as next, base.first::text as first
    from base left join es_events e on e.position >= base.first and e.position < base.first + 65536
   group by base.first`;
}

/** $1 tenant, $2 names, $3 revisions: new streams; a name another writer created meanwhile is not returned. */
export function insertStreamsSql(): string {
  return `insert into es_streams (stream_name, tenant, revision)
  select s.name, $1, s.revision from unnest($2::text[], $3::bigint[]) as s(name, revision)
  on conflict (stream_name) do nothing returning stream_name`;
}

/** $1 names, $2 revisions: existing streams (locked by lockStreamsSql) move on to their new revisions. */
export function updateStreamsSql(): string {
  return `update es_streams s set revision = v.revision, updated_at = now()
    from unnest($1::text[], $2::bigint[]) as v(name, revision) where s.stream_name = v.name`;
}

/**
 * $1 first position, $2 tenant, then one array per column, one element per event in write order:
 * $3 streams, $4 revisions, $5 ids, $6 types, $7 data, $8 metadata, $9 recorded at (null: now()).
 */
export function insertRecordedEventsSql(): string {
  return `insert into es_events (position, tenant, stream_name, revision, event_id, type, data, metadata, recorded_at)
  select $1::bigint + e.ord - 1, $2, e.stream, e.revision, e.id, e.type, e.data, e.metadata, coalesce(e.recorded_at, now())
    from unnest($3::text[], $4::bigint[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[], $9::timestamptz[])
      with ordinality as e(stream, revision, id, type, data, metadata, recorded_at, ord)`;
}
