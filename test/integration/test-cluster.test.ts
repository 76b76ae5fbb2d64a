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
import { removeAbandonedClusters } from '../support/test-cluster.js';

interface ChildCluster {
  readonly runDir: string;
  readonly postgresPid: number;
  readonly watchdogPid: number;
  readonly kill: () => void;
}

/** Starts a test cluster in a child process, as a test run would, and reports where it is. */
async function clusterInChild(): Promise<ChildCluster> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-child.ts'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.split('\n')[0] ?? '');
    });
    child.once('exit', () => reject(new Error('the child exited before its cluster started')));
  });
  return { ...(JSON.parse(line) as Omit<ChildCluster, 'kill'>), kill: () => child.kill('SIGKILL') };
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

describe('the test set-up leaves nothing running', () => {
  it('a killed test run: its watchdog stops PostgreSQL and deletes the folder', async () => {
    const cluster = await clusterInChild();
    expect(isAlive(cluster.postgresPid)).toBe(true);
    cluster.kill();
    expect(await waitFor(() => !isAlive(cluster.postgresPid), 20_000)).toBe(true);
    expect(await waitFor(() => gone(cluster.runDir), 5_000)).toBe(true);
  }, 60_000);

  it('a killed test run whose watchdog died too: the next run stops its server and deletes its folder', async () => {
    const cluster = await clusterInChild();
    process.kill(cluster.watchdogPid, 'SIGKILL');
    cluster.kill();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(isAlive(cluster.postgresPid)).toBe(true);
    expect(await removeAbandonedClusters()).toBeGreaterThanOrEqual(1);
    expect(isAlive(cluster.postgresPid)).toBe(false);
    expect(await gone(cluster.runDir)).toBe(true);
  }, 60_000);
});

/** Only the embedded server is ours to configure; an external DATABASE_URL server is not. */
const onEmbedded = process.env.DATABASE_URL ? it.skip : it;

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
