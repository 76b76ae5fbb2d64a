/**
 * One round of the command benchmark's A/B comparison (ab.ts), in a process of its own, so that
 * "the first command after a start" really is one and neither build warms the other's code.
 *
 *   node dist/bench/commands/ab-round.js <dist folder> <database URL> <scale> <postmaster pid or -> [cpu profile file]
 *
 * The command handlers, the event store, the pool and the set-up are loaded from the named build
 * (this one's dist, or an old ref's built beside it), so both sides run the same measurement over
 * their own code. The database must already be migrated by that build. With a profile file, the
 * first command on the long stream (the fold) runs under the V8 CPU profiler, and only it.
 * Prints one JSON line of figures in milliseconds. Beside wall-clock times it counts CPU time, of
 * this process and of the (embedded) server, which other work on a shared machine disturbs far
 * less: a slower build spends more CPU per command whatever the load.
 */
import { Session } from 'node:inspector/promises';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CommandHandlers } from '../../src/commands/command-handlers.js';
import type { Database } from '../../src/database/connection.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import type { Logger } from '../../src/logger.js';
import type * as Setup from './setup.js';
import { serverCpuMs } from '../cpu-time.js';
import { percentile, runConcurrently, timed } from '../measure.js';

/** What one round measured, in ms (rates in commands/s). */
export interface RoundFigures {
  readonly receiptP50: number;
  readonly receiptP99: number;
  readonly receiptRate: number;
  readonly receiptP50At16: number;
  readonly receiptRateAt16: number;
  readonly firstLong: number;
  readonly firstShort: number;
  readonly transferP50Long: number;
  readonly transferP50Short: number;
  /** CPU ms of this process per receipt at concurrency 1, and of the server (NaN without its pid). */
  readonly receiptNodeCpu: number;
  readonly receiptServerCpu: number;
  /** CPU ms of this process, and of the server, during the first command on LONG. */
  readonly firstLongNodeCpu: number;
  readonly firstLongServerCpu: number;
}

/** CPU ms of this process and of the server while `work` runs. */
async function cpuOf<T>(postmaster: number | undefined, work: () => Promise<T>): Promise<{ result: T; node: number; server: number }> {
  const serverBefore = postmaster === undefined ? undefined : await serverCpuMs(postmaster);
  const before = process.cpuUsage();
  const result = await work();
  const used = process.cpuUsage(before);
  const serverAfter = postmaster === undefined ? undefined : await serverCpuMs(postmaster);
  return { result, node: (used.user + used.system) / 1000, server: serverBefore === undefined || serverAfter === undefined ? Number.NaN : serverAfter - serverBefore };
}

/** The parts of a build a round uses: each side's own. */
interface Build {
  readonly createCommandHandlers: (store: EventStore) => CommandHandlers;
  readonly PostgresEventStore: new (db: Database, logger: Logger) => EventStore;
  readonly openDatabase: (url: string, options?: { max?: number; applicationName?: string }) => Database;
  readonly closeDatabase: (db: Database) => Promise<void>;
  readonly createLogger: (level: string, name?: string) => Logger;
  readonly setup: typeof Setup;
}

const articles = 200;

async function load(dist: string): Promise<Build> {
  const from = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(dist, file)).href)) as T;
  const [handlers, store, connection, logger, setup] = await Promise.all([
    from<Pick<Build, 'createCommandHandlers'>>('src/commands/command-handlers.js'),
    from<Pick<Build, 'PostgresEventStore'>>('src/eventstore/postgres/postgres-event-store.js'),
    from<Pick<Build, 'openDatabase' | 'closeDatabase'>>('src/database/connection.js'),
    from<Pick<Build, 'createLogger'>>('src/logger.js'),
    from<typeof Setup>('bench/commands/setup.js'),
  ]);
  return { ...handlers, ...store, ...connection, ...logger, setup };
}

const scaledBy = (scale: number, count: number, minimum: number): number => Math.max(minimum, Math.round(count * scale));

/** The first command on `sku` from handlers that have never seen it, under the CPU profiler when `profile` names a file. */
async function firstCommand(handlers: CommandHandlers, build: Build, tenant: string, sku: string, profile?: string): Promise<number> {
  const transfer = (): Promise<unknown> => handlers.stock.transfer(build.setup.benchMetadata(tenant), { lines: [{ sku, quantity: 1000, from: 'A-01', to: 'A-02' }] });
  if (!profile) return (await timed(transfer)).elapsedMs;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  const { elapsedMs } = await timed(transfer);
  const { profile: taken } = await session.post('Profiler.stop');
  await writeFile(profile, JSON.stringify(taken));
  session.disconnect();
  return elapsedMs;
}

