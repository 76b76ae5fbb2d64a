/**
 * SQL of appends that carry their recording time (append-recorded.ts), as text. es_append()
 * stamps recorded_at with now() and takes no time, and changing its signature needs a migration
 * this change does not have; so these two statements do its work set-based, in one transaction
 * the caller opens. Positions follow es_append's rule (migrations/0001_event_store.sql): the
 * writing transaction's xid8 << 16, plus the event's offset in it.
 */

/**
 * $1 event ids, $2 stream names: as JSON arrays, the ids already stored ([id, revision, position, stream])
 * and the streams' current revisions ([name, revision]), those rows locked until the transaction
 * ends (in name order, as es_append_many locks them).
 */
export function recordedAppendStateSql(): string {
  return `select
  (select coalesce(json_agg(json_build_array(e.event_id, e.revision::text, e.position::text, e.stream_name)), '[]'::json)
     from es_events e where e.event_id = any($1::uuid[]))::text as stored,
  (select coalesce(json_agg(json_build_array(s.stream_name, s.revision::text)), '[]'::json)
     from (select stream_name, revision from es_streams where stream_name = any($2::text[]) order by stream_name for update) s)::text as streams`;
}

/**
 * Writes the streams and events of one transaction that has written nothing before (so its first
 * position is xid8 << 16). $1 tenant; $2 names and $3 revisions of new streams (one another writer
 * created meanwhile is skipped, and `created` then falls short); $4 names and $5 revisions of
 * existing streams; then one element per event in write order: $6 streams, $7 revisions, $8 ids,
 * $9 types, $12 recorded at (null: now()), and $10 data and $11 metadata as one JSON array each
 * (no per-element array quoting on either side). Answers how many streams were created and the
 * first position.
 */
export function writeRecordedAppendSql(): string {
  return `with created as (
    insert into es_streams (stream_name, tenant, revision)
    select s.name, $1, s.revision from unnest($2::text[], $3::bigint[]) as s(name, revision)
    on conflict (stream_name) do nothing returning 1
  ), moved as (
    update es_streams s set revision = v.revision, updated_at = now()
      from unnest($4::text[], $5::bigint[]) as v(name, revision) where s.stream_name = v.name returning 1
  ), first as (select (pg_current_xact_id()::text::bigint << 16) as position
  ), written as (
    insert into es_events (position, tenant, stream_name, revision, event_id, type, data, metadata, recorded_at)
    select first.position + e.ord - 1, $1, e.stream, e.revision, e.id, e.type, e.data, e.metadata, coalesce(e.recorded_at, now())
      from first, rows from (
        unnest($6::text[], $7::bigint[], $8::uuid[], $9::text[]),
        jsonb_array_elements($10::jsonb), jsonb_array_elements($11::jsonb),
        unnest($12::timestamptz[])
      ) with ordinality as e(stream, revision, id, type, data, metadata, recorded_at, ord)
    returning 1
  )
  select (select count(*) from created)::int as created, (select count(*) from moved)::int as moved,
    (select count(*) from written)::int as written, (select position from first)::text as first`;
}
