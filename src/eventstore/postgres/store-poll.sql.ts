/**
 * SQL of the store-wide poll (store-poll.ts), as text.
 *
 * Each poll remembers its statement's snapshot as xmax (no transaction at or above it had
 * completed) and the xids it saw running below it. An event the previous snapshot could not see
 * was written by a transaction at or above its xmax or by one of its running ones; positions are (writing xid << 16) + offset
 * (reads.sql.ts), so those events lie in position ranges the primary key finds at once, however
 * many events the store holds and however old the oldest running transaction is.
 */

/** The largest bigint: no upper bound on positions. */
const noUpperBound = '9223372036854775807';

/** This statement's snapshot, as the xmax and running xids the next poll starts from. */
export function currentSnapshotSql(): string {
  return `
  select pg_snapshot_xmax(s)::text as xmax, array(select x::text from pg_snapshot_xip(s) as x) as running
    from (select pg_current_snapshot() as s) as snapshot`;
}

/**
 * $1 the previous poll's xmax, $2 the xids it saw running: the tenants of the events that became
 * visible since, and this statement's snapshot for the next poll. The ranges are a materialized
 * CTE because the planner cannot see how few rows they cover: on a large store it chose a parallel
 * plan whose two workers cost 20 ms a poll for 0.1 ms of work, and a CTE scan is never parallel.
 */
export function tenantsWithNewEventsSql(): string {
  return `
  with snapshot as (select pg_current_snapshot() as s),
  unseen (low, high) as materialized (
    select $1::bigint << 16, ${noUpperBound}::bigint
    union all
    select xid << 16, (xid + 1) << 16 from unnest($2::bigint[]) as xid
  )
  select pg_snapshot_xmax(s)::text as xmax,
         array(select x::text from pg_snapshot_xip(s) as x) as running,
         array(select distinct e.tenant from unseen join es_events e on e.position >= unseen.low and e.position < unseen.high) as tenants
    from snapshot`;
}
