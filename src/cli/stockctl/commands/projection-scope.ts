import { z } from 'zod';
import type { ReadSchemas } from '../../../projections/read-schemas.js';
import type { Operator } from '../context.js';
import { tenantOption } from '../inputs.js';
import { selectProjectedTenants } from '../tenants.sql.js';

/** --tenant or --all, as the projections subcommands take them. */
export const scopeValues = { tenant: tenantOption.optional(), all: z.boolean() };

export const scopeOptions = { all: { type: 'boolean', default: false } } as const;

export const scopeHelp = ['--tenant <slug>   one tenant', '--all             every tenant with events or a live read schema'];

/** The tenants a subcommand covers: the one named, or every tenant with events or a live schema. */
export async function tenantsOf(operator: Operator, tenant: string | undefined): Promise<string[]> {
  if (tenant !== undefined) return [tenant];
  return await operator.db.map(selectProjectedTenants(), [], (row: { tenant: string }) => row.tenant);
}

/** The read schemas of this build over the operator's database and event store (the composition root's). */
export function readSchemasOf(operator: Operator): ReadSchemas {
  return operator.schemas;
}
