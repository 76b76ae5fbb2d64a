import type { ReadSchemas } from './read-schemas.js';

/**
 * Which read schema a process reads for a tenant while two versions of the code run side by side
 * on one database (a deploy): every process reads schemas of its own projection version only,
 * so a query never meets tables of another version's shape.
 *
 * - The tenant's live schema is of this version: that one.
 * - A newer version is live (this process is the old side of a deploy): this version's last
 *   live schema, retired by the switch, which this version's projectors keep current for as long
 *   as they run (daemon.ts). None left: not ready.
 * - An older version is live (this process came too early: its schema is still being built or
 *   caught up): not ready, until its projector switches the tenant over.
 */
export async function servedSchema(schemas: ReadSchemas, tenant: string): Promise<string> {
  const live = await schemas.ensureLive(tenant);
  if (live.version === schemas.version) return live.schema;
  if (await schemas.isNewerVersion(live.version)) {
    const own = await schemas.ownServed(tenant);
    if (own !== undefined) return own;
  }
  throw new ReadSchemaNotReady(tenant, schemas.version, live.version);
}

/**
 * The tenant has no read schema of this process's version that may be read yet (HTTP 503
 * not-ready with Retry-After): a request of a new version that came before its schema went live.
 */
export class ReadSchemaNotReady extends Error {
  readonly code = 'not-ready';
  /** A switch takes a tenant over within seconds once its schema has caught up. */
  readonly retryAfterSeconds = 2;
  constructor(
    readonly tenant: string,
    readonly version: string,
    readonly liveVersion: string,
  ) {
    super(`tenant ${tenant} is served by read-model version ${liveVersion}; its schema of version ${version} is not live yet`);
    this.name = 'ReadSchemaNotReady';
  }
}
