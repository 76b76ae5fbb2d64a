import { spawn } from 'node:child_process';
import { access, chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { socketDirectory, startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { findFreePort } from '../../src/database/tcp-port.js';
import { createLogger } from '../../src/logger.js';
import { isAlive } from '../../src/database/postmaster.js';
import { removeAbandonedClusters, startTestClusters, type TestCluster } from '../support/test-cluster.js';
import { adminUrlOfWorker } from '../support/worker-cluster.js';

interface ChildCluster {
  readonly runDir: string;
  readonly postgresPid: number;
  readonly watchdogPid: number;
}

/** Starts `count` test clusters in a child process, as a test run of that many workers would. */
async function clustersInChild(count: number): Promise<{ clusters: ChildCluster[]; kill: (signal?: NodeJS.Signals) => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-child.ts', String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = await new Promise<string[]>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const complete = output.split('\n').slice(0, -1);
      if (complete.length >= count) resolve(complete);
    });
    child.once('exit', () => reject(new Error('the child exited before its clusters started')));
  });
  return { clusters: lines.map((line) => JSON.parse(line) as ChildCluster), kill: (signal = 'SIGKILL') => child.kill(signal) };
}

const gone = async (file: string): Promise<boolean> =>
  await access(file).then(
    () => false,
    () => true,
  );

async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

/** Only the embedded server is ours to configure; an external DATABASE_URL server is not. */
const onEmbedded = process.env.DATABASE_URL ? it.skip : it;

describe('the test set-up leaves nothing running', () => {
  it('a killed test run of two workers: each watchdog stops its PostgreSQL and deletes its folder', async () => {
    const { clusters, kill } = await clustersInChild(2);
    expect(clusters).toHaveLength(2);
    expect(new Set(clusters.map((cluster) => cluster.runDir)).size).toBe(2);
    for (const cluster of clusters) expect(isAlive(cluster.postgresPid)).toBe(true);
    kill();
    for (const cluster of clusters) {
      expect(await waitFor(() => !isAlive(cluster.postgresPid), 20_000)).toBe(true);
      expect(await waitFor(() => gone(cluster.runDir), 5_000)).toBe(true);
    }
  }, 60_000);

  it('a test run ended by SIGTERM, which stops its servers itself: the watchdogs delete the folders', async () => {
    const { clusters, kill } = await clustersInChild(2);
    kill('SIGTERM');
    for (const cluster of clusters) {
      expect(await waitFor(() => !isAlive(cluster.postgresPid), 20_000)).toBe(true);
      expect(await waitFor(() => gone(cluster.runDir), 20_000)).toBe(true);
    }
  }, 60_000);

  it('a killed test run whose watchdogs died too: the next run stops its servers and deletes their folders', async () => {
    const { clusters, kill } = await clustersInChild(2);
    for (const cluster of clusters) process.kill(cluster.watchdogPid, 'SIGKILL');
    kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const cluster of clusters) expect(isAlive(cluster.postgresPid)).toBe(true);
    expect(await removeAbandonedClusters()).toBeGreaterThanOrEqual(2);
    for (const cluster of clusters) {
      expect(isAlive(cluster.postgresPid)).toBe(false);
      expect(await gone(cluster.runDir)).toBe(true);
    }
  }, 60_000);

  it('a run whose second cluster fails to start stops the first and reports the failure', async () => {
    const started: TestCluster[] = [];
    let calls = 0;
    const failing = async (port: number): Promise<TestCluster> => {
      calls += 1;
      if (calls > 1) throw new Error(`no server on port ${port}`);
      const [cluster] = await startTestClusters(1);
      if (!cluster) throw new Error('no cluster');
      started.push(cluster);
      return cluster;
    };
    await expect(startTestClusters(2, failing)).rejects.toThrow(/no server on port/);
    expect(started).toHaveLength(1);
    const [first] = started;
    expect(isAlive(first?.postgresPid ?? 0)).toBe(false);
    expect(await gone(first?.runDir ?? '')).toBe(true);
  }, 60_000);

  it('each jest worker gets a server of its own, and in band (worker 1) the first', () => {
    const urls = JSON.stringify(['postgresql://one', 'postgresql://two']);
    expect(adminUrlOfWorker(urls, '1')).toBe('postgresql://one');
    expect(adminUrlOfWorker(urls, '2')).toBe('postgresql://two');
    expect(adminUrlOfWorker(urls, '3')).toBe('postgresql://one');
    expect(adminUrlOfWorker(urls, undefined)).toBe('postgresql://one');
    expect(() => adminUrlOfWorker(undefined, '1')).toThrow(/STOCKCONTROL_TEST_ADMIN_URLS/);
  });

  onEmbedded('this file runs on the server of its own worker', () => {
    const urls = JSON.parse(process.env.STOCKCONTROL_TEST_ADMIN_URLS ?? '[]') as string[];
    const worker = Number(process.env.JEST_WORKER_ID ?? '1');
    expect(urls.length).toBeGreaterThanOrEqual(1);
    expect(process.env.STOCKCONTROL_TEST_ADMIN_URL).toBe(urls[(worker - 1) % urls.length]);
  });
});


describe('the embedded server is reached through its Unix socket', () => {
  onEmbedded('its URL names the socket folder, and a connection made with it is not TCP', async () => {
    const url = process.env.STOCKCONTROL_TEST_ADMIN_URL ?? '';
    expect(new URL(url).searchParams.get('host')).toMatch(/\/run$/);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      // inet_server_addr() is null exactly when the connection is a Unix socket.
      const { rows } = await client.query<{ address: string | null }>('select inet_server_addr()::text as address');
      expect(rows[0]?.address).toBeNull();
    } finally {
      await client.end();
    }
  });

  it('falls back to TCP when the socket path would not fit in sun_path, counted in bytes', () => {
    expect(socketDirectory('/tmp/run-abc', 54321)).toBe('/tmp/run-abc/run');
    expect(socketDirectory(`/tmp/${'x'.repeat(90)}`, 54321)).toBeUndefined();
    expect(socketDirectory(`/tmp/${'é'.repeat(40)}`, 54321)).toBeUndefined();
  });

  it('starts although a killed server left a socket lock file naming a pid that is alive again, in a folder with a comma', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sc-socket,lock '));
    await chmod(dataDir, 0o755);
    const logger = createLogger('silent');
    try {
      const port = await findFreePort();
      const first = await startEmbeddedPostgres({ dataDir, port, database: 'postgres', durable: false, logger });
      await first.stop();
      // As after a kill -9 and a reboot: the lock file names a pid that now belongs to another
      // process of the server's user (PostgreSQL ignores pids it may not signal, and its parents').
      const owner = await stat(path.join(dataDir, 'pg'));
      const other = spawn('sleep', ['60'], process.getuid?.() === 0 ? { uid: owner.uid, gid: owner.gid } : {});
      await writeFile(path.join(dataDir, 'run', `.s.PGSQL.${port}.lock`), `${other.pid}\n${path.join(dataDir, 'pg')}\n`);
      const second = await startEmbeddedPostgres({ dataDir, port, database: 'postgres', durable: false, logger }).finally(() => other.kill());
      try {
        const client = new pg.Client({ connectionString: second.url });
        await client.connect();
        const { rows } = await client.query<{ address: string | null }>('select inet_server_addr()::text as address');
        await client.end();
        expect(rows[0]?.address).toBeNull();
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
