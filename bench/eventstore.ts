/**
 * The event-store benchmark: appends and tenant reads through the real PostgresEventStore, each
 * beside a plain-SQL baseline measured in the same run, so that the store's cost reads as a ratio.
 */
import os from 'node:os';
import { PostgresEventStore } from '../src/eventstore/postgres/postgres-event-store.js';
import { benchApplicationName, scaled, type BenchContext, type BenchReport, type Benchmark } from './benchmark.js';
import { formatCount, formatMs } from './markdown.js';
import { percentile, perSecond, timed } from './measure.js';
import { formatWaits } from './wait-events.js';
import {
  createRawTable,
  dropRawTable,
  measureBatchAppends,
  measureRawInserts,
  measureSingleAppends,
  type AppendMeasurement,
  type AppendTarget,
} from './eventstore/appends.js';
import { measureAsyncCommitAppends, measureDirectAppends } from './eventstore/diagnostics.js';
import { cpuPerAppend } from './eventstore/figures.js';
import { eventStoreMarkdown } from './eventstore/report.js';
import { benchTenant, stockReceived } from './eventstore/stock-movement.js';
import { loadTenant, measureReads, plainPagingReader, serverOnlyReader, storeReader, type TenantLoad } from './eventstore/tenant-read.js';

const appendStreams = 1000;
const readPageSizes = [1000, 5000, 10000] as const;
const baselinePageSize = 5000;
const readPasses = 2;

function appendSummary(m: AppendMeasurement): string {
  const rate = perSecond(m.load.operations, m.load.elapsedMs);
  const events = m.eventsPerOperation > 1 ? `, ${formatCount(rate * m.eventsPerOperation)} events/s` : '';
  const waits = m.waits ? `; in flight: ${formatWaits(m.waits)}` : '';
  const wal = m.walBytes === undefined ? '' : `; ${formatCount(m.walBytes / m.load.operations)} WAL bytes/call`;
  const cpu = m.cpu ? `; CPU µs/call (Node + PostgreSQL): ${cpuPerAppend(m)}` : '';
  const transactions = m.transactionIds === undefined ? '' : `; ${(m.transactionIds / m.load.operations).toFixed(2)} transactions/call`;
  return `${formatCount(rate)}/s${events}, p50 ${formatMs(percentile(m.load.latenciesMs, 50))} ms, p99 ${formatMs(percentile(m.load.latenciesMs, 99))} ms${waits}${wal}${transactions}${cpu}`;
}

async function measureAppends(context: BenchContext, store: PostgresEventStore) {
  const { progress } = context;
  const target: AppendTarget = { tenant: benchTenant('appends'), streams: appendStreams };
  const step = async (label: string, measure: () => Promise<AppendMeasurement>): Promise<AppendMeasurement> => {
    const done = progress.phase(`eventstore: ${label}`);
    const measurement = await measure();
    done(appendSummary(measurement));
    return measurement;
  };
  // Runs with `watch` record waits, WAL and CPU: the evidence for "what limits it".
  const watch = { db: context.db, applicationName: benchApplicationName, serverPid: context.serverPid };
  await createRawTable(context.db);
  try {
    const c1 = scaled(context, 3000);
    const c16 = scaled(context, 30000);
    // Store and baseline alternate so that both see the same state of the machine.
    const storeC1 = await step(`store.append 1 event x ${formatCount(c1)}, concurrency 1`, () => measureSingleAppends(store, target, c1, 1));
    const rawC1 = await step(`plain INSERT x ${formatCount(c1)}, concurrency 1`, () => measureRawInserts(context.db, target, c1, 1));
    const storeC16 = await step(`store.append 1 event x ${formatCount(c16)}, concurrency 16`, () => measureSingleAppends(store, target, c16, 16, watch));
    const rawC16 = await step(`plain INSERT x ${formatCount(c16)}, concurrency 16`, () => measureRawInserts(context.db, target, c16, 16, watch));
    const diagnostics = [
      await step(`diagnostic: es_append() called directly x ${formatCount(c16)}, concurrency 16`, () =>
        measureDirectAppends(context.db, target, c16, 16, watch),
      ),
      await step(`diagnostic: store.append with synchronous_commit off x ${formatCount(c16)}, concurrency 16`, () =>
        measureAsyncCommitAppends(context.url, context.serverPid, context.logger, target, c16, 16),
      ),
    ];
    const batches: AppendMeasurement[] = [];
    for (const [concurrency, count] of [
      [1, scaled(context, 300)],
      [4, scaled(context, 600)],
    ] as const) {
      batches.push(
        await step(`store.append 100 events x ${formatCount(count)}, concurrency ${concurrency}`, () =>
          measureBatchAppends(store, target, count, concurrency, 100, watch),
        ),
      );
    }
    return { single: { storeC1, rawC1, storeC16, rawC16 }, diagnostics, batches };
  } finally {
    await dropRawTable(context.db);
  }
}

