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

/**
 * A projections command run from an older build than the one serving a tenant: going on would
 * switch the tenant back to the older read model (or build schemas that never go live). Refused
 * unless `--force`, as the projector daemon refuses it (the registry's deploy target: a
 * live version whose first schema came later is newer).
 */
export class OlderBuildRefused extends Error {
  readonly code = 'older-build';
  constructor(
    readonly tenants: readonly string[],
    readonly liveVersions: readonly string[],
    readonly version: string,
    readonly consequence: string,
    options?: { cause: unknown },
  ) {
    const served = tenants.length === 1 ? `tenant ${tenants[0]} is` : `${tenants.length} tenants (${tenants.slice(0, 3).join(', ')}${tenants.length > 3 ? ', ...' : ''}) are`;
    super(
      `${served} served by read-model version ${liveVersions.join(', ')}, newer than this build's ${version}: ${consequence}. ` +
        'Run the newer build\'s stockctl, or add --force to do it anyway.',
      options,
    );
    this.name = 'OlderBuildRefused';
  }
}

// The live pointers of one tenant ($1) or of every tenant ($1 null), with their versions.
const selectLiveVersions = 'select tenant, version from read_schema_live where $1::text is null or tenant = $1 order by tenant';

/**
 * The tenants of the scope (one, or every tenant when `tenant` is undefined) whose live read
 * schema is of a version newer than this build's, and those versions.
 */
export async function servedByNewerVersion(operator: Operator, tenant: string | undefined): Promise<{ tenants: string[]; versions: string[] }> {
  const rows = await operator.db.any<{ tenant: string; version: string }>(selectLiveVersions, [tenant ?? null]);
  const newer = new Map<string, boolean>();
  for (const { version } of rows) {
    if (version !== operator.schemas.version && !newer.has(version)) newer.set(version, await operator.schemas.isNewerVersion(version));
  }
  const served = rows.filter(({ version }) => newer.get(version) === true);
  return { tenants: served.map((row) => row.tenant), versions: [...new Set(served.map((row) => row.version))] };
}

/** --force: go on although a newer version serves the tenant (rebuild, prepare). */
export const forceOption = { force: { type: 'boolean', default: false } } as const;

export const forceHelp = '--force           even when a newer build\'s read model serves the tenant (switches it back to this one)';
