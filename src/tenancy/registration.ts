import type { Database } from '../database/connection.js';
import type { Logger } from '../logger.js';
import type { ReadSchemas } from '../projections/read-schemas.js';
import { hashPassword } from './passwords.js';
import * as sql from './tenants.sql.js';
import type { Users } from './users.js';

/** A company's registration, already validated (API.md: POST /api/tenants). */
export interface Registration {
  readonly companyName: string;
  readonly tenant: string;
  readonly email: string;
  readonly username: string;
  readonly password: string;
}

/** The slug is taken by another tenant (409 tenant-taken). */
export class TenantTaken extends Error {
  readonly code = 'tenant-taken';
  constructor(readonly tenant: string) {
    super(`the tenant ${tenant} is taken`);
    this.name = 'TenantTaken';
  }
}

/** Where a new tenant is reached. */
export interface RegisteredTenant {
  readonly tenant: string;
  readonly domain: string;
}

const uniqueViolation = '23505';

/**
 * Registers a company in one transaction: the tenant, its subdomain, its first admin user and its
 * empty live read schema. Either all of it exists afterwards or none of it, and the tenant can log
 * in and work as soon as this returns.
 */
export async function registerTenant(
  dependencies: {
    readonly db: Database;
    readonly users: Users;
    readonly readSchemas: ReadSchemas;
    readonly logger: Logger;
    readonly baseDomain: string;
    /** Told once the tenant is committed: the projector daemon follows it at once, not on its next scan. */
    readonly tenantRegistered?: (tenant: string) => void;
  },
  registration: Registration,
): Promise<RegisteredTenant> {
  const { db, users, readSchemas, logger, baseDomain, tenantRegistered } = dependencies;
  const domain = `${registration.tenant}.${baseDomain}`;
  // argon2id (~12 ms of one core, on libuv's thread pool) runs while the transaction does its
  // database work, and the admin's row, inserted last, waits for it: a registration takes about
  // the longer of the two, not their sum. The transaction's connection is held for the hash
  // too, cheap at the rate companies register (20 an hour per client at most). A transaction
  // that fails first (a taken slug) leaves the hash to finish unused.
  const hashing = hashPassword(registration.password);
  hashing.catch(() => undefined);
  try {
    await db.tx('register-tenant', async (t) => {
      await t.none(sql.insertTenantWithDomain(), [registration.tenant, registration.companyName, domain]);
      await readSchemas.createLiveIn(t, registration.tenant);
      const admin = { username: registration.username, email: registration.email, password: registration.password, role: 'admin' as const };
      await users.create(registration.tenant, admin, t, await hashing);
    });
  } catch (error) {
    const code = (error as { code?: string }).code;
    const constraint = (error as { constraint?: string }).constraint;
    if (code === uniqueViolation && (constraint === 'tenants_pkey' || constraint === 'tenant_domains_pkey')) throw new TenantTaken(registration.tenant);
    throw error;
  }
  logger.info({ tenant: registration.tenant, domain }, 'tenant registered');
  // Its projector is then following before its first event arrives (other processes learn of the
  // tenant from its first append's NOTIFY).
  tenantRegistered?.(registration.tenant);
  return { tenant: registration.tenant, domain };
}