async function measureTenantReads(context: BenchContext, store: PostgresEventStore) {
  const { progress, db } = context;
  const load: TenantLoad = {
    tenant: benchTenant('read'),
    events: scaled(context, 1_000_000, 10_000),
    streams: 2000,
    eventsPerAppend: 500,
    concurrency: 4,
  };
  const loaded = progress.phase(`eventstore: loading ${formatCount(load.events)} events (setup)`);
  const { elapsedMs } = await timed(() => loadTenant(store, db, load, progress.percentage('eventstore: loading', load.events)));
  loaded(`${formatCount(perSecond(load.events, elapsedMs))} events/s including VACUUM ANALYZE`);

  const warm = progress.phase('eventstore: warming the cache with one server-side pass');
  await serverOnlyReader(db, load.tenant).read();
  warm();

  const readers = [
    ...readPageSizes.map((size) => storeReader(store, load.tenant, size)),
    plainPagingReader(db, load.tenant, baselinePageSize, 'parsed'),
    plainPagingReader(db, load.tenant, baselinePageSize, 'as text'),
    serverOnlyReader(db, load.tenant),
  ];
  const reading = progress.phase(`eventstore: reading ${formatCount(load.events)} events, ${readers.length} readers x ${readPasses} passes`);
  const reads = await measureReads(readers, readPasses, load.events, context.serverPid, (reader, pass, cpu) => {
    const page = reader.batchSize === undefined ? '' : ` page ${formatCount(reader.batchSize)}`;
    const server = cpu.serverMs === undefined ? '' : `, PostgreSQL ${(cpu.serverMs / 1000).toFixed(2)} s`;
    progress.note(
      `eventstore:   pass ${pass} ${reader.label}${page}: ${(cpu.wallMs / 1000).toFixed(2)} s, ` +
        `${formatCount(perSecond(load.events, cpu.wallMs))} events/s; CPU Node ${(cpu.nodeMs / 1000).toFixed(2)} s${server}`,
    );
  });
  reading();
  return { load: { ...load, elapsedMs }, reads };
}

/** Appends and tenant reads through PostgresEventStore against plain-SQL baselines. */
export const eventStoreBenchmark: Benchmark = {
  name: 'eventstore',
  title: 'Event store (PostgreSQL adapter)',
  run: async (context: BenchContext): Promise<BenchReport> => {
    const store = new PostgresEventStore(context.db, context.logger);
    try {
      const appends = await measureAppends(context, store);
      const reads = await measureTenantReads(context, store);
      const sample = stockReceived(42, 4242);
      const eventJsonBytes = JSON.stringify(sample.data).length + JSON.stringify(sample.metadata).length;
      return { markdown: eventStoreMarkdown({ ...appends, ...reads, eventJsonBytes, cores: os.cpus().length }) };
    } finally {
      await store.close();
    }
  },
};
