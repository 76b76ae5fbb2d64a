import type { ITask } from 'pg-promise';
import type { Database } from '../database/connection.js';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../eventstore/event-store.js';
import { readModelTables } from './read-model.sql.js';
import { ProjectionFailed, type BuildProgress, type ReadSchemas } from './read-schemas.js';

/** A row that one of the two schemas has and the other has not (`only` says which has it). */
export interface ReadSchemaDifference {
  readonly table: string;
  readonly row: Record<string, unknown>;
  readonly only: 'live' | 'rebuilt';
}

/** The outcome of {@link verifyReadSchema}. */
export interface VerifyResult {
  /** True when every table of the live schema equals a rebuild from the events. */
  readonly ok: boolean;
  /** The live schema that was verified. */
  readonly schema: string;
  /** The scratch schema it was compared with (dropped again by the time this is returned). */
  readonly scratch: string;
  /** The position both schemas had applied when they were compared. */
  readonly position: Position;
  /** The differing rows, at most `limit` of each side per table. */
  readonly differences: ReadSchemaDifference[];
  /** How many rows differ per table (both sides), counting those left out of `differences`. */
  readonly differingRows: Readonly<Record<string, number>>;
}

/** Tuning of {@link verifyReadSchema}. */
export interface VerifyOptions {
  /** At most this many differing rows of each side are named per table (default 100). */
  readonly limit?: number;
  /** Batch size of the scratch build. */
  readonly batchSize?: number;
  /** Progress of the scratch build. */
  readonly onProgress?: (progress: BuildProgress) => void;
}

/** The tenant has no live read schema, so there is nothing to verify. */
export class NoLiveSchema extends Error {
  readonly code = 'no-live-schema';
  constructor(readonly tenant: string) {
    super(`tenant ${tenant} has no live read schema`);
    this.name = 'NoLiveSchema';
  }
}

/** The live schema was built by other projection code than this process runs: a rebuild would not be comparable. */
export class LiveSchemaOfOtherVersion extends Error {
  readonly code = 'live-schema-of-other-version';
  constructor(
    readonly schema: string,
    readonly liveVersion: string,
    readonly version: string,
  ) {
    super(`live schema ${schema} is of projection version ${liveVersion}, this build is ${version}: rebuild the tenant (or verify with the matching build)`);
    this.name = 'LiveSchemaOfOtherVersion';
  }
}

/** The scratch schema could not be brought to the live schema's position (events missing from the store's answer). */
export class VerifyNotSettled extends Error {
  readonly code = 'verify-not-settled';
  constructor(
    readonly schema: string,
    readonly wanted: Position,
    readonly reached: Position,
  ) {
    super(`${schema} could not be brought to position ${wanted} (it reached ${reached}); nothing was compared`);
    this.name = 'VerifyNotSettled';
  }
}

/**
 * Verifies a tenant's live read schema: rebuilds the read model from the events into a scratch
 * schema, brings both schemas to the same position and compares every table row by row (as
 * multisets, in SQL). The scratch schema is dropped afterwards, whatever happened.
 * While the tables are compared, whatever applies events to the live schema waits (reads go on).
 * Throws NoLiveSchema, LiveSchemaOfOtherVersion, VerifyNotSettled, or ProjectionFailed when an
 * event cannot be applied to one of the two schemas.
 */
export async function verifyReadSchema(db: Database, schemas: ReadSchemas, store: EventStore, tenant: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const live = await schemas.live(tenant);
  if (!live) throw new NoLiveSchema(tenant);
  if (live.version !== schemas.version) throw new LiveSchemaOfOtherVersion(live.schema, live.version, schemas.version);
  const scratch = await buildScratch(schemas, tenant, options);
  let outcome: { result: VerifyResult } | { error: unknown };
  try {
    outcome = { result: await compareAtOnePosition(db, schemas, store, tenant, live.schema, scratch, options.limit ?? 100) };
  } catch (error) {
    outcome = { error };
  }
  try {
    await schemas.dropSchema(scratch);
  } catch (dropError) {
    // The first failure is the one worth reporting; GC removes a scratch schema left behind.
    if ('result' in outcome) throw dropError;
  }
  if ('error' in outcome) throw outcome.error;
  return outcome.result;
}

