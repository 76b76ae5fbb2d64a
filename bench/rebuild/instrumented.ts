/**
 * A second, instrumented rebuild pass: the same steps as ReadSchemas.catchUp and its batches
 * (read pages, decode, fold into a change set, write it with the checkpoint in one transaction),
 * with a clock around each step, into a scratch schema that is dropped afterwards. The real
 * rebuild is timed without any of this; the pass shows where its time goes.
 */
import { pgp, type Database } from '../../src/database/connection.js';
import type { EventStore, RecordedEvent } from '../../src/eventstore/event-store.js';
import { decodeEvent } from '../../src/events/codec.js';
import { ChangeSet, type ProjectedEvent } from '../../src/projections/change-set.js';
import { readModelIndexDdl, readModelTablesDdl } from '../../src/projections/read-model.sql.js';
import { readSchemaName } from '../../src/projections/schema-name.js';
import { writeChangeSet } from '../../src/projections/write-change-set.js';

/** Wall-clock ms of each step of a rebuild pass; they add up to the pass's time. */
export interface RebuildSplit {
  readonly events: number;
  readonly batches: number;
  /** Waiting for events from readTenant (the part of reading not overlapped by the other steps). */
  readonly readMs: number;
  readonly decodeMs: number;
  readonly foldMs: number;
  /** writeChangeSet plus the checkpoint and the commit. */
  readonly writeMs: number;
  /** Building the ledger's secondary indexes once the rows are in (as ReadSchemas does before a switch). */
  readonly indexMs: number;
  /** The longest batch transaction: decoding, folding and writing, as ReadSchemas runs them inside it. */
  readonly longestTransactionMs: number;
  readonly totalMs: number;
}

/** Page and batch sizes of ReadSchemas.rebuild (batches of 20,000, pages of at most 10,000). */
export const rebuildBatchSize = 20_000;
export const rebuildPageSize = 10_000;

/** Rebuilds `tenant` into a scratch schema step by step with a clock around each step, then drops it. */
export async function instrumentedRebuild(db: Database, store: EventStore, tenant: string, batchSize = rebuildBatchSize): Promise<RebuildSplit> {
  const schema = readSchemaName(tenant, 'instrumented');
  const s = pgp.as.name(schema);
  await db.none(`drop schema if exists ${s} cascade`);
  await db.none(readModelTablesDdl(schema));
  let readMs = 0;
  let decodeMs = 0;
  let foldMs = 0;
  let writeMs = 0;
  let indexMs = 0;
  let longestTransactionMs = 0;
  let events = 0;
  let batches = 0;
  const started = performance.now();
  try {
    let batch: RecordedEvent[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      const decodeStarted = performance.now();
      const projected: ProjectedEvent[] = batch.map((recorded) => {
        const decoded = decodeEvent(recorded);
        return { id: recorded.id, position: recorded.position, type: decoded.type, data: decoded.data, metadata: decoded.metadata, recordedAt: recorded.recordedAt };
      });
      const foldStarted = performance.now();
      const changes = new ChangeSet();
      for (const event of projected) changes.add(event);
      const writeStarted = performance.now();
      await db.tx('apply-events', async (t) => {
        await t.none('set local synchronous_commit = off');
        await t.one(`select position::text from ${s}.checkpoint for update`);
        await writeChangeSet(t, schema, changes);
        await t.none(`update ${s}.checkpoint set position = $1`, [changes.lastPosition]);
      });
      const writeEnded = performance.now();
      decodeMs += foldStarted - decodeStarted;
      foldMs += writeStarted - foldStarted;
      writeMs += writeEnded - writeStarted;
      longestTransactionMs = Math.max(longestTransactionMs, writeEnded - decodeStarted);
      events += batch.length;
      batches += 1;
      batch = [];
    };
    let waitStarted = performance.now();
    for await (const event of store.readTenant(tenant, { batchSize: Math.min(batchSize, rebuildPageSize) })) {
      readMs += performance.now() - waitStarted;
      batch.push(event);
      if (batch.length >= batchSize) await flush();
      waitStarted = performance.now();
    }
    readMs += performance.now() - waitStarted;
    await flush();
    const indexStarted = performance.now();
    await db.none(readModelIndexDdl(schema));
    indexMs = performance.now() - indexStarted;
  } finally {
    await db.none(`drop schema if exists ${s} cascade`);
  }
  return { events, batches, readMs, decodeMs, foldMs, writeMs, indexMs, longestTransactionMs, totalMs: performance.now() - started };
}
