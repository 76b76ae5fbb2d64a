/**
 * The KurrentDB adapter's own cost, against the test stand-in: the CPU this (client) process
 * spends per append and per event read. The stand-in runs as a process of its own, so its work is
 * not in the client's figures (it is shown beside them); it is no server, so there is no
 * throughput target here: the figures are for noticing a regression of the adapter.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ExpectedRevision } from '../../src/eventstore/event-store.js';
import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import { KurrentDbEventStore } from '../../src/eventstore/kurrentdb/kurrentdb-event-store.js';
import { processCpuMs } from '../cpu-time.js';
import { scaled, type BenchContext, type BenchReport, type Benchmark } from '../benchmark.js';
import { formatCount, formatMs, markdownTable } from '../markdown.js';
import { percentile } from '../measure.js';
import { benchTenant, stockReceivedToAppend, stockStream } from './stock-movement.js';

/** The repository root, also when this runs compiled from dist/bench/. */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), import.meta.url.includes('/dist/') ? '../../..' : '../..');

interface StandInProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

/** Starts the stand-in (test/kurrentdb-standin/main.ts) as a child process on a free port. */
async function startStandInProcess(): Promise<StandInProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/kurrentdb-standin/main.ts', '--port', '0'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  for await (const chunk of child.stdout as AsyncIterable<Buffer>) {
    output += chunk.toString();
    const url = /kurrentdb:\/\/\S+/.exec(output)?.[0];
    if (url) return { url, child };
  }
  throw new Error(`the KurrentDB stand-in did not start: ${output}`);
}

/** One measured run: operations, events, wall time per operation, and CPU of client and stand-in. */
interface Measured {
  readonly label: string;
  readonly operations: number;
  readonly events: number;
  readonly latenciesMs: Float64Array;
  readonly clientMs: number;
  readonly standInMs: number | undefined;
}

async function measure(label: string, standIn: ChildProcess, operations: number, events: number, work: (index: number) => Promise<void>): Promise<Measured> {
  const latenciesMs = new Float64Array(operations);
  const standInBefore = standIn.pid === undefined ? undefined : await processCpuMs(standIn.pid);
  const before = process.cpuUsage();
  for (let index = 0; index < operations; index += 1) {
    const started = performance.now();
    await work(index);
    latenciesMs[index] = performance.now() - started;
  }
  const used = process.cpuUsage(before);
  const standInAfter = standIn.pid === undefined ? undefined : await processCpuMs(standIn.pid);
  latenciesMs.sort();
  return {
    label,
    operations,
    events,
    latenciesMs,
    clientMs: (used.user + used.system) / 1000,
    standInMs: standInBefore === undefined || standInAfter === undefined ? undefined : standInAfter - standInBefore,
  };
}

function row(m: Measured, per: 'operation' | 'event'): string[] {
  const count = per === 'event' ? m.events : m.operations;
  return [
    m.label,
    formatCount(m.operations),
    formatMs(percentile(m.latenciesMs, 50)),
    formatMs(percentile(m.latenciesMs, 99)),
    `${formatCount((m.clientMs * 1000) / count)} per ${per}`,
    m.standInMs === undefined ? 'n/a' : `${formatCount((m.standInMs * 1000) / count)} per ${per}`,
  ];
}

