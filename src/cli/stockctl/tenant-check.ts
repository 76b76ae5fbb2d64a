import type { Database } from '../../database/connection.js';
import { NotFound } from './failures.js';
import { selectTenantExists } from './tenants.sql.js';

/** Fails with NotFound (exit 4) when the tenant does not exist, before anything refers to it. */
export async function requireTenant(db: Database, tenant: string): Promise<void> {
  if (!(await db.oneOrNone(selectTenantExists(), [tenant]))) throw new NotFound(`no tenant ${tenant}`);
}
