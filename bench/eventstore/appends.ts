/**
 * Append measurements: single-event appends through the store, the same rows written by a plain
 * INSERT as the baseline, and 100-event batch appends.
 */
import type { Database } from '../../src/database/connection.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { runConcurrently, type LoadResult } from '../measure.js';
import { sampleWaitEvents, withClientShare, type WaitShare } from '../wait-events.js';
import { measureCpu, type CpuUse } from '../cpu-time.js';
import { measureServerWrites } from '../wal.js';
import { stockReceivedToAppend, stockStream } from './stock-movement.js';

/** One append measurement. */
export interface AppendMeasurement {
  readonly label: string;
  readonly eventsPerOperation: number;
  readonly load: LoadResult;
  /** What the writing backends waited for during the measurement, when it was sampled. */
  readonly waits?: readonly WaitShare[];
  /** WAL the server wrote during the measurement, when it was sampled. */
  readonly walBytes?: number;
  /** Transaction ids the server assigned during the measurement (the appends' and any NOTIFY's), when sampled. */
  readonly transactionIds?: number;
  /** CPU that Node and the server used during the measurement, when it was sampled. */
  readonly cpu?: CpuUse;
}

/** What to observe during a measurement besides its timing. */
export interface WaitWatch {
  /** The pool whose backends' wait events are sampled. */
  readonly db: Database;
  readonly applicationName: string;
  /** The local server's postmaster, for its CPU time; undefined when it is not local. */
  readonly serverPid: number | undefined;
}

/** Where a measurement writes: `streams` stock streams of `tenant`, each operation to a random one. */
export interface AppendTarget {
  readonly tenant: string;
  readonly streams: number;
}

/** A random stream index of `streams`. */
export const randomStream = (streams: number): number => Math.floor(Math.random() * streams);

/** Operations run before each measurement and not counted: they open the pool's connections and prepare statements. */
const warmUpOperations = 200;

/**
 * Warms up, then runs `operations` calls of `operation` at `concurrency`; with `watch`, samples
 * what the pool's backends wait for meanwhile, how much WAL the server writes and the CPU used.
 */
export async function measure(
  label: string,
  eventsPerOperation: number,
  operations: number,
  concurrency: number,
  operation: (index: number) => Promise<unknown>,
  watch?: WaitWatch,
): Promise<AppendMeasurement> {
  await runConcurrently(warmUpOperations, concurrency, (index) => operation(operations + index));
  const run = (): Promise<LoadResult> => runConcurrently(operations, concurrency, operation);
  if (!watch) return { label, eventsPerOperation, load: await run() };
  const { result, writes } = await measureServerWrites(watch.db, () =>
    measureCpu(watch.serverPid, () => sampleWaitEvents(watch.db, watch.applicationName, run)),
  );
  const { result: sampled, cpu } = result;
  return {
    label,
    eventsPerOperation,
    load: sampled.result,
    waits: withClientShare(sampled.waits, concurrency),
    walBytes: writes.walBytes,
    transactionIds: writes.transactionIds,
    cpu,
  };
}

/** `store.append` of one StockReceived to a random stream with expectedRevision 'any'. */
export async function measureSingleAppends(
  store: EventStore,
  target: AppendTarget,
  operations: number,
  concurrency: number,
  watch?: WaitWatch,
): Promise<AppendMeasurement> {
  return await measure(
    'store.append, 1 event',
    1,
    operations,
    concurrency,
    (index) => {
      const article = randomStream(target.streams);
      return store.append(stockStream(target.tenant, article), [stockReceivedToAppend(article, index)], { expectedRevision: 'any' });
    },
    watch,
  );
}

/** The baseline table: es_events' columns without the store's positions, streams table or function. */
const createRawTableSql = `
  create table bench_raw_events (
    id          bigint generated always as identity primary key,
    tenant      text not null,
    stream_name text not null,
    revision    bigint not null,
    event_id    uuid not null unique,
    type        text not null,
    data        jsonb not null,
    metadata    jsonb not null,
    recorded_at timestamptz not null default now()
  )`;

const rawInsertSql = `insert into bench_raw_events (tenant, stream_name, revision, event_id, type, data, metadata)
  values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`;

/** Creates the baseline table afresh. */
export async function createRawTable(db: Database): Promise<void> {
  await db.none('drop table if exists bench_raw_events');
  await db.none(createRawTableSql);
}

/** Drops the baseline table, so that a DATABASE_URL run leaves nothing of it behind. */
export async function dropRawTable(db: Database): Promise<void> {
  await db.none('drop table if exists bench_raw_events');
}

/**
 * The same event as {@link measureSingleAppends}, written by one plain INSERT (a prepared
 * statement, like es_append's call) on the same pool: what one durable row costs without the store.
 */
export async function measureRawInserts(
  db: Database,
  target: AppendTarget,
  operations: number,
  concurrency: number,
  watch?: WaitWatch,
): Promise<AppendMeasurement> {
  const revisions = new Array<number>(target.streams).fill(-1);
  const insert = async (index: number): Promise<void> => {
    const article = randomStream(target.streams);
    const revision = (revisions[article] ?? -1) + 1;
    revisions[article] = revision;
    const event = stockReceivedToAppend(article, index);
    await db.none({
      name: 'bench-raw-insert',
      text: rawInsertSql,
      values: [target.tenant, stockStream(target.tenant, article), revision, event.id, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata)],
    });
  };
  return await measure('plain INSERT, same row', 1, operations, concurrency, insert, watch);
}

/** `store.append` of `batchSize` StockReceived events to one random stream. */
export async function measureBatchAppends(
  store: EventStore,
  target: AppendTarget,
  batches: number,
  concurrency: number,
  batchSize: number,
  watch?: WaitWatch,
): Promise<AppendMeasurement> {
  const append = (index: number): Promise<unknown> => {
    const article = randomStream(target.streams);
    const events = Array.from({ length: batchSize }, (_, offset) => stockReceivedToAppend(article, index * batchSize + offset));
    return store.append(stockStream(target.tenant, article), events, { expectedRevision: 'any' });
  };
  return await measure(`store.append, ${batchSize} events`, batchSize, batches, concurrency, append, watch);
}