/** Appends (exact expected revision, and `any`, which reads the stream for the ids first) and a tenant read, one at a time. */
async function run(context: BenchContext, store: KurrentDbEventStore, client: KurrentDBClient, standIn: ChildProcess): Promise<Measured[]> {
  const { progress } = context;
  const streams = 200;
  const appends = scaled(context, 3000, 50);
  const revisions = new Map<number, bigint>();
  const tenant = benchTenant('kurrentdb');
  const step = async (label: string, m: () => Promise<Measured>): Promise<Measured> => {
    const done = progress.phase(`eventstore-kurrentdb: ${label}`);
    const result = await m();
    done(`client ${formatCount((result.clientMs * 1000) / result.operations)} µs CPU per call`);
    return result;
  };
  const exact = await step(`store.append 1 event x ${formatCount(appends)}, expected revision`, () =>
    measure('append 1 event, expected revision', standIn, appends, appends, async (index) => {
      const article = index % streams;
      const expected: ExpectedRevision = revisions.get(article) ?? 'no_stream';
      const result = await store.append(stockStream(tenant, article), [stockReceivedToAppend(article, index)], { expectedRevision: expected });
      revisions.set(article, result.revision);
    }),
  );
  const any = await step(`store.append 1 event x ${formatCount(appends)}, any`, () =>
    measure("append 1 event, 'any' (ids checked against the stream first)", standIn, appends, appends, async (index) => {
      await store.append(stockStream(tenant, index % streams), [stockReceivedToAppend(index % streams, index)], { expectedRevision: 'any' });
    }),
  );
  const batches = scaled(context, 200, 5);
  const batch = await step(`store.append 100 events x ${formatCount(batches)}`, () =>
    measure('append 100 events, any', standIn, batches, batches * 100, async (index) => {
      const events = Array.from({ length: 100 }, (_, n) => stockReceivedToAppend(index % streams, index * 100 + n));
      await store.append(stockStream(tenant, index % streams), events, { expectedRevision: 'any' });
    }),
  );
  const total = appends * 2 + batches * 100;
  let read = 0;
  const reading = await step(`readTenant of ${formatCount(total)} events`, () =>
    measure('readTenant (gRPC reads in pages)', standIn, 1, total, async () => {
      for await (const event of store.readTenant(tenant)) if (event) read += 1;
    }),
  );
  if (read !== total) throw new Error(`readTenant read ${read} events of ${total}`);
  // A short read, as a command's load of a stream not in its cache: the adapter's plain gRPC read
  // (src/eventstore/kurrentdb/grpc-read.ts, ended by the server; it used to be a catch-up
  // subscription cancelled at the caught-up signal), against the client's plain read through its
  // Rust bridge (which the adapter does not use: it gives recorded times in whole seconds).
  const shortEvents = 3;
  const short = stockStream(benchTenant('kurrentdb-short'), 0);
  await store.append(short, Array.from({ length: shortEvents }, (_, n) => stockReceivedToAppend(0, n)), { expectedRevision: 'no_stream' });
  const reads = scaled(context, 1000, 20);
  const viaAdapter = await step(`readStream of ${formatCount(shortEvents)} events x ${formatCount(reads)}, adapter`, () =>
    measure(`store.readStream of a ${formatCount(shortEvents)}-event stream (gRPC read)`, standIn, reads, reads * shortEvents, async () => {
      for await (const event of store.readStream(short)) if (!event) throw new Error('no event');
    }),
  );
  const viaBridge = await step(`client.readStream of ${formatCount(shortEvents)} events x ${formatCount(reads)}, Rust bridge`, () =>
    measure(`the same with the client's readStream (Rust bridge, not used)`, standIn, reads, reads * shortEvents, async () => {
      for await (const event of client.readStream(short, { maxCount: 10_000 })) if (!event) throw new Error('no event');
    }),
  );
  return [exact, any, batch, reading, viaAdapter, viaBridge];
}

/** The KurrentDB adapter against the stand-in: client CPU per append and per event read. */
export const kurrentDbEventStoreBenchmark: Benchmark = {
  name: 'eventstore-kurrentdb',
  title: 'Event store (KurrentDB adapter, against the test stand-in)',
  run: async (context: BenchContext): Promise<BenchReport> => {
    const standIn = await startStandInProcess();
    const store = KurrentDbEventStore.connect(standIn.url, context.logger);
    const client = KurrentDBClient.connectionString(standIn.url);
    try {
      const [exact, any, batch, reading, viaAdapter, viaBridge] = await run(context, store, client, standIn.child);
      const table = markdownTable(
        ['operation', 'calls', 'p50 ms', 'p99 ms', 'client CPU µs (this process)', 'stand-in CPU µs'],
        [
          row(exact as Measured, 'operation'),
          row(any as Measured, 'operation'),
          row(batch as Measured, 'event'),
          row(reading as Measured, 'event'),
          row(viaAdapter as Measured, 'operation'),
          row(viaBridge as Measured, 'operation'),
        ],
      );
      return {
        markdown: [
          'One call at a time through `KurrentDbEventStore` to the stand-in (`test/kurrentdb-standin/`), a separate process on the same machine. ' +
            'Client CPU is this process only (the adapter, the client and its gRPC/Rust bridge, event encoding); the stand-in is an in-memory JavaScript server, ' +
            'not KurrentDB, so latencies and its CPU say little about a real server. An append under `any` first reads the stream forward for the ids ' +
            '(the idempotency ledger); under the exact expected revision the ledger settles it without a read. readTenant is gRPC reads in pages of 1,000. ' +
            "The last two rows compare a short read through the adapter (plain gRPC reads, recorded times to the tick) with the client's own readStream " +
            '(its Rust bridge, whole seconds), which the adapter does not use for events.',
          '',
          table,
        ].join('\n'),
      };
    } finally {
      await store.close();
      await client.dispose();
      standIn.child.kill('SIGTERM');
      await once(standIn.child, 'exit');
    }
  },
};
