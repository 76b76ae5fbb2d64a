import { spawn } from 'node:child_process';
import net from 'node:net';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { findFreePort } from '../../src/database/tcp-port.js';
import { isAlive, readPostmasterLock, stopStalePostmaster } from '../../src/database/postmaster.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

/**
 * Whether the data directory's server is gone, allowing it a moment to be reaped; with the
 * service's output when it is not, to show why.
 */
async function postgresGone(dataDir: string, service: ServiceProcess): Promise<{ gone: boolean; output?: string }> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const lock = await readPostmasterLock(path.join(dataDir, 'pg'));
    if (lock === undefined || !isAlive(lock.pid)) return { gone: true };
    if (Date.now() > deadline) return { gone: false, output: `pid ${lock.pid} still alive\n${service.output()}` };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The service as a newcomer runs it: its own process on the embedded PostgreSQL, started,
 * restarted, killed and started again. Each test uses its own data directory and ports.
 */
/** /readyz's status once it is 200, or its last status after `timeoutMs`. */
async function readyWithin(port: number, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status } = await fetch(`http://127.0.0.1:${port}/readyz`);
    if (status === 200 || Date.now() > deadline) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('starting the service on the embedded PostgreSQL', () => {
  let dataDir: string;
  const started: ServiceProcess[] = [];
  const run = (env: Record<string, string>): ServiceProcess => {
    const service = startService(env);
    started.push(service);
    return service;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-service-'));
    // mkdtemp makes it 0700: opened so that, as root, the cluster stays in it (where these tests look).
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    // A test that failed left its service running: killed, and gone (kill only signals), before
    // its PostgreSQL is stopped, which refuses while the DATA_DIR's holder is alive.
    for (const service of started) {
      if (service.child.exitCode !== null || service.child.signalCode !== null) continue;
      service.child.kill('SIGKILL');
      await service.exited;
    }
    await stopStalePostmaster(path.join(dataDir, 'pg'));
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('answers /healthz, keeps its data across a restart and stops PostgreSQL on SIGTERM', async () => {
    const env = { DATA_DIR: dataDir, PORT: String(await findFreePort()), EMBEDDED_PG_PORT: String(await findFreePort()) };
    const first = run(env);
    await first.waitUntilHealthy(Number(env.PORT), 30_000);
    const lock = await readPostmasterLock(path.join(dataDir, 'pg'));
    expect(lock && isAlive(lock.pid)).toBe(true);
    // /healthz answers once the port is open; /readyz only once background work has started (503 until then).
    expect(await readyWithin(Number(env.PORT), 30_000)).toBe(200);

    first.child.kill('SIGTERM');
    expect({ code: await first.exited, output: first.output() }).toMatchObject({ code: 0 });
    expect(lock && isAlive(lock.pid)).toBe(false);
    expect(first.output()).toContain('stopping embedded PostgreSQL');

    const second = run(env);
    await second.waitUntilHealthy(Number(env.PORT), 30_000);
    expect(second.output()).not.toContain('creating the embedded PostgreSQL cluster');
    expect(second.output()).not.toContain('applying migration');
    second.child.kill('SIGINT');
    expect({ code: await second.exited, output: second.output() }).toMatchObject({ code: 0 });
  }, 90_000);

  it('stops, with its PostgreSQL, when the npm process that started it dies (npm start does not pass SIGTERM on)', async () => {
    // npm sets npm_lifecycle_event for the scripts it runs; the stand-in below passes it on.
    const env = { DATA_DIR: dataDir, PORT: String(await findFreePort()), EMBEDDED_PG_PORT: String(await findFreePort()), DEMO: 'false', LOG_LEVEL: 'info', PATH: process.env.PATH ?? '', npm_lifecycle_event: 'start' };
    // A stand-in for npm: starts the service and waits, and is then killed without passing anything on.
    const launcher = spawn(process.execPath, ['-e', "require('node:child_process').spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { stdio: 'inherit' }); setInterval(() => {}, 1000);"], {
      cwd: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!(await fetch(`http://127.0.0.1:${env.PORT}/healthz`).then((response) => response.ok, () => false))) {
      if (Date.now() > deadline) throw new Error(`the service did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const lock = await readPostmasterLock(path.join(dataDir, 'pg'));
    expect(lock && isAlive(lock.pid)).toBe(true);
    launcher.kill('SIGKILL');
    const stopped = Date.now() + 15_000;
    while (lock && isAlive(lock.pid) && Date.now() < stopped) await new Promise((resolve) => setTimeout(resolve, 100));
    expect({ alive: lock && isAlive(lock.pid), output }).toMatchObject({ alive: false });
    expect(output).toContain('the npm process that started it exited');
  }, 90_000);

  it('stops a server left running by a killed earlier run of the same data directory', async () => {
    const env = { DATA_DIR: dataDir, PORT: String(await findFreePort()), EMBEDDED_PG_PORT: String(await findFreePort()) };
    const killed = run(env);
    await killed.waitUntilHealthy(Number(env.PORT), 30_000);
    const orphan = await readPostmasterLock(path.join(dataDir, 'pg'));
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(orphan && isAlive(orphan.pid)).toBe(true);

    const next = run(env);
    await next.waitUntilHealthy(Number(env.PORT), 30_000);
    expect(next.output()).toContain('stopped a PostgreSQL server left running by an earlier run');
    expect(orphan && isAlive(orphan.pid)).toBe(false);
    next.child.kill('SIGTERM');
    expect({ code: await next.exited, output: next.output() }).toMatchObject({ code: 0 });
  }, 90_000);

  it('names the port and the setting when the embedded PostgreSQL port is taken', async () => {
    const blocker = net.createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', () => resolve()));
    try {
      const service = run({ DATA_DIR: dataDir, PORT: String(await findFreePort()), EMBEDDED_PG_PORT: String(port) });
      expect({ code: await service.exited, output: service.output() }).toMatchObject({ code: 1 });
      expect(service.output()).toContain(`Port ${port} (embedded PostgreSQL) is already in use by another program. Set EMBEDDED_PG_PORT to a free port.`);
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('names PORT when the HTTP port is taken, and leaves no PostgreSQL running', async () => {
    const blocker = net.createServer();
    const port = await findFreePort();
    await new Promise<void>((resolve) => blocker.listen(port, () => resolve()));
    try {
      const service = run({ DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(await findFreePort()) });
      expect({ code: await service.exited, output: service.output() }).toMatchObject({ code: 1 });
      expect(service.output()).toContain(`Port ${port} (HTTP) is already in use by another program. Set PORT to a free port.`);
      expect(await postgresGone(dataDir, service)).toEqual({ gone: true });
    } finally {
      blocker.close();
    }
  }, 60_000);

  it('refuses to start against a database migrated by a newer version', async () => {
    const env = { DATA_DIR: dataDir, PORT: String(await findFreePort()), EMBEDDED_PG_PORT: String(await findFreePort()) };
    const service = run(env);
    await service.waitUntilHealthy(Number(env.PORT), 30_000);
    const url = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(path.join(dataDir, 'pg-credentials.json'), 'utf8'))) as {
      user: string;
      password: string;
    };
    const client = new pg.Client({ host: 'localhost', port: Number(env.EMBEDDED_PG_PORT), user: url.user, password: url.password, database: 'stockcontrol' });
    await client.connect();
    await client.query("insert into schema_migrations (version, name, checksum) values (9999, 'from_the_future', 'x')");
    await client.end();
    service.child.kill('SIGTERM');
    await service.exited;

    const refused = run(env);
    expect({ code: await refused.exited, output: refused.output() }).toMatchObject({ code: 1 });
    expect(refused.output()).toContain('the database has migration 9999 (from_the_future) that this code does not know');
    expect(await postgresGone(dataDir, refused)).toEqual({ gone: true });
  }, 90_000);
});
