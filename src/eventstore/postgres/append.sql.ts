/**
 * SQL of appends, as text. es_append() and es_append_many() are created by the migrations
 * (0001_event_store.sql, 0004); they check the expected revisions, store the events and raise
 * SCW01 (wrong expected revision) or SCD01 (some ids already stored) for append.ts to translate.
 */

/** One stream: $1 tenant, $2 stream, $3 expected revision as text, $4..$7 the events' ids, types, data, metadata. */
export function appendSql(): string {
  return `select revision::text, "position"::text, duplicate from es_append($1, $2, $3, $4::uuid[], $5::text[], $6::jsonb[], $7::jsonb[])`;
}

/** $1 tenant, then per stream (in name order): names, expected revisions, event counts; then the events' columns. */
export function appendManySql(): string {
  return `select stream_name, revision::text, "position"::text, duplicate
  from es_append_many($1, $2::text[], $3::text[], $4::int[], $5::uuid[], $6::text[], $7::jsonb[], $8::jsonb[])`;
}