/** buildScratch, dropping the scratch schema again when an event cannot be applied to it. */
async function buildScratch(schemas: ReadSchemas, tenant: string, options: VerifyOptions): Promise<string> {
  try {
    return await schemas.buildScratch(tenant, { ...(options.batchSize ? { batchSize: options.batchSize } : {}), ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
  } catch (error) {
    // buildScratch does not return the name when its build fails; the error carries it.
    if (error instanceof ProjectionFailed) await schemas.dropSchema(error.schema).catch(() => undefined);
    throw error;
  }
}

/**
 * Catches the live schema up, then holds it still while the scratch schema is brought to exactly
 * its position and the tables are compared. Catching both up "to the head" instead never meets
 * under steady writes: each catch-up ends at a newer head while a projector moves the live schema.
 */
async function compareAtOnePosition(db: Database, schemas: ReadSchemas, store: EventStore, tenant: string, schema: string, scratch: string, limit: number): Promise<VerifyResult> {
  await schemas.catchUp(tenant, schema);
  // catchUp may stop short of the scratch schema's head when events are held back for long.
  await applyUpTo(schemas, store, tenant, schema, await schemas.checkpoint(scratch));
  return await db.tx('verify-read-schema', async (t) => {
    // Every applier starts by locking the checkpoint row (select ... for update), so an exclusive
    // table lock makes it wait before it has written anything. A row lock (for share) would not
    // do: it gives this transaction an xid, and the event store's read guard holds back every
    // tenant's reads behind the oldest running xid for as long as the comparison takes.
    // Plain reads of the checkpoint (live(), the API's X-Min-Position waits) go on.
    await t.none('lock table $1:name.checkpoint in exclusive mode', [schema]);
    const position = await checkpointOf(t, schema);
    // Applied on other connections: only this one holds the live schema, and nobody else writes the scratch one.
    await applyUpTo(schemas, store, tenant, scratch, position);
    const reached = await checkpointOf(t, scratch);
    if (comparePositions(reached, position) !== 0) throw new VerifyNotSettled(scratch, position, reached);
    const { differences, differingRows } = await compareTables(t, schema, scratch, Math.max(1, limit));
    return { ok: differences.length === 0, schema, scratch, position, differences, differingRows };
  });
}

/**
 * Applies the tenant's events after the schema's checkpoint up to and including `target`, and no
 * further; the checkpoint then stands at `target` even where no event lies there (a live schema's
 * checkpoint can be a store checkpoint beyond the tenant's last event, see store-checkpoints.ts).
 */
async function applyUpTo(schemas: ReadSchemas, store: EventStore, tenant: string, schema: string, target: Position): Promise<void> {
  const from = await schemas.checkpoint(schema);
  if (comparePositions(from, target) >= 0) return;
  let batch: RecordedEvent[] = [];
  for await (const event of store.readTenant(tenant, { after: from })) {
    if (comparePositions(event.position, target) > 0) break;
    batch.push(event);
    if (batch.length >= 1000) {
      await schemas.apply(schema, batch);
      batch = [];
    }
  }
  if (batch.length > 0) await schemas.apply(schema, batch);
  await schemas.advanceCheckpoint(schema, target);
}

async function checkpointOf(t: ITask<unknown>, schema: string): Promise<Position> {
  return (await t.one<{ position: string }>('select position::text from $1:name.checkpoint', [schema])).position;
}

/**
 * Every table compared as a multiset (`except all` both ways), so duplicates and rows missing on
 * either side count; at most `limit` rows of each side are fetched, but all are counted.
 */
async function compareTables(
  t: ITask<unknown>,
  schema: string,
  scratch: string,
  limit: number,
): Promise<{ differences: ReadSchemaDifference[]; differingRows: Record<string, number> }> {
  const differences: ReadSchemaDifference[] = [];
  const differingRows: Record<string, number> = {};
  for (const table of readModelTables) {
    const rows = await t.any<{ side: 'live' | 'rebuilt'; row: Record<string, unknown>; total: number }>(
      `select side, row, total from (
          select side, row, count(*) over (partition by side)::int as total,
                 row_number() over (partition by side order by row::text) as n
            from (
              select 'live' as side, to_jsonb(d) as row from (select * from $1:name.$3:name except all select * from $2:name.$3:name) d
              union all
              select 'rebuilt' as side, to_jsonb(d) as row from (select * from $2:name.$3:name except all select * from $1:name.$3:name) d
            ) both_sides
        ) ranked
        where n <= $4
        order by side, n`,
      [schema, scratch, table, limit],
    );
    const totals = new Map<string, number>();
    for (const { side, row, total } of rows) {
      differences.push({ table, row, only: side });
      totals.set(side, total);
    }
    const total = [...totals.values()].reduce((sum, n) => sum + n, 0);
    if (total > 0) differingRows[table] = total;
  }
  return { differences, differingRows };
}
