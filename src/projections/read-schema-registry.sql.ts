/*
 * The statements of the read-schema registry (read-schema-registry.ts): the control-plane tables
 * `read_schemas` (every schema built, with its status and last recorded position) and
 * `read_schema_live` (each tenant's live pointer). Each function returns the text of one
 * statement; values are always parameters and schema names go through `:name` escaping.
 */

const registryColumns = 'tenant, version, schema_name, status, position::text, failed_event_id, error';

/** $1 tenant: the registry row of the tenant's live schema. */
export function selectLiveSchema(): string {
  return `select r.tenant, r.version, r.schema_name, r.status, r.position::text, r.failed_event_id, r.error
         from read_schema_live l join read_schemas r using (schema_name) where l.tenant = $1`;
}

/** $1 tenant: every registry row of the tenant, newest first. */
export function selectTenantSchemas(): string {
  return `select ${registryColumns} from read_schemas where tenant = $1 order by created_at desc`;
}

/** $1 the lock key: the transaction-scoped lock that serialises one tenant's schema changes. */
export function lockTenantSchemas(): string {
  return 'select pg_advisory_xact_lock(hashtext($1))';
}

/**
 * $1 the lock key, $2 tenant: lockTenantSchemas, then whether the tenant has a live schema, in one
 * round trip (a registration's). The second statement's snapshot is taken after the lock is had,
 * so it sees what the lock's previous holder committed.
 */
export function lockTenantSchemasAndSelectLive(): string {
  return `select pg_advisory_xact_lock(hashtext($1));
    select exists (select 1 from read_schema_live where tenant = $2) as live`;
}

/**
 * $1 tenant, $2 version: the live schema's name and version, its row locked until the transaction
 * ends, and whether that version came after $2 (selectIsNewerVersion): a switch to $2 would then
 * take the tenant back to an older read model.
 */
export function selectLiveForUpdate(): string {
  return `select l.schema_name, l.version,
    coalesce((select min(created_at) from read_schemas where version = l.version) > (select min(created_at) from read_schemas where version = $2), false) as live_is_newer
    from read_schema_live l where l.tenant = $1 for update of l`;
}

/** $1 schema: a row when the schema is some tenant's live one, locked until the transaction ends. */
export function selectLiveBySchemaForUpdate(): string {
  return 'select 1 from read_schema_live where schema_name = $1 for update';
}

/** $1 tenant, $2 version, $3 schema: the tenant's first live pointer. */
export function insertLive(): string {
  return 'insert into read_schema_live (tenant, version, schema_name) values ($1, $2, $3)';
}

/** $1 schema, $2 tenant, $3 version, $4 status: registers a schema just created. */
export function insertSchema(): string {
  return 'insert into read_schemas (schema_name, tenant, version, status) values ($1, $2, $3, $4)';
}

/** $1 schema, $2 the failed event's id (or null), $3 the error. */
export function updateFailed(): string {
  return `update read_schemas set status = 'failed', failed_event_id = $2, error = $3, updated_at = now() where schema_name = $1`;
}

/** $1 schema, $2 position: the registry's copy of the schema's checkpoint (for status pages). */
export function updatePosition(): string {
  return 'update read_schemas set position = $2, updated_at = now() where schema_name = $1';
}

/** $1 schema: drops the schema with everything in it. */
export function dropSchema(): string {
  return 'drop schema if exists $1:name cascade';
}

/** $1 schema: forgets a dropped schema. */
export function deleteSchema(): string {
  return 'delete from read_schemas where schema_name = $1';
}

/** $1 tenant, $2 version: the names of every schema of that version the tenant has. */
export function selectVersionSchemaNames(): string {
  return 'select schema_name from read_schemas where tenant = $1 and version = $2';
}

/** $1 tenant, $2 version: the newest schema of that version that is building or ready. */
export function selectPrepared(): string {
  return `select schema_name from read_schemas where tenant = $1 and version = $2 and status in ('building', 'ready') order by created_at desc limit 1`;
}

/**
 * $1 tenant, $2 version: the newest schema of that version that has been live (ready, or retired
 * by a switch to a newer version): what a process of that version reads once a newer one is live.
 */
export function selectOwnServed(): string {
  return `select schema_name from read_schemas where tenant = $1 and version = $2 and status in ('ready', 'retired') order by created_at desc limit 1`;
}

/** $1 version, $2 another version: whether the first was first registered after the second. */
export function selectIsNewerVersion(): string {
  return `select coalesce((select min(created_at) from read_schemas where version = $1) > (select min(created_at) from read_schemas where version = $2), false) as newer`;
}

/**
 * $1 schema, $2 tenant, $3 version: registers a ready schema and points the tenant, which has no
 * live schema yet, at it; one round trip (the live pointer's foreign key is checked at the
 * statement's end, when the registry row is there).
 */
export function insertReadyLiveSchema(): string {
  return `with registered as (insert into read_schemas (schema_name, tenant, version, status) values ($1, $2, $3, 'ready') returning schema_name, tenant, version)
    insert into read_schema_live (tenant, version, schema_name) select tenant, version, schema_name from registered`;
}

/**
 * $1 schema, $2 tenant, $3 version, $4 the schema's checkpoint, $5 the schema it replaces (or
 * null): a switch's registry writes in one statement. The schema becomes ready with its exact
 * position, the tenant's queries point at it, and the schema it replaces is retired. The live
 * pointer is already locked by the switch (selectLiveForUpdate), before these registry rows, in
 * the order GC locks them.
 */
export function switchLive(): string {
  return `with ready as (update read_schemas set status = 'ready', position = $4, updated_at = now() where schema_name = $1),
    retired as (update read_schemas set status = 'retired', updated_at = now() where schema_name = $5 and schema_name <> $1)
    insert into read_schema_live (tenant, version, schema_name) values ($2, $3, $1)
    on conflict (tenant) do update set version = excluded.version, schema_name = excluded.schema_name, switched_at = now()`;
}

/**
 * $1 tenant, $2 version: what a daemon of that version needs to choose a tenant's target, in one
 * statement: the live schema and its version (null when none), whether that version came after
 * $2 (selectIsNewerVersion), and $2's prepared schema (selectPrepared) and last served one
 * (selectOwnServed).
 */
export function selectDeployTarget(): string {
  return `select l.schema_name as live_schema, l.version as live_version,
    coalesce((select min(created_at) from read_schemas where version = l.version) > (select min(created_at) from read_schemas where version = $2), false) as live_is_newer,
    (select schema_name from read_schemas where tenant = $1 and version = $2 and status in ('building', 'ready') order by created_at desc limit 1) as prepared,
    (select schema_name from read_schemas where tenant = $1 and version = $2 and status in ('ready', 'retired') order by created_at desc limit 1) as own_served
    from (select 1) as one left join read_schema_live l on l.tenant = $1`;
}
