import { execFile, spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { findFreePort } from '../../src/database/tcp-port.js';
import { createLogger } from '../../src/logger.js';
import { isAlive, readPostmasterLock, stopStalePostmaster } from '../../src/database/postmaster.js';
import { startService } from '../support/service-process.js';

const run = promisify(execFile);
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * As root, the embedded PostgreSQL runs as `postgres`, who cannot enter a folder only root can
 * (a clone under /root, a `mktemp -d` folder). Only root can set this up, so only root runs it.
 */
const asRoot = process.getuid?.() === 0 && !process.env.DATABASE_URL ? describe : describe.skip;

asRoot('as root, from a clone in a folder only root can enter', () => {
  let privateDir = '';
  let clone = '';
  const homes: string[] = [];

  beforeAll(async () => {
    // mkdtemp makes a 0700 folder, as `mktemp -d` does; the project is copied in, node_modules hard-linked.
    privateDir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-private-'));
    clone = path.join(privateDir, 'clone');
    await run('mkdir', [clone]);
    await run('cp', ['-al', path.join(projectRoot, 'node_modules'), clone]);
    await run('cp', ['-r', ...['src', 'test', 'migrations', 'package.json', 'tsconfig.json'].map((entry) => path.join(projectRoot, entry)), clone]);
  }, 120_000);
  afterAll(async () => {
    for (const home of homes) {
      await stopStalePostmaster(path.join(home, 'pg'));
      await rm(home, { recursive: true, force: true });
    }
    if (privateDir) await rm(privateDir, { recursive: true, force: true });
  }, 60_000);

  it('npm start works: the cluster lives where DATA_DIR/cluster-home says, the binaries are a copy, the folder stays private', async () => {
    const env = { PORT: String(await findFreePort()), EMBEDDED_PG_PORT: String(await findFreePort()) };
    const first = startService(env, 'src/main.ts', [], clone);
    await first.waitUntilHealthy(Number(env.PORT), 90_000);
    const home = (await readFile(path.join(clone, '.data', 'cluster-home'), 'utf8')).trim();
    homes.push(home);
    expect(home.startsWith(privateDir)).toBe(false);
    expect(first.output()).toContain('PostgreSQL runs from a copy of its binaries');
    expect(first.output()).toContain('the embedded cluster lives in a folder of its own');
    const postmaster = await readPostmasterLock(path.join(home, 'pg'));
    expect(postmaster && isAlive(postmaster.pid)).toBe(true);
    const password = 'correct horse battery';
    const registered = await fetch(`http://127.0.0.1:${env.PORT}/api/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ companyName: 'Private Ltd', tenant: 'private', email: 'a@private.example', username: 'admin', password, passwordConfirm: password }),
    });
    expect(registered.status).toBe(201);
    first.child.kill('SIGTERM');
    expect({ code: await first.exited, output: first.output() }).toMatchObject({ code: 0 });
    expect(first.output()).toContain('"msg":"stopped"');
    expect(postmaster && isAlive(postmaster.pid)).toBe(false);
    expect((await stat(privateDir)).mode & 0o777).toBe(0o700);

    // The next start finds the same cluster (no new one, no migration) through cluster-home.
    const second = startService(env, 'src/main.ts', [], clone);
    await second.waitUntilHealthy(Number(env.PORT), 60_000);
    expect(second.output()).not.toContain('creating the embedded PostgreSQL cluster');
    expect(second.output()).not.toContain('applying migration');
    second.child.kill('SIGTERM');
    expect({ code: await second.exited, output: second.output() }).toMatchObject({ code: 0 });
  }, 180_000);

  it('where the server cannot run, one error says why, where and what to set, and DATA_DIR is left unlocked', async () => {
    const dataDir = path.join(privateDir, 'refused-data');
    // A shared folder anybody may write into is no place for what the server runs or keeps.
    const unsafeRoot = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-unsafe-'));
    await chmod(unsafeRoot, 0o777);
    try {
      const started = startEmbeddedPostgres({ dataDir, port: await findFreePort(), logger: createLogger('silent'), sharedRoot: unsafeRoot });
      await expect(started).rejects.toMatchObject({ code: 'embedded-postgres-unavailable' });
      const message = await started.catch((error: Error) => error.message);
      expect(message).toContain(`${unsafeRoot} is not owned by root or is writable by others`);
      expect(message).toContain('Set DATABASE_URL');
      expect(message).toContain('DATA_DIR');
      await expect(readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8')).rejects.toThrow();
    } finally {
      await rm(unsafeRoot, { recursive: true, force: true });
    }
  });

  it("npm test's cluster starts from such a clone, and its watchdog cleans up when the run is killed", async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/cluster-child.ts'], { cwd: clone, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (text.includes('\n')) resolve(text.split('\n')[0] ?? '');
      });
      child.once('exit', () => reject(new Error(`the test cluster did not start:\n${output}`)));
    });
    const cluster = JSON.parse(line) as { runDir: string; postgresPid: number };
    expect(isAlive(cluster.postgresPid)).toBe(true);
    child.kill('SIGKILL');
    const deadline = Date.now() + 20_000;
    while (isAlive(cluster.postgresPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(isAlive(cluster.postgresPid)).toBe(false);
  }, 120_000);
});
