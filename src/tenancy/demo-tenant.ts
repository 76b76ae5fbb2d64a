import { randomBytes } from 'node:crypto';
import type { CommandHandlers } from '../commands/command-handlers.js';
import type { Database } from '../database/connection.js';
import { generateDemoData } from '../demo/demo-data.js';
import type { Logger } from '../logger.js';
import type { ReadSchemas } from '../projections/read-schemas.js';
import { registerTenant } from './registration.js';
import * as sql from './tenants.sql.js';
import type { Users } from './users.js';

/** Where the demo tenant is and how to log in to it. */
export interface DemoTenant {
  readonly url: string;
  readonly username: string;
  readonly password: string;
}

/**
 * On the first start against an empty database (no tenant at all), registers the `demo` tenant and
 * fills it with the demo generator's warehouse, catalog and months of movements; returns how to
 * log in, or undefined when there are tenants already. The password is random; `announce` gets
 * the login as soon as the tenant exists, before the fill (which takes seconds). A fill that is
 * interrupted is not resumed: the tenant stays, partly filled.
 */
export async function createDemoTenantIfEmpty(
  dependencies: { readonly db: Database; readonly users: Users; readonly readSchemas: ReadSchemas; readonly commands: CommandHandlers; readonly logger: Logger; readonly baseDomain: string; readonly port: number; readonly size?: { readonly articles: number; readonly days: number }; readonly announce?: (demo: DemoTenant) => void },
): Promise<DemoTenant | undefined> {
  const { db, logger } = dependencies;
  const existing = await db.one<{ any: boolean }>(sql.selectAnyTenant());
  if (existing.any) return undefined;
  const password = randomBytes(9).toString('base64url');
  await registerTenant(dependencies, { companyName: 'Demo Warehouse Ltd', tenant: 'demo', email: 'admin@demo.example', username: 'admin', password });
  const demo = { url: `http://demo.${dependencies.baseDomain}:${dependencies.port}/`, username: 'admin', password };
  // Told at once, before the fill: a fill that is interrupted leaves a tenant one can still log in to.
  dependencies.announce?.(demo);
  logger.info('filling the demo tenant (a warehouse, 500 articles, 90 days of movements) ...');
  let reported = { what: '', percent: 0 };
  const summary = await generateDemoData(dependencies.commands, {
    tenant: 'demo',
    user: 'admin',
    ...(dependencies.size ?? {}),
    onProgress: (done, total, what) => {
      const percent = Math.floor((done / Math.max(1, total)) * 100);
      if (what !== reported.what || percent >= reported.percent + 10 || done === total) {
        reported = { what, percent };
        logger.info({ done, total, what }, `demo data: ${what} ${percent}%`);
      }
    },
  });
  logger.info(summary, 'demo tenant ready');
  return demo;
}
