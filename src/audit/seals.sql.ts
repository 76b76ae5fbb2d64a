/*
 * The statements of seals.ts, over audit_seals (migrations/0007_audit_seals.sql). Each function
 * returns the text of one statement; values are parameters.
 *
 * ORDER BY names the table's column: a bare `position` there means the output column
 * `position::text`, sorted as text, where "100000000" comes before "99999999". Positions gain a
 * digit as transaction ids grow, so a tenant sealed across that point got the wrong last
 * checkpoint and its checkpoints out of order (verify seals FAILED on an untouched
 * 1,100,000-event tenant, bench/stockctl).
 */

/** $1 tenant: the newest checkpoint, from which the next seal continues the chain. */
export function lastCheckpointSql(): string {
  return `select position::text, hash, count::text from audit_seals where tenant = $1 order by audit_seals.position desc limit 1`;
}

/** $1 tenant, $2 position, $3 hash, $4 count, $5 positions (text[]), $6 links: one checkpoint. */
export function insertCheckpointSql(): string {
  return `insert into audit_seals (tenant, position, hash, count, positions, links) values ($1, $2::bigint, $3, $4::bigint, $5::bigint[], $6)`;
}

/** $1 tenant: every checkpoint without its per-event columns, oldest first. */
export function listCheckpointsSql(): string {
  return `select position::text, hash, count::text, sealed_at from audit_seals where tenant = $1 order by audit_seals.position`;
}

/** $1 tenant, $2 position: the per-event positions and links of one checkpoint's segment. */
export function checkpointSegmentSql(): string {
  return `select positions::text[] as positions, links from audit_seals where tenant = $1 and position = $2::bigint`;
}

/** $1 tenant: waits for, then takes, the session lock of the tenant's seals. */
export function lockSealsSql(): string {
  return `select pg_advisory_lock(hashtext('audit-seal:' || $1)) is not null as locked`;
}

/** $1 tenant: releases it. */
export function unlockSealsSql(): string {
  return `select pg_advisory_unlock(hashtext('audit-seal:' || $1)) as unlocked`;
}