async function round(dist: string, url: string, scale: number, postmaster: number | undefined, profile?: string): Promise<RoundFigures> {
  const build = await load(dist);
  const { setup } = build;
  const db = build.openDatabase(url, { max: 20, applicationName: 'stockcontrol-bench-ab' });
  const store = new build.PostgresEventStore(db, build.createLogger('warn', 'bench'));
  try {
    const tenant = `ab${Date.now().toString(36)}${process.pid.toString(36)}`;
    const side = build.createCommandHandlers(store);
    await setup.createWarehouse(side, tenant, articles);
    const receipts = async (operations: number, concurrency: number) => {
      const receipt = (index: number): Promise<unknown> =>
        side.stock.receive(setup.benchMetadata(tenant), { reference: `PO-${index}`, lines: [{ sku: `ART-${index % articles}`, quantity: 5000, location: setup.bins[index % setup.bins.length] as string }] });
      await runConcurrently(200, concurrency, receipt);
      return await runConcurrently(operations, concurrency, receipt);
    };
    const singleCount = scaledBy(scale, 2000, 100);
    const { result: single, node: singleNode, server: singleServer } = await cpuOf(postmaster, () => receipts(singleCount, 1));
    const sixteen = await receipts(scaledBy(scale, 10_000, 200), 16);

    await setup.writeHistory(store, tenant, 'LONG', scaledBy(scale, 100_000, 1000), () => undefined);
    await setup.writeHistory(store, tenant, 'SHORT', 10, () => undefined);
    for (const sku of ['LONG', 'SHORT']) await side.catalog.registerArticle(setup.benchMetadata(tenant), { sku, name: sku, unit: 'pcs', tracking: 'none' });
    for (const sku of ['LONG', 'SHORT']) await side.stock.receive(setup.benchMetadata(tenant), { lines: setup.bins.slice(0, 2).map((location) => ({ sku, quantity: 100_000, location })) });
    const fresh = build.createCommandHandlers(store);
    const { result: firstLong, node: firstLongNodeCpu, server: firstLongServerCpu } = await cpuOf(postmaster, () => firstCommand(fresh, build, tenant, 'LONG', profile));
    const firstShort = await firstCommand(fresh, build, tenant, 'SHORT');
    const latencies: [number[], number[]] = [[], []];
    for (let turn = 0; turn < scaledBy(scale, 1000, 50); turn += 1) {
      for (const [which, sku] of ['LONG', 'SHORT'].entries()) {
        const started = performance.now();
        await fresh.stock.transfer(setup.benchMetadata(tenant), { lines: [{ sku, quantity: 1000, from: setup.bins[turn % 2] as string, to: setup.bins[(turn + 1) % 2] as string }] });
        latencies[which as 0 | 1].push(performance.now() - started);
      }
    }
    const [long, short] = latencies.map((list) => Float64Array.from(list).sort()) as [Float64Array, Float64Array];
    return {
      receiptP50: percentile(single.latenciesMs, 50),
      receiptP99: percentile(single.latenciesMs, 99),
      receiptRate: (single.operations * 1000) / single.elapsedMs,
      receiptP50At16: percentile(sixteen.latenciesMs, 50),
      receiptRateAt16: (sixteen.operations * 1000) / sixteen.elapsedMs,
      firstLong,
      firstShort,
      transferP50Long: percentile(long, 50),
      transferP50Short: percentile(short, 50),
      // The warm-up's 200 receipts ran inside the counted span too.
      receiptNodeCpu: singleNode / (singleCount + 200),
      receiptServerCpu: singleServer / (singleCount + 200),
      firstLongNodeCpu,
      firstLongServerCpu,
    };
  } finally {
    await store.close();
    await build.closeDatabase(db);
  }
}

const [dist, url, scaleText, postmasterText, profile] = process.argv.slice(2);
if (!dist || !url) {
  process.stderr.write('usage: node dist/bench/commands/ab-round.js <dist folder> <database URL> [scale] [postmaster pid or -] [cpu profile file]\n');
  process.exit(2);
}
const postmaster = postmasterText === undefined || postmasterText === '-' ? undefined : Number(postmasterText);
process.stdout.write(`${JSON.stringify(await round(path.resolve(dist), url, Number(scaleText ?? '1'), postmaster, profile))}\n`);
