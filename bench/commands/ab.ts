/**
 * The command benchmark as an A/B comparison with another build of the project (an old ref built
 * into its own folder): `BENCH_COMPARE_DIST=/tmp/old/dist npm run bench -- commands`.
 *
 * A VM shared with other work drifts by tens of percent within minutes, so two runs minutes apart
 * say little. Here each build gets a schema of its own in the same database, migrated by its own
 * migrations, and the rounds alternate A B B A A B B A ... (each pair in the other order than the
 * one before, so a steady drift does not favour either side). Every round is a process of its own
 * (ab-round.ts) running the same measurement on its build's command handlers, event store and
 * pool. The answer is each figure's median per side and, what matters, the ratio B/A of each
 * pair, with its spread.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Database } from '../../src/database/connection.js';
import type { Logger } from '../../src/logger.js';
import type { BenchContext } from '../benchmark.js';
import { formatMs, formatRatio, markdownTable } from '../markdown.js';
import type { RoundFigures } from './ab-round.js';

/** Where the comparison's options come from: the environment of `npm run bench`. */
export interface CompareOptions {
  /** The other build's dist folder (A); this build is B. */
  readonly baselineDist: string;
  /** How many A/B pairs (default 6). */
  readonly pairs: number;
  /** A folder to write each round's CPU profile of the first command on the long stream into. */
  readonly profileDir?: string;
}

/** Reads BENCH_COMPARE_DIST, BENCH_COMPARE_PAIRS and BENCH_COMPARE_PROFILE; undefined when no comparison is asked for. */
export function compareOptions(env: NodeJS.ProcessEnv = process.env): CompareOptions | undefined {
  const dist = env.BENCH_COMPARE_DIST;
  if (!dist) return undefined;
  const pairs = Number(env.BENCH_COMPARE_PAIRS ?? '6');
  if (!Number.isInteger(pairs) || pairs < 1) throw new Error(`BENCH_COMPARE_PAIRS must be a whole number of pairs, not ${JSON.stringify(env.BENCH_COMPARE_PAIRS)}`);
  return { baselineDist: path.resolve(dist), pairs, ...(env.BENCH_COMPARE_PROFILE ? { profileDir: path.resolve(env.BENCH_COMPARE_PROFILE) } : {}) };
}

/** This build's dist folder (the runner runs from it). */
const thisDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const roundScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ab-round.js');

/**
 * Creates (anew) a schema for one side in the benchmark's database and migrates it with that
 * build's own migrations; the side's connections find it first on their search_path (the
 * service's role may create schemas in its database, not databases).
 */
async function sideDatabase(context: BenchContext, dist: string, name: string): Promise<string> {
  await context.db.none('drop schema if exists $1:name cascade', [name]);
  await context.db.none('create schema $1:name', [name]);
  const url = new URL(context.url);
  url.searchParams.set('options', `-c search_path=${name}`);
  const from = async <T>(file: string): Promise<T> => (await import(pathToFileURL(path.join(dist, file)).href)) as T;
  const { openDatabase, closeDatabase } = await from<{ openDatabase: (url: string) => Database; closeDatabase: (db: Database) => Promise<void> }>('src/database/connection.js');
  const { migrate } = await from<{ migrate: (db: Database, logger: Logger) => Promise<unknown> }>('src/database/migrations.js');
  const db = openDatabase(url.toString());
  try {
    await migrate(db, context.logger);
  } finally {
    await closeDatabase(db);
  }
  return url.toString();
}

/** Runs one round as a child process and parses its figures. */
async function runRound(dist: string, url: string, context: BenchContext, profile: string | undefined): Promise<RoundFigures> {
  const args = [roundScript, dist, url, String(context.scale), context.serverPid === undefined ? '-' : String(context.serverPid), ...(profile ? [profile] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  if (code !== 0) throw new Error(`the round of ${dist} exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as RoundFigures;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  return sorted.length % 2 === 1 ? (sorted[Math.floor(middle)] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

const figures: ReadonlyArray<readonly [keyof RoundFigures, string, 'ms' | 'rate']> = [
  ['receiptP50', 'receipt, concurrency 1: p50 ms', 'ms'],
  ['receiptP99', 'receipt, concurrency 1: p99 ms', 'ms'],
  ['receiptRate', 'receipt, concurrency 1: commands/s', 'rate'],
  ['receiptP50At16', 'receipt, concurrency 16: p50 ms', 'ms'],
  ['receiptRateAt16', 'receipt, concurrency 16: commands/s', 'rate'],
  ['firstLong', 'first command on LONG (folds the stream) ms', 'ms'],
  ['firstShort', 'first command on SHORT ms', 'ms'],
  ['transferP50Long', 'transfer on LONG: p50 ms', 'ms'],
  ['transferP50Short', 'transfer on SHORT: p50 ms', 'ms'],
  ['receiptNodeCpu', 'receipt, concurrency 1: Node CPU ms per command', 'ms'],
  ['receiptServerCpu', 'receipt, concurrency 1: PostgreSQL CPU ms per command', 'ms'],
  ['firstLongNodeCpu', 'first command on LONG: Node CPU ms', 'ms'],
  ['firstLongServerCpu', 'first command on LONG: PostgreSQL CPU ms', 'ms'],
];

/** Runs the A/B comparison and returns its markdown: per figure, each side's median and B/A per pair. */
export async function compareWithBuild(context: BenchContext, options: CompareOptions): Promise<string> {
  const { progress } = context;
  const prepared = progress.phase('commands A/B: a migrated database for each build');
  const urls = { a: await sideDatabase(context, options.baselineDist, 'bench_ab_a'), b: await sideDatabase(context, thisDist, 'bench_ab_b') };
  prepared();
  const rounds: { a: RoundFigures[]; b: RoundFigures[] } = { a: [], b: [] };
  for (let pair = 0; pair < options.pairs; pair += 1) {
    const order: ReadonlyArray<'a' | 'b'> = pair % 2 === 0 ? ['a', 'b'] : ['b', 'a'];
    for (const side of order) {
      const done = progress.phase(`commands A/B: pair ${pair + 1} of ${options.pairs}, ${side === 'a' ? 'A (baseline)' : 'B (this build)'}`);
      const profile = options.profileDir ? path.join(options.profileDir, `${side}-${pair + 1}.cpuprofile`) : undefined;
      const result = await runRound(side === 'a' ? options.baselineDist : thisDist, urls[side], context, profile);
      rounds[side].push(result);
      done(`first LONG ${formatMs(result.firstLong)} ms, receipt p50 ${formatMs(result.receiptP50)} ms`);
    }
  }
  await context.db.none('drop schema if exists bench_ab_a, bench_ab_b cascade');

  const rows = figures.map(([key, label, kind]) => {
    const ratios = rounds.b.map((b, index) => b[key] / (rounds.a[index] as RoundFigures)[key]);
    const show = (value: number): string => (kind === 'ms' ? formatMs(value) : Math.round(value).toLocaleString('en-US'));
    return [label, show(median(rounds.a.map((round) => round[key]))), show(median(rounds.b.map((round) => round[key]))), formatRatio(median(ratios)), `${formatRatio(Math.min(...ratios))} – ${formatRatio(Math.max(...ratios))}`];
  });
  return [
    `A/B against the build in \`${options.baselineDist}\` (A) and this build (B): ${options.pairs} pairs, rounds in the order A B B A A B ..., each a process of its own on a schema of its own (same database), BENCH_SCALE ${context.scale}.`,
    '',
    markdownTable(['figure', 'A median', 'B median', 'B/A, median of pairs', 'B/A, min – max'], rows),
  ].join('\n');
}
