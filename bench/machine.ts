/**
 * The machine and server a benchmark ran on, for the header of its RESULTS.md section: figures
 * mean little without the cores, the disk's durability settings and what else was running.
 */
import os from 'node:os';
import type { Database } from '../src/database/connection.js';

/** Where and when a benchmark ran. */
export interface RunEnvironment {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly node: string;
  readonly postgres: string;
  /** Settings that decide commit cost and caching, e.g. `fsync=on`. */
  readonly settings: readonly string[];
  /** Where the server came from: the embedded one this run started, or DATABASE_URL. */
  readonly server: string;
  readonly loadAverageAtStart: number;
}

const reportedSettings = ['fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers', 'max_wal_size'] as const;

/** Reads the machine's and the server's description; `server` says which server this is. */
export async function describeEnvironment(db: Database, server: string): Promise<RunEnvironment> {
  const version = await db.one<{ server_version: string }>('show server_version');
  const settings: string[] = [];
  for (const name of reportedSettings) {
    const row = await db.one<{ setting: string }>('select current_setting($1) as setting', [name]);
    settings.push(`${name}=${row.setting}`);
  }
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    postgres: version.server_version,
    settings,
    server,
    loadAverageAtStart: os.loadavg()[0] ?? 0,
  };
}

/** The environment as the markdown lines that open a RESULTS.md section; `loadAverageAtEnd` is taken when the benchmark ended. */
export function environmentMarkdown(environment: RunEnvironment, loadAverageAtEnd: number): string {
  return [
    `- Date: ${environment.date}`,
    `- Machine: ${environment.cpu}, ${environment.cores} cores, ${environment.memoryGiB.toFixed(1)} GiB, Node ${environment.node}, ` +
      `PostgreSQL ${environment.postgres}`,
    `- Server: ${environment.server}; ${environment.settings.join(', ')}`,
    // Other work on the machine (a test run, a build) takes cores from both Node and PostgreSQL.
    `- Load average (1 min): ${environment.loadAverageAtStart.toFixed(2)} when the run began, ${loadAverageAtEnd.toFixed(2)} when this benchmark ended`,
  ].join('\n');
}
