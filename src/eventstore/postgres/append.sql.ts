/**
 * SQL of appends, as text. es_append() and es_append_many() are created by the migrations
 * (0001_event_store.sql, 0004, 0008); they check the expected revisions, store the events and raise
 * SCW01 (wrong expected revision) or SCD01 (some ids already stored) for append.ts to translate.
 */

/** One stream: $1 tenant, $2 stream, $3 expected revision as text, $4..$7 the events' ids, types, data, metadata. */
export function appendSql(): string {
  return `select revision::text, "position"::text, duplicate from es_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])`;
}

/**
 * The 8-argument call of 0004 (what a process of the previous release sends; 0008 keeps it as a
 * wrapper of the new signature; here only tests call it): $1 tenant, then per stream (in name order): names,
 * expected revisions, event counts; then the events' columns.
 */
export function appendManySql(): string {
  return `select stream_name, revision::text, "position"::text, duplicate
  from es_append_many($1, $2::text[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[])`;
}

/**
 * The call append.ts makes (0008's overload): $1..$6 as {@link appendManySql}, but $7 data and $8
 * metadata as one JSON array each; then the events' recording times ($9, null for the store's
 * clock) and $10 whether this is HistoryImport's batch (a stream may appear more than once; events
 * stored where they belong are left out and counted in already_stored).
 */
export function appendEntriesSql(): string {
  return `select stream_name, revision::text, "position"::text, duplicate, already_stored
  from es_append_many($1, $2::text[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::jsonb, $8::jsonb, $9::timestamptz[], $10::boolean)`;
}
