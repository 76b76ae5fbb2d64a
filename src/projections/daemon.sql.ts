/**
 * SQL of the projector daemon's scan (daemon.ts), as text: one statement for every tenant and its
 * live pointer, and one for every lease it tries, however many tenants there are.
 */

/** Every tenant to follow (those with events, and those with a live schema), with its live pointer (null without one). */
export function tenantsAndLivePointersSql(): string {
  return `select t.tenant, l.schema_name as live_schema, l.version as live_version
    from (select tenant from es_streams union select tenant from read_schema_live) as t
    left join read_schema_live as l using (tenant)`;
}

/**
 * $1 tenants, $2 version: tries each tenant's lease, a session advisory lock on the key
 * 'projector:<tenant>:<version>' (the same key in every process and release), and says which
 * were taken. In the select list, so that each is tried exactly once.
 */
export function tryLeasesSql(): string {
  return `select tenant, pg_try_advisory_lock(hashtext('projector:' || tenant || ':' || $2::text)) as locked from unnest($1::text[]) as tenant`;
}

/** $1 tenant, $2 version: gives one lease up. */
export function releaseLeaseSql(): string {
  return `select pg_advisory_unlock(hashtext('projector:' || $1::text || ':' || $2::text))`;
}
