/* The statements of `stockctl events` (event-source.ts beside this file). */

/** $1 tenant, $2 event id: the stream and revision of that event of the tenant. */
export function selectEventPlace(): string {
  return 'select stream_name, revision::text from es_events where tenant = $1 and event_id = $2::uuid';
}
