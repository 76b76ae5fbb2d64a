/*
 * The statements of the idempotency records (idempotency.ts) over `idempotency_records`. Each
 * function returns the text of one statement; values are always parameters.
 */

/**
 * Whether some session holds the advisory lock of the claim in `r.claim` (the same key as
 * idempotency.ts's claimLockKey: the first 64 bits of the claim's id; pg_locks shows a bigint
 * key as its high and low 32 bits).
 */
const claimHeld = `exists (select 1 from pg_locks l
                   where l.locktype = 'advisory' and l.objsubid = 1 and l.granted
                     and l.database = (select oid from pg_database where datname = current_database())
                     and ((l.classid::bigint << 32) | l.objid::bigint) = ('x' || left(replace(r.claim::text, '-', ''), 16))::bit(64)::bigint)`;

/** The scope of a key's ids: the start of its 24 hours (ms) and the request's hash. */
const scopeColumn = `(extract(epoch from created_at) * 1000)::bigint::text || ':' || request_hash as scope`;

/**
 * Claims a key that is new, past its 24 hours, or let go by a failed attempt, and takes the
 * claim's advisory lock in the same statement. $1 tenant, $2 key, $3 request hash, $4 hours,
 * $5 claim, $6 its lock key.
 */
export function claim(): string {
  return `with claimed as (
    insert into idempotency_records (tenant, key, request_hash, claim) values ($1, $2, $3, $5)
    on conflict (tenant, key) do update
      set request_hash = excluded.request_hash, status = null, response = null, claimed_at = now(), claim = excluded.claim,
          created_at = case when idempotency_records.created_at < now() - make_interval(hours => $4) then now() else idempotency_records.created_at end
      where idempotency_records.created_at < now() - make_interval(hours => $4)
         or (idempotency_records.status is null and idempotency_records.claim is null)
    returning ${scopeColumn})
  select scope, pg_advisory_lock($6::bigint)::text from claimed`;
}

/**
 * Takes over the same body's unanswered claim when no session holds its lock any more, and takes
 * the new claim's lock. $1 tenant, $2 key, $3 request hash, $4 claim, $5 its lock key.
 */
export function takeOver(): string {
  return `with taken as (
    update idempotency_records r set claim = $4, claimed_at = now()
     where tenant = $1 and key = $2 and status is null and request_hash = $3 and claim is not null and not ${claimHeld}
     returning ${scopeColumn})
  select scope, pg_advisory_lock($5::bigint)::text from taken`;
}

/** $1 lock key: lets go of a claim's advisory lock. */
export function unlockClaim(): string {
  return 'select pg_advisory_unlock($1::bigint)';
}

/** $1 tenant, $2 key: the record a retry is compared with. */
export function selectRecord(): string {
  return 'select request_hash, status, response from idempotency_records where tenant = $1 and key = $2';
}

/** $1 tenant, $2 key, $3 claim, $4 status, $5 response: keeps the answer while the claim still holds the key. */
export function recordAnswer(): string {
  return 'update idempotency_records set status = $4, response = $5, claim = null where tenant = $1 and key = $2 and claim = $3';
}

/** $1 tenant, $2 key, $3 claim: lets the key go if the claim still holds it. */
export function releaseClaim(): string {
  return 'update idempotency_records set claim = null where tenant = $1 and key = $2 and claim = $3';
}

/** $1 hours: forgets keys older than that which no request holds. */
export function purgeExpired(): string {
  return `delete from idempotency_records where created_at < now() - make_interval(hours => $1) and claim is null`;
}
