/*
 * The statements of the spare read-schema pool (schema-pool.ts). Spares are not in the registry:
 * a spare is a schema whose name matches the pool's pattern, and taking one is holding its
 * transaction-scoped advisory lock (space $2, key hashtext(name)). Each function returns the text
 * of one statement; values are parameters and schema names go through `:name` escaping.
 */

/**
 * $1 LIKE pattern of this version's spares, $2 lock space: one spare nobody else is taking, its
 * lock now held until the transaction ends. The names are read first (materialized) and locked
 * one by one only until one is had, so a claim holds one lock, not one per spare.
 */
export function lockOneSpare(): string {
  return `with spares as materialized (select nspname::text as name from pg_namespace where nspname like $1)
    select name from spares where pg_try_advisory_xact_lock($2, hashtext(name)) limit 1`;
}

/**
 * $1 schema: whether it still exists. Asked after its lock is held, in a statement of its own: the
 * lock may have been had just after another transaction renamed it and committed, which the
 * claim's earlier snapshot could not see.
 */
export function selectSchemaExists(): string {
  return 'select exists (select 1 from pg_namespace where nspname = $1) as exists';
}

/** $1 spare, $2 the name it takes. */
export function renameSchema(): string {
  return 'alter schema $1:name rename to $2:name';
}

/** A spare's commit need not wait for the WAL flush: a crash loses it whole, and the pool builds another. */
export function asynchronousCommit(): string {
  return 'set local synchronous_commit = off';
}

/** $1 LIKE pattern of this version's spares, $2 lock space: how many no transaction is taking now. */
export function countFreeSpares(): string {
  return `select count(*)::int as free from pg_namespace n
     where n.nspname like $1
       and not exists (select 1 from pg_locks l
                        where l.locktype = 'advisory' and l.objsubid = 2 and l.classid = $2::oid
                          and l.objid = hashtext(n.nspname)::oid
                          and l.database = (select oid from pg_database where datname = current_database()))`;
}

/** $1 LIKE pattern of every version's spares: their names. */
export function selectSpareNames(): string {
  return 'select nspname::text as name from pg_namespace where nspname like $1';
}

/** $1 spare, $2 lock space: the spare's lock if nobody else holds it (then it may be dropped). */
export function tryLockSpare(): string {
  return 'select pg_try_advisory_xact_lock($2, hashtext($1)) as locked';
}

/** $1 spare: drops it with its empty tables. */
export function dropSpare(): string {
  return 'drop schema if exists $1:name cascade';
}
