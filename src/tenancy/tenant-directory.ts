import type { Database } from '../database/connection.js';
import type { TenantPolicy } from '../commands/command-context.js';
import * as sql from './tenants.sql.js';

/** The bare host name of a Host header: lower case, without the port (IPv6 brackets kept out). */
export function hostName(host: string | undefined): string {
  if (!host) return '';
  const trimmed = host.trim().toLowerCase();
  if (trimmed.startsWith('[')) return trimmed.slice(0, trimmed.indexOf(']') + 1);
  const colon = trimmed.lastIndexOf(':');
  return (colon === -1 ? trimmed : trimmed.slice(0, colon)).replace(/\.$/, '');
}

const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** How a request's host names its tenant (API.md, "how a request finds its tenant"). */
export type HostMeaning =
  /** The bare base domain, localhost or an IP: the X-Tenant header names the tenant. */
  | { readonly kind: 'header' }
  /** A host that leads to a tenant by itself (subdomain or custom domain). */
  | { readonly kind: 'domain'; readonly domain: string };

/** What a host means for tenant resolution. */
export function hostMeaning(host: string, baseDomain: string): HostMeaning {
  if (host === '' || host === baseDomain || host === 'localhost' || ipv4.test(host) || host.startsWith('[')) return { kind: 'header' };
  return { kind: 'domain', domain: host };
}

/**
 * The tenants that exist and the host names that lead to them. Lookups are cached in memory for
 * a few seconds when found (tenants are never deleted); misses always ask the database, so a
 * tenant registered a moment ago by another process is found at once.
 */
export class TenantDirectory implements TenantPolicy {
  private readonly domains = new Map<string, { tenant: string; until: number }>();
  private readonly tenants = new Map<string, { allowNegativeStock: boolean; until: number }>();

  constructor(
    private readonly db: Database,
    private readonly cacheMs = 5000,
  ) {}

  /** The tenant a host name belongs to (subdomain or custom domain), if any. */
  async tenantOfDomain(domain: string): Promise<string | undefined> {
    const cached = this.domains.get(domain);
    if (cached && cached.until > Date.now()) return cached.tenant;
    const row = await this.db.oneOrNone<{ tenant: string }>(sql.selectTenantOfDomain(), [domain]);
    if (row) this.domains.set(domain, { tenant: row.tenant, until: Date.now() + this.cacheMs });
    return row?.tenant;
  }

  /** Whether a tenant with this slug exists. */
  async exists(slug: string): Promise<boolean> {
    return (await this.settings(slug)) !== undefined;
  }

  /** TenantPolicy: whether the tenant lets stock go below zero. */
  async allowNegativeStock(tenant: string): Promise<boolean> {
    return (await this.settings(tenant))?.allowNegativeStock ?? false;
  }

  private async settings(slug: string): Promise<{ allowNegativeStock: boolean } | undefined> {
    const cached = this.tenants.get(slug);
    if (cached && cached.until > Date.now()) return cached;
    const row = await this.db.oneOrNone<{ allow_negative_stock: boolean }>(sql.selectTenantSettings(), [slug]);
    if (!row) return undefined;
    const entry = { allowNegativeStock: row.allow_negative_stock, until: Date.now() + this.cacheMs };
    this.tenants.set(slug, entry);
    return entry;
  }
}
