import type { Database } from '../database/connection.js';
import type { Logger } from '../logger.js';
import type { ReadSchemas } from '../projections/read-schemas.js';
import { hashPassword } from './passwords.js';
import type { RegistrationLimit } from './registration-limit.js';
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

/** The client registered as many companies as the limit allows; it may again in `retryAfterSeconds` (429 rate-limited). */
export class RegistrationLimited extends Error {
  readonly code = 'rate-limited';
  constructor(readonly retryAfterSeconds: number) {
    super(`too many registrations from this client; try again in ${retryAfterSeconds} s`);
    this.name = 'RegistrationLimited';
  }
}

/** Where a new tenant is reached. */
export interface RegisteredTenant {
  readonly tenant: string;
  readonly domain: string;
}

const uniqueViolation = '23505';

/** What a registration needs. */
export interface RegistrationDependencies {
  readonly db: Database;
  readonly users: Users;
  readonly readSchemas: ReadSchemas;
  readonly logger: Logger;
  readonly baseDomain: string;
  /** Told once the tenant is committed: the projector daemon follows it at once, not on its next scan. */
  readonly tenantRegistered?: (tenant: string) => void;
}

/**
 * A registration from the client `address` (POST /api/tenants): counted by the registration
 * limit, then registered by {@link registerTenant}. Throws RegistrationLimited at the limit.
 *
 * argon2id (~13 ms of a core, on libuv's thread pool) needs only the password, so it starts
 * before the limit is asked and runs beside the limit's and the transaction's database work: the
 * request takes about the longest of them, not their sum (bench/provisioning). A refused request
 * has then hashed for nothing; a client this process refused recently is not hashed for until
 * the limit says yes, so a client at the limit costs one unused hash per refusal, not one per
 * request (a failed login costs a verify too). A taken slug is refused by the transaction, after
 * the limit counted the attempt, as before: what a client learns and when is unchanged.
 */
export async function registerWithinLimit(
  dependencies: RegistrationDependencies & { readonly registrations: RegistrationLimit; readonly hash?: (password: string) => Promise<string> },
  address: string,
  registration: Registration,
): Promise<RegisteredTenant> {
  const hash = dependencies.hash ?? hashPassword;
  let hashing = dependencies.registrations.refusedRecently(address) ? undefined : hash(registration.password);
  // Settled even when nobody awaits it (a refusal, a failed limit): no unhandled rejection.
  hashing?.catch(() => undefined);
  const wait = await dependencies.registrations.take(address);
  if (wait > 0) throw new RegistrationLimited(wait);
  hashing ??= hash(registration.password);
  return await registerTenant(dependencies, registration, hashing);
}

/**
 * Registers a company in one transaction: the tenant, its subdomain, its first admin user and its
 * empty live read schema. Either all of it exists afterwards or none of it, and the tenant can log
 * in and work as soon as this returns.
 */
export async function registerTenant(
  dependencies: RegistrationDependencies,
  registration: Registration,
  /** The password's hash under way (registerWithinLimit starts it early); started here without it. */
  hashed?: Promise<string>,
): Promise<RegisteredTenant> {
  const { db, users, readSchemas, logger, baseDomain, tenantRegistered } = dependencies;
  const domain = `${registration.tenant}.${baseDomain}`;
  // argon2id (~12 ms of one core, on libuv's thread pool) runs while the transaction does its
  // database work, and the admin's row, inserted last, waits for it: a registration takes about
  // the longer of the two, not their sum. The transaction's connection is held for the hash
  // too, cheap at the rate companies register (20 an hour per client at most). A transaction
  // that fails first (a taken slug) leaves the hash to finish unused.
  const hashing = hashed ?? hashPassword(registration.password);
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
