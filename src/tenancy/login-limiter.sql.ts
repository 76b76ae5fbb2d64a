/*
 * The statements of the login limiter (login-limiter.ts) over `login_attempts`. Each function
 * returns the text of one statement; values are always parameters.
 */

/** Waits at most 5 s for a lock: an attempt gives up rather than queue behind a stuck one. */
export function shortLockTimeout(): string {
  return 'set local lock_timeout = 5000';
}

/**
 * $1 lock space, $2 keys: each key's two-part advisory lock (the projector's leases use the
 * one-part form), taken in one order so that two attempts never deadlock.
 */
export function lockKeys(): string {
  return `select pg_advisory_xact_lock($1, lock_id) from (select distinct hashtext(key) as lock_id from unnest($2::text[]) key order by 1) ids`;
}

/**
 * $1 lock space, $2 key: tries the key's two-part advisory lock without waiting; `locked` says
 * whether it was had (the username's key, which every client's attempts share).
 */
export function tryLockKey(): string {
  return 'select pg_try_advisory_xact_lock($1, hashtext($2)) as locked';
}

/** $1 keys, $2 window (s): forgets those keys' attempts that are a window old. */
export function deleteAgedOut(): string {
  return `delete from login_attempts where key = any($1) and at <= clock_timestamp() - make_interval(secs => $2)`;
}

/**
 * $1 keys, $2 window (s), $3 limit: each key's count within the window, and the seconds until its
 * limit-th newest attempt ages out (null under the limit). The window is applied here too: a key
 * read without its lock has not had its aged-out attempts deleted.
 */
export function selectCounts(): string {
  return `select key, count(*)::int as count,
                    extract(epoch from (array_agg(at order by at desc))[$3] + make_interval(secs => $2) - clock_timestamp())::float8 as wait
               from login_attempts where key = any($1) and at > clock_timestamp() - make_interval(secs => $2) group by key`;
}

/** $1 keys: counts an attempt under each key. */
export function insertAttempts(): string {
  return 'insert into login_attempts (key) select unnest($1::text[]) returning id, key';
}

/** $1 the pair key or null, $2 attempt ids: a success forgets the pair's failures and its own attempts. */
export function deleteForgiven(): string {
  return `delete from login_attempts where key = $1 or id = any($2::bigint[])`;
}

/** $1 window (s): every attempt a window old. */
export function purgeAgedOut(): string {
  return `delete from login_attempts where at <= clock_timestamp() - make_interval(secs => $1)`;
}
