-- The PostgreSQL event store: every movement of every tenant, immutable.
--
-- position: the event's place in the global order. It is derived from the writing transaction's
-- id (xid8 << 16, plus the event's offset within its transaction) rather than taken from a
-- sequence: sequence values commit out of order, xids do not need to. A reader that only reads
-- positions below (pg_snapshot_xmin(pg_current_snapshot()) << 16) therefore only reads
-- transactions that have ended, and no transaction still running can later commit a position
-- below what it has read. See src/eventstore/postgres/event-store.sql.ts.

create table es_streams (
  stream_name text primary key,
  tenant      text not null,
  revision    bigint not null check (revision >= 0),
  updated_at  timestamptz not null default now()
);

create table es_events (
  position       bigint primary key,
  tenant         text not null,
  stream_name    text not null,
  revision       bigint not null,
  event_id       uuid not null,
  type           text not null,
  data           jsonb not null,
  metadata       jsonb not null,
  recorded_at    timestamptz not null default now(),
  transaction_id xid8 not null default pg_current_xact_id(),
  constraint es_events_event_id_key unique (event_id),
  constraint es_events_stream_revision_key unique (stream_name, revision)
);

create index es_events_tenant_position on es_events (tenant, position);

-- Events are facts: nothing updates, deletes or truncates them.
create function es_events_are_immutable() returns trigger language plpgsql as $$
begin
  raise exception 'es_events is append-only (% refused)', tg_op using errcode = 'SCI01';
end $$;

create trigger es_events_no_update_delete before update or delete on es_events
  for each row execute function es_events_are_immutable();
create trigger es_events_no_truncate before truncate on es_events
  for each statement execute function es_events_are_immutable();

-- Appends events to one stream with an expected revision, in one round trip.
--   p_expected: 'no_stream' | 'exists' | 'any' | a revision number as text.
-- Returns the stream's revision after the append and the last event's position. When every
-- event id is already stored (a retried append), nothing is written and duplicate is true.
-- Errors: SCW01 wrong expected revision (detail: {"stream", "actual"}, actual null when none),
--         SCD01 some but not all event ids already stored (detail: the stream).
create function es_append(
  p_tenant text, p_stream text, p_expected text,
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) returns table (revision bigint, "position" bigint, duplicate boolean)
language plpgsql as $$
declare
  n          int := cardinality(p_ids);
  stored     int;
  new_rev    bigint;
  actual     bigint;
  base       bigint;
  next_pos   bigint;
begin
  if n = 0 then
    raise exception 'es_append needs at least one event' using errcode = '22023';
  end if;
  if n >= 65536 then
    raise exception 'at most 65535 events per transaction' using errcode = '22023';
  end if;

  select count(*) into stored from es_events e where e.event_id = any(p_ids);
  if stored = n then
    return query select e.revision, e.position, true from es_events e
      where e.event_id = p_ids[n];
    return;
  elsif stored > 0 then
    raise exception 'some event ids are already stored in %', p_stream using errcode = 'SCD01', detail = p_stream;
  end if;

  if p_expected = 'no_stream' then
    insert into es_streams as s (stream_name, tenant, revision) values (p_stream, p_tenant, n - 1)
      on conflict (stream_name) do nothing returning s.revision into new_rev;
  elsif p_expected = 'any' then
    insert into es_streams as s (stream_name, tenant, revision) values (p_stream, p_tenant, n - 1)
      on conflict (stream_name) do update set revision = s.revision + n, updated_at = now()
      returning s.revision into new_rev;
  elsif p_expected = 'exists' then
    update es_streams s set revision = s.revision + n, updated_at = now()
      where s.stream_name = p_stream returning s.revision into new_rev;
  else
    update es_streams s set revision = s.revision + n, updated_at = now()
      where s.stream_name = p_stream and s.revision = p_expected::bigint returning s.revision into new_rev;
  end if;

  if new_rev is null then
    -- A concurrent writer of the same events may have won the race: that is a retry, not a conflict.
    select count(*) into stored from es_events e where e.event_id = any(p_ids);
    if stored = n then
      return query select e.revision, e.position, true from es_events e where e.event_id = p_ids[n];
      return;
    end if;
    select s.revision into actual from es_streams s where s.stream_name = p_stream;
    raise exception 'wrong expected revision for %', p_stream
      using errcode = 'SCW01', detail = json_build_object('stream', p_stream, 'actual', actual::text)::text;
  end if;

  -- Positions continue where earlier appends of this same transaction (appendMany) ended.
  base := (pg_current_xact_id()::text::bigint) << 16;
  select coalesce(max(e.position) + 1, base) into next_pos from es_events e
    where e.position >= base and e.position < base + 65536;
  if next_pos + n > base + 65536 then
    raise exception 'at most 65535 events per transaction' using errcode = '22023';
  end if;

  insert into es_events (position, tenant, stream_name, revision, event_id, type, data, metadata)
  select next_pos + i.ord - 1, p_tenant, p_stream, new_rev - n + i.ord, i.id, i.type, i.data, i.metadata
    from unnest(p_ids, p_types, p_data, p_metadata) with ordinality as i(id, type, data, metadata, ord);

  -- No NOTIFY here: a notifying transaction holds a global lock from before its commit until its
  -- commit record is flushed, which stops PostgreSQL from flushing many commits at once. The
  -- writer notifies after commit instead (src/eventstore/postgres/notifications.ts).
  return query select new_rev, next_pos + n - 1, false;
end $$;

-- Appends to several streams of one tenant in one statement (so in one round trip and
-- atomically): p_counts[i] events of p_ids/p_types/p_data/p_metadata belong to p_streams[i].
-- Callers pass the streams in name order, so that two multi-stream appends lock their streams'
-- rows in the same order and cannot deadlock.
create function es_append_many(
  p_tenant text, p_streams text[], p_expected text[], p_counts int[],
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) returns table (stream_name text, revision bigint, "position" bigint, duplicate boolean)
language plpgsql as $$
declare
  first_event int := 1;
  last_event  int;
  result      record;
begin
  for i in 1 .. cardinality(p_streams) loop
    last_event := first_event + p_counts[i] - 1;
    select * into result from es_append(
      p_tenant, p_streams[i], p_expected[i],
      p_ids[first_event:last_event], p_types[first_event:last_event],
      p_data[first_event:last_event], p_metadata[first_event:last_event]);
    stream_name := p_streams[i];
    revision := result.revision;
    "position" := result."position";
    duplicate := result.duplicate;
    return next;
    first_event := last_event + 1;
  end loop;
end $$;
