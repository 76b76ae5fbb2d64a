/*
 * The statements of the registration limit (registration-limit.ts) over
 * `registration_attempts`. Each function returns the text of one statement; values are always
 * parameters.
 */

/**
 * $1 lock space, $2 client key, $3 window (s): the start of an attempt's transaction, in one round
 * trip. It waits at most 5 s for the client's lock (a registration gives up rather than queue
 * behind a stuck one), takes it (one client's registrations one at a time), and forgets the
 * client's registrations that are a window old. Its commit does not wait for the WAL flush: a
 * crash of the database may forget the last attempts, which only lets those clients register
 * once more, while every registration saves that flush (bench/provisioning).
 */
export function beginAttempt(): string {
  return `set local lock_timeout = 5000;
    set local synchronous_commit = off;
    select pg_advisory_xact_lock($1, hashtext($2));
    delete from registration_attempts where client = $2 and at <= clock_timestamp() - make_interval(secs => $3)`;
}

/**
 * $1 client key, $2 window (s), $3 limit: counts the registration unless the client is at the
 * limit, and returns the seconds until the limit-th newest registration ages out (null: under the
 * limit, counted). In a statement after beginAttempt's delete, so that it sees the delete.
 */
export function countAttemptUnlessLimited(): string {
  return `with limited as (
      select extract(epoch from (array_agg(at order by at desc))[$3] + make_interval(secs => $2) - clock_timestamp())::float8 as wait
        from registration_attempts where client = $1),
    counted as (insert into registration_attempts (client) select $1 from limited where wait is null)
    select wait from limited`;
}

/** $1 window (s): every registration a window old. */
export function purgeAgedOut(): string {
  return `delete from registration_attempts where at <= clock_timestamp() - make_interval(secs => $1)`;
}
