/*
 * The statements that read-schemas.ts runs against a read schema itself (its checkpoint and its
 * indexes), as opposed to the registry's (read-schema-registry.sql.ts). Each function returns
 * the text of one statement; the schema name is a parameter escaped by `:name`.
 */

/** $1:name schema: the position the schema has applied. */
export function selectCheckpoint(): string {
  return 'select position::text from $1:name.checkpoint';
}

/** $1:name schema: the applied position, locked so that two appliers of one schema take turns. */
export function selectCheckpointForUpdate(): string {
  return 'select position::text from $1:name.checkpoint for update';
}

/** $1:name schema, $2 position: the new checkpoint, committed with the rows it covers. */
export function updateCheckpoint(): string {
  return 'update $1:name.checkpoint set position = $2';
}

/**
 * $1:name schema, $2 position: moves the checkpoint forward to a place the event store has scanned
 * past with no event of the tenant's left to apply (a store checkpoint); never backwards.
 */
export function advanceCheckpoint(): string {
  return 'update $1:name.checkpoint set position = $2 where position < $2';
}

/**
 * Projection commits need not wait for the WAL flush: a read schema is rebuilt from the events at
 * will and its rows commit with their checkpoint, so a crash loses commits, never their atomicity.
 */
export function asynchronousCommit(): string {
  return 'set local synchronous_commit = off';
}

/**
 * $1 schema: whether the ledger's three secondary indexes (readModelIndexDdl) exist. By pg_class's
 * (relname, relnamespace) index, so it reads the schema's own three rows: the pg_indexes view
 * found them by name in every schema (each tenant's of each version has them), ~30 µs a schema,
 * 60 ms a tenant during a 1,000-tenant deploy, asked by prepare and again in every switch.
 */
export function selectLedgerIndexesComplete(): string {
  return `select count(*) = 3 as complete from pg_class
           where relname in ('ledger_sku_occurred_at', 'ledger_movement_id', 'ledger_reference')
             and relnamespace = (select oid from pg_namespace where nspname = $1) and relkind = 'i'`;
}

/** A schema built from a DDL given by a test has whatever indexes that DDL made: taken as complete. */
export function selectIndexesAssumedComplete(): string {
  return 'select true as complete';
}

/**
 * $1 lock_timeout, $2 statement_timeout (e.g. '2000ms'): a switch's bounds, for its transaction
 * only (see SwitchLimits in read-schemas.ts), in the statement that starts its first round trip.
 */
export function switchTimeouts(): string {
  return "select set_config('lock_timeout', $1, true), set_config('statement_timeout', $2, true)";
}
