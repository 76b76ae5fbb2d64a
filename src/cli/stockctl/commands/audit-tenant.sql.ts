/** The statement of audit-progress.ts: whether the audit commands have a tenant to work on. */

/** $1 slug: a row when the tenant is registered or has events (an imported history has no registration). */
export function selectAuditedTenantExists(): string {
  return 'select 1 as found where exists (select 1 from tenants where slug = $1) or exists (select 1 from es_streams where tenant = $1)';
}
