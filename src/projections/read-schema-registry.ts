import type { IBaseProtocol } from 'pg-promise';
import { pgp } from '../database/connection.js';
import type { Position } from '../eventstore/event-store.js';
import * as sql from './read-schema-registry.sql.js';

/**
 * The read-schema registry: which schemas each tenant has (`read_schemas`, with their status and
 * last recorded position) and which one its queries read (`read_schema_live`). The building and
 * switching of schemas is read-schemas.ts; this module only reads and writes the registry rows.
 */

/** The database or a transaction: every function runs in whichever the caller holds. */
type Queryable = IBaseProtocol<unknown>;

/** A tenant's read schema as the registry knows it. */
export interface ReadSchema {
  readonly tenant: string;
  readonly version: string;
  readonly schema: string;
  readonly status: 'building' | 'ready' | 'failed' | 'retired';
  readonly position: Position;
  readonly failedEventId?: string;
  readonly error?: string;
}

type RegistryRow = Record<string, string | null>;

function fromRow(row: RegistryRow): ReadSchema {
  return {
    tenant: row.tenant ?? '',
    version: row.version ?? '',
    schema: row.schema_name ?? '',
    status: (row.status ?? 'failed') as ReadSchema['status'],
    position: row.position ?? '0',
    ...(row.failed_event_id ? { failedEventId: row.failed_event_id } : {}),
    ...(row.error ? { error: row.error } : {}),
  };
}

/** The registry row of a tenant's live schema (its position as last recorded), or undefined. */
export async function findLiveSchema(q: Queryable, tenant: string): Promise<ReadSchema | undefined> {
  const row = await q.oneOrNone<RegistryRow>(sql.selectLiveSchema(), [tenant]);
  return row ? fromRow(row) : undefined;
}

/** Every registered schema of a tenant, newest first. */
export async function listTenantSchemas(q: Queryable, tenant: string): Promise<ReadSchema[]> {
  return (await q.any<RegistryRow>(sql.selectTenantSchemas(), [tenant])).map(fromRow);
}

/**
 * Takes the tenant's schema lock until the transaction `t` ends: creating, naming and switching a
 * tenant's schemas happen one at a time.
 */
export async function lockTenantSchemas(t: Queryable, tenant: string): Promise<void> {
  await t.any(sql.lockTenantSchemas(), [`read-schema:${tenant}`]);
}

/** lockTenantSchemas, then whether the tenant has a live schema, in one round trip. */
export async function lockTenantSchemasAndHasLive(t: Queryable, tenant: string): Promise<boolean> {
  return (await t.one<{ live: boolean }>(sql.lockTenantSchemasAndSelectLive(), [`read-schema:${tenant}`, tenant])).live;
}

/** Gives a tenant that has none its first live schema. */
export async function insertLivePointer(q: Queryable, tenant: string, version: string, schema: string): Promise<void> {
  await q.none(sql.insertLive(), [tenant, version, schema]);
}

/** Registers a schema just created. */
export async function registerSchema(q: Queryable, schema: { schema: string; tenant: string; version: string; status: ReadSchema['status'] }): Promise<void> {
  await q.none(sql.insertSchema(), [schema.schema, schema.tenant, schema.version, schema.status]);
}

/** Records that a schema stopped at an event. */
export async function markSchemaFailed(q: Queryable, schema: string, eventId: string | null, error: string): Promise<void> {
  await q.none(sql.updateFailed(), [schema, eventId, error]);
}

/**
 * Records the position a schema has reached (the registry's copy, for status pages); `alongside`
 * (statements of the caller's, as text) go in the same round trip, before it.
 */
export async function recordSchemaPosition(q: Queryable, schema: string, position: Position, alongside: readonly string[] = []): Promise<void> {
  await q.multi([...alongside, pgp.as.format(sql.updatePosition(), [schema, position])].join(';\n'));
}

/**
 * Drops a schema that is not live, and its registry row, in the transaction `t`. Refuses the
 * live schema of any tenant.
 */
export async function dropUnlessLive(t: Queryable, schema: string): Promise<void> {
  if ((await t.oneOrNone(sql.selectLiveBySchemaForUpdate(), [schema])) !== null) {
    throw new Error(`${schema} is live: switch to another schema before dropping it`);
  }
  await dropRegisteredSchema(t, schema);
}

