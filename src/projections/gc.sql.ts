/*
 * The statements of read-schema GC (gc.ts). Each function returns the text of one statement;
 * values are parameters. GC drops and deletes through read-schema-registry.ts, so that the
 * registry has one way to forget a schema.
 */

/**
 * Statuses that mean "nobody reads or writes this schema" once the grace period has passed:
 * retired (a switch replaced it), failed (stopped at an event), building (an abandoned build or
 * verify scratch; a build in progress refreshes updated_at with its position every second).
 * The grace period (ms) is the statement's $2 wherever this is used.
 */
const collectable = `r.status in ('retired', 'failed', 'building') and r.updated_at < now() - $2::double precision * interval '1 millisecond'`;

/** $1 tenant or null for every tenant, $2 grace period (ms): the schemas GC may drop, by tenant and age. */
export function selectCandidates(): string {
  return `select r.schema_name, r.tenant from read_schemas r
      where ${collectable}
        and ($1::text is null or r.tenant = $1)
        and not exists (select 1 from read_schema_live l where l.schema_name = r.schema_name)
      order by r.tenant, r.created_at`;
}

/** Rather give up than queue a switch of the tenant behind a DROP waiting for a long reader. */
export function shortLockTimeout(): string {
  return `set local lock_timeout = '5s'`;
}

/** $1 tenant: the tenant's live pointer, share-locked until the transaction ends. */
export function selectLiveForShare(): string {
  return 'select schema_name, version from read_schema_live where tenant = $1 for share';
}

/** $1 schema, $2 grace period (ms): the candidate's registry row if it is still collectable, locked. */
export function selectCollectableForUpdate(): string {
  return `select r.schema_name, r.status, r.version from read_schemas r where r.schema_name = $1 and ${collectable} for update`;
}

/**
 * $1 tenant, $2 version: whether a projector daemon holds that (tenant, version)'s lease (see
 * daemon.ts). A prepared schema of a new version stays 'building' until it is switched to, and
 * the old version's last live schema stays 'retired' while that version's processes still read
 * it: on a quiet tenant the updated_at of either stops moving. The lease is a one-key (bigint)
 * advisory lock, which pg_locks shows split: the high 32 bits in classid, the low in objid,
 * objsubid 1 (two-key locks have objsubid 2); a negative key's high half is all ones.
 */
export function selectProjectorLeaseHeld(): string {
  return `select exists (
  select 1 from pg_locks
   where locktype = 'advisory' and objsubid = 1 and granted
     and database = (select oid from pg_database where datname = current_database())
     and ((classid::bigint << 32) | objid::bigint) = hashtext('projector:' || $1 || ':' || $2)::bigint) as held`;
}
