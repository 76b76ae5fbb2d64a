-- compatible-with-previous-release
-- es_append_many takes the events' recording times, and appends history: one function for every
-- multi-stream append, plain, with recordedAt (history imported from another store) and
-- HistoryImport's batches.
--
-- Until now es_append_many stamped now(), so appends that carry their recording time re-did its
-- checks (expected revisions, stored ids, stream rows, positions) in TypeScript and two other
-- statements. This overload keeps 0004's contract, locks and one pass, and adds:
--   p_recorded_at  one time per event (null, or a null element: now());
--   p_history      HistoryImport: each stream's expected revision is a number or 'no_stream',
--                  so every event's revision is known; events already stored under the same id
--                  in that stream at that revision (an earlier run) are left out and counted, an
--                  id stored anywhere else is SCD01. A stream may appear more than once, its
--                  entries interleaved with other streams' in the order given (positions follow
--                  that order); the existing rows are locked in name order first.
-- Data and metadata arrive as one JSON array each (jsonb), not as jsonb[]: an array parameter
-- quotes and escapes every element on both sides, which cost an import of 100,000 events about
-- a second of Node CPU (the measurement of this change; append-recorded.ts, which this replaces,
-- had found the same).
-- Without p_history, ids already stored decide per stream as 0004's fallback did (every id of
-- the stream's events stored: a duplicate, answered with the stored last event; some: SCD01),
-- now in this same pass. Results gain already_stored (events of that entry left out), and SCW01's
-- detail gains "expected" (the revision checked, after the events left out).
--
-- Rolling deploy: a process of the previous release calls 0004's 8-argument es_append_many (and
-- es_append, unchanged). That signature stays, with its result columns, as a wrapper of this
-- overload (no defaults on either, so no call is ambiguous between them), replaced in place, so
-- old calls, and statements old processes prepared, resolve to it as before. es_append_many_by_stream (0004's fallback) has no
-- caller after this migration but stays until no process of the previous release runs.
create function es_append_many(
  p_tenant text, p_streams text[], p_expected text[], p_counts int[],
  p_ids uuid[], p_types text[], p_data jsonb, p_metadata jsonb,
  p_recorded_at timestamptz[], p_history boolean
) returns table (stream_name text, revision bigint, "position" bigint, duplicate boolean, already_stored int)
language plpgsql
-- Generic plans for every statement inside (0004: planning cost more than running).
set plan_cache_mode = force_generic_plan
as $$
declare
  n          int := coalesce(cardinality(p_ids), 0);
  n_streams  int := coalesce(cardinality(p_streams), 0);
  ends       int[] := '{}';
  of_stream  int[];
  first_rev  bigint[] := '{}';
  new_revs   bigint[] := '{}';
  left_out   int[];
  misplaced  boolean[];
  last_rev   bigint[];
  last_pos   bigint[];
  written    int[] := '{}';
  expected   text;
  new_rev    bigint;
  stored     int;
  recheck    int;
  actual     bigint;
  cnt        int;
  last_event int := 0;
  n_written  int := 0;
  base       bigint;
  next_pos   bigint;
begin
  if n_streams = 0 or n = 0 then
    raise exception 'es_append_many needs at least one stream and one event' using errcode = '22023';
  end if;
  if n >= 65536 then
    raise exception 'at most 65535 events per transaction' using errcode = '22023';
  end if;
  if cardinality(p_expected) <> n_streams or cardinality(p_counts) <> n_streams
     or cardinality(p_types) <> n or coalesce(jsonb_array_length(p_data), -1) <> n or coalesce(jsonb_array_length(p_metadata), -1) <> n
     or (p_recorded_at is not null and cardinality(p_recorded_at) <> n) then
    raise exception 'es_append_many: the arrays do not match in length' using errcode = '22023';
  end if;

  for i in 1 .. n_streams loop
    cnt := p_counts[i];
    if cnt is null or cnt < 1 then
      raise exception 'es_append_many: every stream needs at least one event' using errcode = '22023';
    end if;
    if p_history and p_expected[i] in ('any', 'exists') then
      raise exception 'es_append_many: history needs expected revisions' using errcode = '22023';
    end if;
    -- Where the stream's events go when the expectation holds (only read for history).
    first_rev := array_append(first_rev, case when p_expected[i] = 'no_stream' then 0
      when p_expected[i] in ('any', 'exists') then null else p_expected[i]::bigint + 1 end);
    last_event := last_event + cnt;
    ends := array_append(ends, last_event);
  end loop;
  if last_event <> n then
    raise exception 'es_append_many: the event counts do not add up to the events given' using errcode = '22023';
  end if;
  -- Each event's entry, in one statement: appending to the array entry by entry copied it each
  -- time, which a history batch of thousands of entries would pay quadratically.
  of_stream := array(select u.k from unnest(p_counts) with ordinality as u(c, k), generate_series(1, u.c) order by u.k);

  -- count(*) through the unique index, not exists() (0004: a generic plan of exists() scanned).
  select count(*) into stored from es_events e where e.event_id = any(p_ids);
  if stored = 0 then
    left_out := array_fill(0, array[n_streams]);
  else
    -- Per stream entry: its ids stored, whether any is stored elsewhere than where it would go,
    -- and the stored last event (a duplicate's answer).
    select array_agg(coalesce(c.stored, 0) order by g.k), array_agg(coalesce(c.misplaced, false) order by g.k),
           array_agg(c.last_rev order by g.k), array_agg(c.last_pos order by g.k)
      into left_out, misplaced, last_rev, last_pos
      from generate_series(1, n_streams) as g(k)
      left join (
        select i.k, count(*)::int as stored,
               bool_or(e.stream_name <> p_streams[i.k]
                       or e.revision is distinct from first_rev[i.k] + (i.ord - (ends[i.k] - p_counts[i.k])) - 1) as misplaced,
               max(e.revision) filter (where i.ord = ends[i.k]) as last_rev,
               max(e.position) filter (where i.ord = ends[i.k]) as last_pos
          from unnest(p_ids, of_stream) with ordinality as i(id, k, ord)
          join es_events e on e.event_id = i.id
         group by i.k
      ) c on c.k = g.k;
  end if;

  if p_history then
    -- Entries are not in name order here: lock the existing rows in name order, so that two
    -- writers of the same streams cannot deadlock.
    perform 1 from es_streams s where s.stream_name = any(p_streams) order by s.stream_name for update;
  end if;

  for i in 1 .. n_streams loop
    cnt := p_counts[i] - left_out[i];
    expected := p_expected[i];
    if left_out[i] > 0 then
      if p_history and misplaced[i] then
        raise exception 'some event ids are stored elsewhere than in % at their revisions', p_streams[i] using errcode = 'SCD01', detail = p_streams[i];
      elsif not p_history and cnt > 0 then
        raise exception 'some event ids are already stored in %', p_streams[i] using errcode = 'SCD01', detail = p_streams[i];
      end if;
      -- History: the stored events are the entry's first ones when the stream is where they
      -- left it; if not, the check below finds the stream elsewhere.
      if cnt > 0 then
        expected := (first_rev[i] + left_out[i] - 1)::text;
      end if;
    end if;

    new_rev := null;
    if cnt = 0 then
      -- Every event of this entry is stored: nothing to write, the stored last event answers.
      new_rev := last_rev[i];
    elsif expected = 'no_stream' then
      insert into es_streams as s (stream_name, tenant, revision) values (p_streams[i], p_tenant, cnt - 1)
        on conflict on constraint es_streams_pkey do nothing returning s.revision into new_rev;
    elsif expected = 'any' then
      insert into es_streams as s (stream_name, tenant, revision) values (p_streams[i], p_tenant, cnt - 1)
        on conflict on constraint es_streams_pkey do update set revision = s.revision + cnt, updated_at = now()
        returning s.revision into new_rev;
    elsif expected = 'exists' then
      update es_streams s set revision = s.revision + cnt, updated_at = now()
        where s.stream_name = p_streams[i] returning s.revision into new_rev;
    else
      update es_streams s set revision = s.revision + cnt, updated_at = now()
        where s.stream_name = p_streams[i] and s.revision = expected::bigint returning s.revision into new_rev;
    end if;

    if new_rev is null then
      -- A writer of these same events may have committed since the check above: a retry that
      -- overtook this one. Report it as the insert would have, and the caller retries.
      select count(*) into recheck from es_events e where e.event_id = any(p_ids);
      if recheck > stored then
        raise exception 'events of this append were stored meanwhile'
          using errcode = 'unique_violation', constraint = 'es_events_event_id_key';
      end if;
      select s.revision into actual from es_streams s where s.stream_name = p_streams[i];
      raise exception 'wrong expected revision for %', p_streams[i]
        using errcode = 'SCW01', detail = json_build_object('stream', p_streams[i], 'actual', actual::text, 'expected', expected)::text;
    end if;

    new_revs := array_append(new_revs, new_rev);
    n_written := n_written + cnt;
    written := array_append(written, n_written);
  end loop;

  if n_written > 0 then
    -- Positions continue where earlier appends of this same transaction ended.
    base := (pg_current_xact_id()::text::bigint) << 16;
    select coalesce(max(e.position) + 1, base) into next_pos from es_events e
      where e.position >= base and e.position < base + 65536;
    if next_pos + n_written > base + 65536 then
      raise exception 'at most 65535 events per transaction' using errcode = '22023';
    end if;

    -- An entry writes its events after those left out (none, all, or history's first ones); an
    -- event's revision counts back from its stream's new one, its position follows the written
    -- events' order.
    insert into es_events (position, tenant, stream_name, revision, event_id, type, data, metadata, recorded_at)
    select next_pos + (row_number() over (order by e.ord)) - 1, p_tenant, p_streams[e.k], new_revs[e.k] - (ends[e.k] - e.ord),
           e.id, e.type, e.data, e.metadata, coalesce(e.recorded_at, now())
      from rows from (unnest(p_ids, p_types, of_stream, p_recorded_at), jsonb_array_elements(p_data), jsonb_array_elements(p_metadata))
           with ordinality as e(id, type, k, recorded_at, data, metadata, ord)
     where e.ord - (ends[e.k] - p_counts[e.k]) > left_out[e.k];
  end if;

  for i in 1 .. n_streams loop
    stream_name := p_streams[i];
    revision := new_revs[i];
    duplicate := left_out[i] = p_counts[i];
    "position" := case when duplicate then last_pos[i] else next_pos + written[i] - 1 end;
    already_stored := left_out[i];
    return next;
  end loop;
end $$;

-- 0004's signature, for processes of the previous release: the same answers through the overload above.
create or replace function es_append_many(
  p_tenant text, p_streams text[], p_expected text[], p_counts int[],
  p_ids uuid[], p_types text[], p_data jsonb[], p_metadata jsonb[]
) returns table (stream_name text, revision bigint, "position" bigint, duplicate boolean)
language sql
as $$
  select a.stream_name, a.revision, a."position", a.duplicate
    from es_append_many(p_tenant, p_streams, p_expected, p_counts, p_ids, p_types,
                        to_jsonb(p_data), to_jsonb(p_metadata), null::timestamptz[], false) as a
$$;
