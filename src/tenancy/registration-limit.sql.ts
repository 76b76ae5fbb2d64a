/*
 * The statements of the registration limit (registration-limit.ts) over
 * `registration_attempts`. Each function returns the text of one statement; values are always
 * parameters.
 */

/** Waits at most 5 s for a lock: a registration gives up rather than queue behind a stuck one. */
export function shortLockTimeout(): string {
  return 'set local lock_timeout = 5000';
}

/** $1 lock space, $2 client key: one client's registrations one at a time. */
export function lockClient(): string {
  return 'select pg_advisory_xact_lock($1, hashtext($2))';
}

/** $1 client key, $2 window (s): forgets the client's registrations that are a window old. */
export function deleteAgedOut(): string {
  return `delete from registration_attempts where client = $1 and at <= clock_timestamp() - make_interval(secs => $2)`;
}

/** $1 client key, $2 window (s), $3 limit: seconds until the limit-th newest registration ages out (null under the limit). */
export function selectWait(): string {
  return `select extract(epoch from (array_agg(at order by at desc))[$3] + make_interval(secs => $2) - clock_timestamp())::float8 as wait
           from registration_attempts where client = $1`;
}

/** $1 client key: counts a registration. */
export function insertAttempt(): string {
  return 'insert into registration_attempts (client) values ($1)';
}

/** $1 window (s): every registration a window old. */
export function purgeAgedOut(): string {
  return `delete from registration_attempts where at <= clock_timestamp() - make_interval(secs => $1)`;
}
