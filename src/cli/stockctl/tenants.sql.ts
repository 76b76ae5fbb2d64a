/*
 * The statements of `stockctl tenants` (tenants.ts beside this file): read-only views of the
 * control plane and the event store; tenants are created through src/tenancy/registration.ts.
 */

const tenantColumns = `t.slug, t.company_name, t.created_at,
  (select count(*)::int from users u where u.tenant = t.slug) as users,
  (select coalesce(max(e.position), 0)::text from es_events e where e.tenant = t.slug) as head_position,
  (select l.schema_name from read_schema_live l where l.tenant = t.slug) as live_schema`;

/** Every tenant, by slug, with its user count, event head and live read schema. */
export function selectTenants(): string {
  return `select ${tenantColumns} from tenants t order by t.slug`;
}

/** $1 slug: one tenant, as selectTenants shows it, with its domains and event count. */
export function selectTenant(): string {
  return `select ${tenantColumns},
    array(select d.domain from tenant_domains d where d.tenant = t.slug order by d.domain) as domains,
    (select count(*)::int from es_events e where e.tenant = t.slug) as events
    from tenants t where t.slug = $1`;
}

/** $1 slug: a row when the tenant exists. */
export function selectTenantExists(): string {
  return 'select 1 as found from tenants where slug = $1';
}

/** Every tenant with events or a live read schema (what `projections` covers without --tenant). */
export function selectProjectedTenants(): string {
  return 'select distinct tenant from es_streams union select tenant from read_schema_live order by 1';
}
