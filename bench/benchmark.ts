/**
 * What a benchmark is to the runner (run.ts): a name to select it by and a function that measures
 * and returns its section of bench/RESULTS.md.
 */
import type { Database } from '../src/database/connection.js';
import type { Logger } from '../src/logger.js';
import type { Progress } from './progress.js';

/** The application_name of the shared pool's connections, to find them in pg_stat_activity. */
export const benchApplicationName = 'stockcontrol-bench';

/** What the runner hands every benchmark. */
export interface BenchContext {
  /** URL of the benchmark database, for benchmarks that need connections of their own. */
  readonly url: string;
  /** The postmaster's pid when the server is the embedded one on this machine, for CPU accounting. */
  readonly serverPid: number | undefined;
  /** The shared pool (max 20 connections), already migrated. */
  readonly db: Database;
  readonly logger: Logger;
  readonly progress: Progress;
  /** Multiplies every operation count: 1 for a real run, smaller to try the harness quickly. */
  readonly scale: number;
}

/** A benchmark's section of RESULTS.md, below the runner's date and machine header. */
export interface BenchReport {
  /** Markdown: result tables and what limits each figure. */
  readonly markdown: string;
}

/** One benchmark. */
export interface Benchmark {
  /** Selects it on the command line (`npm run bench -- <name>`) and names its RESULTS.md section. */
  readonly name: string;
  /** The section heading. */
  readonly title: string;
  run(context: BenchContext): Promise<BenchReport>;
}

/** Scales an operation count, never below `minimum`. */
export function scaled(context: Pick<BenchContext, 'scale'>, count: number, minimum = 1): number {
  return Math.max(minimum, Math.round(count * context.scale));
}
