/*
 * The statements on `tenants` and `tenant_domains` (registration.ts, tenant-directory.ts,
 * demo-tenant.ts). Each function returns the text of one statement; values are always parameters.
 */

/**
 * $1 slug, $2 company name, $3 domain: the tenant and its domain in one statement (one round trip
 * of the registration). The domain's foreign key is checked at the statement's end, when the
 * tenant's row is there; a taken slug or domain fails on tenants_pkey or tenant_domains_pkey.
 */
export function insertTenantWithDomain(): string {
  return `with tenant as (insert into tenants (slug, company_name) values ($1, $2) returning slug)
    insert into tenant_domains (domain, tenant) select $3, slug from tenant`;
}

/** $1 slug, $2 company name, $3 allow negative stock: a tenant whose history was imported; nothing when the slug is taken. */
export function insertImportedTenant(): string {
  return 'insert into tenants (slug, company_name, allow_negative_stock) values ($1, $2, $3) on conflict (slug) do nothing';
}

/** $1 domain, $2 tenant: the domain, unless it is taken already. */
export function insertTenantDomainIfFree(): string {
  return 'insert into tenant_domains (domain, tenant) values ($1, $2) on conflict (domain) do nothing';
}

/** $1 slug: the tenant's company name and settings (what an export carries). */
export function selectTenantCompany(): string {
  return 'select company_name, allow_negative_stock from tenants where slug = $1';
}

/** $1 domain: the tenant the host name belongs to. */
export function selectTenantOfDomain(): string {
  return 'select tenant from tenant_domains where domain = $1';
}

/** $1 slug: the tenant's settings. */
export function selectTenantSettings(): string {
  return 'select allow_negative_stock from tenants where slug = $1';
}

/** Whether any tenant exists. */
export function selectAnyTenant(): string {
  return 'select exists (select 1 from tenants) as any';
}
