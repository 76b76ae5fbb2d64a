/**
 * The control-plane side of an imported history (stockctl import): the events alone make a tenant
 * the audit commands can read, but the API resolves a tenant through its `tenants` row and its
 * domain. Registration (registration.ts) creates those with a first admin; an import creates them
 * without users, which the operator adds with `stockctl users create`.
 */
import type { Database } from '../database/connection.js';
import * as sql from './tenants.sql.js';

/** A tenant's control-plane settings, as an export's manifest carries them. */
export interface TenantCompany {
  readonly name: string;
  readonly allowNegativeStock: boolean;
}

/**
 * Registers `tenant` (with the subdomain registration would give it) when it is not registered
 * yet; leaves a registered tenant as it is. Without settings from the file, the company is named
 * after the slug and negative stock is refused (the default of a new registration).
 */
export async function registerImportedTenant(db: Database, tenant: string, company: TenantCompany | undefined, baseDomain: string): Promise<void> {
  await db.tx('register-imported-tenant', async (t) => {
    await t.none(sql.insertImportedTenant(), [tenant, company?.name ?? tenant, company?.allowNegativeStock ?? false]);
    await t.none(sql.insertTenantDomainIfFree(), [`${tenant}.${baseDomain}`, tenant]);
  });
}

/** The tenant's settings for an export's manifest; undefined for a history without registration. */
export async function tenantCompany(db: Database, tenant: string): Promise<TenantCompany | undefined> {
  const row = await db.oneOrNone<{ company_name: string; allow_negative_stock: boolean }>(sql.selectTenantCompany(), [tenant]);
  return row ? { name: row.company_name, allowNegativeStock: row.allow_negative_stock } : undefined;
}
