/**
 * The one place that turns a tenant slug into a read-schema name: `rm_<tenant>_<version>`, with
 * the slug's hyphens as underscores. The slug's shape is checked here again (by tenancy/slug.ts's
 * rule), so a name built from anything but a slug and a version never reaches SQL.
 */
import { isTenantSlugShape } from '../tenancy/slug.js';

const versionPattern = /^[a-z0-9]{1,16}$/;

/**
 * The read schema of `tenant` for projection-set `version`; a rebuild of the version that is
 * already live gets a `generation` suffix (`rm_acme_1a2b3c4d5e_g2`), so the two live side by side.
 */
export function readSchemaName(tenant: string, version: string, generation = 0): string {
  if (!isTenantSlugShape(tenant)) throw new Error(`not a tenant slug: ${JSON.stringify(tenant)}`);
  if (!versionPattern.test(version)) throw new Error(`not a projection version: ${JSON.stringify(version)}`);
  if (!Number.isInteger(generation) || generation < 0) throw new Error(`not a schema generation: ${generation}`);
  return `rm_${tenant.replaceAll('-', '_')}_${version}${generation === 0 ? '' : `_g${generation}`}`;
}
