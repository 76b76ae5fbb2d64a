import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { findFreePort } from '../../src/database/tcp-port.js';
import { isHeld, readDataDirLock } from '../../src/database/data-dir-lock.js';
import { isAlive, stopStalePostmaster } from '../../src/database/postmaster.js';
import { binariesFor, defaultSharedRoot, runningAsRoot, serverUser } from '../../src/database/postgres-binaries.js';
import { createLogger } from '../../src/logger.js';

/**
 * Where test runs keep their throw-away clusters: one `run-*` folder per run. One folder per
 * user: root's (0755, owned by root) lets no other user make a run folder in it.
 */
export const testClustersRoot = path.join(os.tmpdir(), process.getuid?.() === 0 || process.getuid === undefined ? 'stockcontrol-test-clusters' : `stockcontrol-test-clusters-${process.getuid()}`);

/** A test run's own PostgreSQL server. */
export interface TestCluster {
  readonly adminUrl: string;
  readonly runDir: string;
  readonly postgresPid: number | undefined;
  readonly watchdogPid: number | undefined;
  stop(): Promise<void>;
}

/**
 * Stops servers and deletes folders left by earlier test runs that were killed before their
 * teardown ran (their owner process is gone). Runs still in progress are left alone.
 */
export async function removeAbandonedClusters(): Promise<number> {
  let removed = 0;
  const entries = await readdir(testClustersRoot).catch(() => [] as string[]);
  for (const entry of entries.filter((name) => name.startsWith('run-'))) {
    const runDir = path.join(testClustersRoot, entry);
    const owner = Number(await readFile(path.join(runDir, 'owner.pid'), 'utf8').catch(() => '0'));
    if (owner > 0 && isAlive(owner)) continue;
    // The DATA_DIR lock says the same for runs of this code: its holder must be gone too.
    const lock = await readDataDirLock(runDir);
    if (lock && isHeld(lock)) continue;
    // A folder without its owner file may be a run that is starting right now: leave it a minute.
    // Another run's clean-up may remove the folder meanwhile (several runs on one machine).
    const modified = await stat(runDir).then((info) => info.mtimeMs, () => undefined);
    if (modified === undefined) continue;
    if (owner === 0 && Date.now() - modified < 60_000) continue;
    await stopStalePostmaster(path.join(runDir, 'pg'));
    await rm(runDir, { recursive: true, force: true });
    removed += 1;
  }
  return removed;
}

/**
 * Starts an embedded PostgreSQL for one test run in a fresh temporary folder, on a free port, with
 * a watchdog process that stops it and deletes the folder should this process die without
 * calling stop() (a killed or interrupted run).
 */
export async function startTestCluster(): Promise<TestCluster> {
  const [cluster] = await startTestClusters(1);
  if (!cluster) throw new Error('no test cluster started');
  return cluster;
}

/**
 * Starts `count` test clusters side by side (one per jest worker, so that one worker's long
 * transactions never hold back another's event-store readers, whose guard is server-wide). Each
 * has its own folder, port and watchdog. Should any fail to start, those that did are stopped
 * and the first error is thrown: a half-started run leaves nothing behind.
 */
export async function startTestClusters(count: number, start: (port: number) => Promise<TestCluster> = startOneCluster): Promise<TestCluster[]> {
  await removeAbandonedClusters();
  await mkdir(testClustersRoot, { recursive: true, mode: 0o755 });
  // Done once before the parallel starts: as root, the first start may copy the binaries to a
  // folder the server's user can reach, and two copies made by one process would share a name.
  if (runningAsRoot()) await binariesFor(await serverUser(), defaultSharedRoot);
  // Distinct ports, chosen one after the other: two probes in parallel could be given the same one.
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await findFreePort();
    if (!ports.includes(port)) ports.push(port);
  }
  const results = await Promise.allSettled(ports.map((port) => start(port)));
  const started = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) {
    await Promise.allSettled(started.map((cluster) => cluster.stop()));
    throw failure.reason;
  }
  return started;
}

async function startOneCluster(port: number): Promise<TestCluster> {
  const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', 'test-cluster');
  const runDir = await mkdtemp(path.join(testClustersRoot, 'run-'));
  // mkdtemp makes it 0700; the server's user (`postgres`, when the tests run as root) must enter it.
  await chmod(runDir, 0o755);
  await writeFile(path.join(runDir, 'owner.pid'), String(process.pid));
  let server: EmbeddedPostgres;
  try {
    // As the superuser: the run makes a template database and a database per test file.
    server = await startEmbeddedPostgres({ dataDir: runDir, port, database: 'postgres', durable: false, applicationRole: false, logger });
  } catch (error) {
    await rm(runDir, { recursive: true, force: true });
    throw error;
  }
  const watchdogScript = path.join(path.dirname(fileURLToPath(import.meta.url)), 'watchdog.mjs');
  const watchdog = spawn(process.execPath, [watchdogScript, String(process.pid), String(server.pid ?? 0), runDir], {
    detached: true,
    stdio: 'ignore',
  });
  watchdog.unref();
  return {
    adminUrl: server.url,
    runDir,
    postgresPid: server.pid,
    watchdogPid: watchdog.pid,
    stop: async () => {
      await server.stop();
      if (watchdog.pid !== undefined && isAlive(watchdog.pid)) process.kill(watchdog.pid, 'SIGTERM');
      await rm(runDir, { recursive: true, force: true });
    },
  };
}
