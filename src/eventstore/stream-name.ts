/**
 * The one place that builds and parses stream names: `<tenant>:<category>-<id>`,
 * e.g. `isd:stock-BOLT-M8`, `isd:article-BOLT-M8`, `isd:location-A-01-02`. The tenant part is
 * checked by tenancy/slug.ts's shape rule, the one rule of what a slug looks like.
 */

import { isTenantSlugShape } from '../tenancy/slug.js';

const categoryPattern = /^[a-z][a-z0-9]*$/;

/** Builds the name of the stream of `category` and `id` in `tenant`. */
export function streamName(tenant: string, category: string, id: string): string {
  if (!isTenantSlugShape(tenant)) throw new Error(`invalid tenant slug for a stream name: ${JSON.stringify(tenant)}`);
  if (!categoryPattern.test(category)) throw new Error(`invalid stream category: ${JSON.stringify(category)}`);
  if (id.length === 0) throw new Error('a stream id must not be empty');
  return `${tenant}:${category}-${id}`;
}

/** The parts of a stream name. */
export interface ParsedStreamName {
  readonly tenant: string;
  readonly category: string;
  readonly id: string;
}

/** Splits a stream name into its tenant, category and id; undefined when it is not one. */
export function parseStreamName(name: string): ParsedStreamName | undefined {
  const colon = name.indexOf(':');
  if (colon < 0) return undefined;
  const tenant = name.slice(0, colon);
  const rest = name.slice(colon + 1);
  const dash = rest.indexOf('-');
  if (dash < 0) return undefined;
  const category = rest.slice(0, dash);
  const id = rest.slice(dash + 1);
  if (!isTenantSlugShape(tenant) || !categoryPattern.test(category) || id.length === 0) return undefined;
  return { tenant, category, id };
}

/** The stream-name prefix shared by every stream of a tenant (`acme:`), for prefix filters. */
export function tenantStreamPrefix(tenant: string): string {
  if (!isTenantSlugShape(tenant)) throw new Error(`invalid tenant slug: ${JSON.stringify(tenant)}`);
  return `${tenant}:`;
}