/** Drops a schema and deletes its registry row (the caller has checked that it is not live). */
export async function dropRegisteredSchema(t: Queryable, schema: string): Promise<void> {
  await t.none(sql.dropSchema(), [schema]);
  await t.none(sql.deleteSchema(), [schema]);
}

/** The names of every schema of `version` the tenant has (any status). */
export async function versionSchemaNames(q: Queryable, tenant: string, version: string): Promise<string[]> {
  return await q.map(sql.selectVersionSchemaNames(), [tenant, version], (row: { schema_name: string }) => row.schema_name);
}

/** The newest schema of `version` the tenant has that is building or ready. */
export async function findPreparedSchema(q: Queryable, tenant: string, version: string): Promise<string | undefined> {
  return (await q.oneOrNone<{ schema_name: string }>(sql.selectPrepared(), [tenant, version]))?.schema_name;
}

/**
 * The newest schema of `version` the tenant has that has been live (ready or retired): the one
 * an older version's processes keep reading, and keep current, after a newer version went live.
 */
export async function findOwnServedSchema(q: Queryable, tenant: string, version: string): Promise<string | undefined> {
  return (await q.oneOrNone<{ schema_name: string }>(sql.selectOwnServed(), [tenant, version]))?.schema_name;
}

/** Whether `version` was first registered (by any tenant) after `than`. */
export async function isLaterVersion(q: Queryable, version: string, than: string): Promise<boolean> {
  return (await q.one<{ newer: boolean }>(sql.selectIsNewerVersion(), [version, than])).newer;
}

/** Registers a ready schema and makes it the live one of a tenant that has none, in one statement. */
export async function registerFirstLiveSchema(q: Queryable, schema: { schema: string; tenant: string; version: string }): Promise<void> {
  await q.none(sql.insertReadyLiveSchema(), [schema.schema, schema.tenant, schema.version]);
}

/**
 * The statements a switch sends first, in its transaction and in this order: the tenant's schema
 * lock, then its live pointer locked (as GC locks it; the second result set holds the schema live
 * now, its version and whether that version came after `version`, see LivePointerRow). Returned as
 * text for the switch to send with its own statements in one round trip (read-schemas.ts).
 */
export function switchLockStatements(tenant: string, version: string): string[] {
  return [pgp.as.format(sql.lockTenantSchemas(), [`read-schema:${tenant}`]), pgp.as.format(sql.selectLiveForUpdate(), [tenant, version])];
}

/** The live pointer as switchLockStatements' second statement returns it (no row: the tenant has none). */
export interface LivePointerRow {
  readonly schema_name: string;
  readonly version: string;
  /** Whether the live version came after the switching one's (its first schema registered later). */
  readonly live_is_newer: boolean;
}

/**
 * A switch's registry writes, in one statement: `schema` ready at `position`, the tenant's
 * pointer on it, `previous` (the schema it replaces, if any) retired. Run after
 * switchLockStatements in the same transaction; `alongside` (statements of the switch's own, as
 * text) go in the same round trip, before it.
 */
export async function switchLivePointer(
  t: Queryable,
  switched: { schema: string; tenant: string; version: string; position: Position; previous: string | undefined },
  alongside: readonly string[] = [],
): Promise<void> {
  const pointer = pgp.as.format(sql.switchLive(), [switched.schema, switched.tenant, switched.version, switched.position, switched.previous ?? null]);
  await t.multi([...alongside, pointer].join(';\n'));
}

/** A tenant's schemas as a daemon of one version sees them when it chooses what to work on (see selectDeployTarget). */
export interface DeployTarget {
  readonly live?: { readonly schema: string; readonly version: string; readonly newer: boolean };
  readonly prepared?: string;
  readonly ownServed?: string;
}

/** The tenant's live schema, whether its version came after `version`, and `version`'s prepared and last served schemas, in one round trip. */
export async function findDeployTarget(q: Queryable, tenant: string, version: string): Promise<DeployTarget> {
  const row = await q.one<{ live_schema: string | null; live_version: string | null; live_is_newer: boolean; prepared: string | null; own_served: string | null }>(sql.selectDeployTarget(), [tenant, version]);
  return {
    ...(row.live_schema !== null && row.live_version !== null ? { live: { schema: row.live_schema, version: row.live_version, newer: row.live_is_newer } } : {}),
    ...(row.prepared !== null ? { prepared: row.prepared } : {}),
    ...(row.own_served !== null ? { ownServed: row.own_served } : {}),
  };
}
