/**
 * The PostgreSQL server a benchmark run measures against: DATABASE_URL when it is set, otherwise
 * an embedded server of its own in a fresh temporary folder, with the durability settings of
 * production (fsync on) because commit cost is much of what an event store's appends measure.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres.js';
import { findFreePort } from '../src/database/tcp-port.js';
import type { Logger } from '../src/logger.js';

/** The server of one benchmark run. */
export interface BenchDatabase {
  readonly url: string;
  /** For the results header: which server this is. */
  readonly description: string;
  /** The embedded server's process id, for the console; undefined for DATABASE_URL. */
  readonly pid: number | undefined;
  /** Stops the embedded server and removes its folder; does nothing for DATABASE_URL. Safe to call twice. */
  release(): Promise<void>;
}

/** Uses `databaseUrl` when given; otherwise starts an embedded server in a new temporary folder. */
export async function openBenchDatabase(databaseUrl: string | undefined, logger: Logger): Promise<BenchDatabase> {
  if (databaseUrl) {
    return { url: databaseUrl, description: 'DATABASE_URL (external server)', pid: undefined, release: async () => undefined };
  }
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-bench-'));
  // mkdtemp makes it 0700: as root, the server's user must enter it, or the cluster would be kept elsewhere.
  await chmod(dataDir, 0o755);
  const removeDataDir = (): Promise<void> => rm(dataDir, { recursive: true, force: true });
  let server;
  try {
    server = await startEmbeddedPostgres({ dataDir, port: await findFreePort(), database: 'bench', durable: true, logger });
  } catch (error) {
    await removeDataDir();
    throw error;
  }
  const running = server;
  let releasing: Promise<void> | undefined;
  return {
    url: running.url,
    description: `embedded, fresh cluster in ${os.tmpdir()}, durable`,
    pid: running.pid,
    release: () =>
      (releasing ??= (async () => {
        try {
          await running.stop();
        } finally {
          await removeDataDir();
        }
      })()),
  };
}
