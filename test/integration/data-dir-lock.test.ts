import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { lockDataDir } from '../../src/database/data-dir-lock.js';
import { initialPidNamespace, placeOfThisProcess } from '../../src/database/process-identity.js';
import { findFreePort } from '../../src/database/tcp-port.js';
import { isAlive, readPostmasterLock, stopStalePostmaster } from '../../src/database/postmaster.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const ports = async (dataDir: string): Promise<Record<string, string>> => ({
  DATA_DIR: dataDir,
  PORT: String(await findFreePort()),
  EMBEDDED_PG_PORT: String(await findFreePort()),
});

/** One process per DATA_DIR: the service and `npm run migrate` alike; `npm run projections` (stockctl) uses the holder's server. */
describe('one process per data directory', () => {
  let dataDir: string;
  const started: ServiceProcess[] = [];
  const run = (env: Record<string, string>, script?: string, args: string[] = []): ServiceProcess => {
    const service = startService(env, script, args);
    started.push(service);
    return service;
  };

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-lock-'));
    // mkdtemp makes it 0700: opened so that, as root, the cluster stays in it (where these tests look).
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    for (const service of started) if (service.child.exitCode === null) service.child.kill('SIGKILL');
    await stopStalePostmaster(path.join(dataDir, 'pg'));
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('a second start on a live DATA_DIR refuses at once, naming the folder and the holder, and leaves the first one serving', async () => {
    const env = await ports(dataDir);
    const first = run(env);
    await first.waitUntilHealthy(Number(env.PORT), 30_000);
    const postmaster = await readPostmasterLock(path.join(dataDir, 'pg'));

    const lock = await readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8');
    for (const script of ['src/main.ts', 'src/cli/migrate.ts']) {
      const second = run(await ports(dataDir), script);
      const code = await second.exited;
      expect({ script, code, output: second.output() }).toMatchObject({ code: 1 });
      expect(second.output()).toContain(`${path.resolve(dataDir)} is in use by process ${first.child.pid}`);
      expect(second.output()).not.toMatch(/\n\s+at /);
    }
    // `npm run projections` (stockctl) starts no second server either: it works through the holder's.
    const projections = run({ ...(await ports(dataDir)), LOG_LEVEL: 'warn' }, 'src/cli/stockctl.ts', ['projections', 'status']);
    expect({ code: await projections.exited, output: projections.output() }).toMatchObject({ code: 0, output: expect.stringContaining('no tenants yet') });
    expect(await readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8')).toBe(lock);
    expect(await readPostmasterLock(path.join(dataDir, 'pg'))).toEqual(postmaster);
    expect(postmaster && isAlive(postmaster.pid)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${env.PORT}/readyz`)).status).toBe(200);

    first.child.kill('SIGTERM');
    expect({ code: await first.exited, output: first.output() }).toMatchObject({ code: 0 });
    await expect(readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8')).rejects.toThrow();
  }, 120_000);

  it('takes over the lock of a process that is gone, and then stops the server it left behind', async () => {
    const env = await ports(dataDir);
    const killed = run(env);
    await killed.waitUntilHealthy(Number(env.PORT), 30_000);
    const orphan = await readPostmasterLock(path.join(dataDir, 'pg'));
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(await readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8')).toContain(String(killed.child.pid));

    const next = run(env);
    await next.waitUntilHealthy(Number(env.PORT), 30_000);
    expect(next.output()).toContain('took over the lock of DATA_DIR from process');
    expect(orphan && isAlive(orphan.pid)).toBe(false);
    next.child.kill('SIGTERM');
    expect({ code: await next.exited, output: next.output() }).toMatchObject({ code: 0 });
  }, 90_000);

  it.each([
    ['a free folder', undefined],
    ['a folder whose lock holder is gone', JSON.stringify({ pid: 2 ** 22 + 1, startedAt: '1' })],
  ])('of eight processes locking %s at once, exactly one gets it', async (_, existing) => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-race-'));
    try {
      if (existing) await writeFile(path.join(folder, 'stockcontrol.lock'), existing);
      // Every process spins until the same instant, then locks: a race, not eight starts in a row.
      // The winner holds the lock until every other process has answered (then it is killed),
      // so a slow starter on a loaded machine meets a live holder, never a dead one to take over.
      const script = `import { lockDataDir } from './src/database/data-dir-lock.ts';
        while (Date.now() < Number(process.argv[2]));
        lockDataDir(process.argv[1]).then(() => { process.stdout.write('got'); setInterval(() => {}, 1000); }, (error) => { process.stdout.write(error.code ?? error.message); process.exit(0); });`;
      const at = String(Date.now() + 6000);
      const children = Array.from({ length: 8 }, () => spawn('node', ['--import', 'tsx', '--input-type=module', '-e', script, folder, at], { cwd: projectRoot }));
      const answered = children.map(
        async (child) =>
          await new Promise<string>((resolve) => {
            let out = '';
            child.stdout.on('data', (chunk: Buffer) => {
              out += chunk.toString();
              if (out === 'got') resolve(out);
            });
            child.on('exit', () => resolve(out));
          }),
      );
      const answers = await Promise.all(answered);
      for (const child of children) child.kill('SIGKILL');
      expect(answers.filter((answer) => answer === 'got')).toHaveLength(1);
      expect(answers.filter((answer) => answer === 'data-dir-in-use')).toHaveLength(7);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }, 60_000);

  it('a lock file naming a live process that is not its holder (a recycled pid) is taken over', async () => {
    const env = await ports(dataDir);
    // Our own pid is alive, but it was not started at the time the lock file says.
    await writeFile(path.join(dataDir, 'stockcontrol.lock'), JSON.stringify({ pid: process.pid, startedAt: 'not-this-one' }));
    const service = run(env);
    await service.waitUntilHealthy(Number(env.PORT), 30_000);
    service.child.kill('SIGTERM');
    expect({ code: await service.exited, output: service.output() }).toMatchObject({ code: 0 });
  }, 90_000);

  describe('a holder in another PID namespace or boot (another container, the host, another machine on a shared volume)', () => {
    let folder: string;
    const postmasterPid = (): string => path.join(folder, 'pg', 'postmaster.pid');
    // Pid 1 is alive in every namespace but it is not the holder's pid 1: the start time differs,
    // which the check of old took for a recycled pid. The server's pid is one that is not visible here.
    const writeHolder = async (place: Record<string, string>): Promise<string> => {
      const content = JSON.stringify({ pid: 1, startedAt: 'another-namespace', ...place });
      await writeFile(path.join(folder, 'stockcontrol.lock'), content);
      await mkdir(path.join(folder, 'pg'));
      await writeFile(postmasterPid(), `${2 ** 22 + 1}\n${path.join(folder, 'pg')}\n1764880000\n5432\n`);
      return content;
    };

    beforeEach(async () => {
      folder = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-elsewhere-'));
      await chmod(folder, 0o755);
    });
    afterEach(async () => {
      // Should a start have been let through (the defect this guards against), stop what it started.
      for (const service of started) if (service.child.exitCode === null) service.child.kill('SIGKILL');
      await Promise.all(started.map(async (service) => service.exited));
      await stopStalePostmaster(path.join(folder, 'pg')).catch(() => undefined);
      await rm(folder, { recursive: true, force: true });
    });

    it('is never taken over: the start, the lock and stopStalePostmaster refuse, naming the folder, the holder and the file to remove, and delete nothing', async () => {
      const here = placeOfThisProcess();
      const content = await writeHolder({ pidNamespace: 'pid:[4026599999]', bootId: here.bootId, host: 'other-container' });
      const lock = path.join(path.resolve(folder), 'stockcontrol.lock');

      const service = run({ ...(await ports(folder)) });
      expect({ code: await service.exited, output: service.output() }).toMatchObject({ code: 1 });
      expect(service.output()).toContain(`DATA_DIR ${path.resolve(folder)} is locked by process 1`);
      expect(service.output()).toContain('pid:[4026599999]');
      expect(service.output()).toContain(`remove ${lock} by hand`);
      expect(service.output()).not.toMatch(/\n\s+at /);

      await expect(lockDataDir(path.resolve(folder))).rejects.toMatchObject({ code: 'data-dir-in-use', message: expect.stringContaining('another PID namespace') });
      await expect(stopStalePostmaster(path.join(folder, 'pg'))).rejects.toMatchObject({ code: 'data-dir-in-use' });
      expect(await readFile(lock, 'utf8')).toBe(content);
      expect(await readPostmasterLock(path.join(folder, 'pg'))).toMatchObject({ pid: 2 ** 22 + 1 });
    }, 60_000);

    // A real other PID namespace where the machine allows making one (root and util-linux's unshare).
    const unshare = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', 'true']).status === 0;
    (unshare ? it : it.skip)('a holder in a real other PID namespace (unshare --pid), pid 1 there, is refused from here', async () => {
      const script = `import { lockDataDir } from './src/database/data-dir-lock.ts';
        lockDataDir(process.argv[1]).then(() => { process.stdout.write('got'); setInterval(() => {}, 1000); }, (error) => { process.stdout.write(error.message); });`;
      const holder = spawn('unshare', ['--pid', '--mount-proc', '--kill-child', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script, folder], { cwd: projectRoot });
      try {
        const answer = await new Promise<string>((resolve) => {
          holder.stdout.on('data', (chunk: Buffer) => resolve(chunk.toString()));
          holder.on('exit', () => resolve('exited'));
        });
        expect(answer).toBe('got');
        expect(JSON.parse(await readFile(path.join(folder, 'stockcontrol.lock'), 'utf8'))).toMatchObject({ pid: 1 });
        await expect(lockDataDir(path.resolve(folder))).rejects.toMatchObject({ code: 'data-dir-in-use', message: expect.stringContaining('another PID namespace') });
      } finally {
        holder.kill('SIGKILL');
      }
    }, 60_000);

    it('written during another boot is taken over only by a host process of the same host name (the machine restarted)', async () => {
      const here = placeOfThisProcess();
      await writeHolder({ pidNamespace: initialPidNamespace, bootId: 'a-boot-before-this-one', host: here.host });
      const attempt = lockDataDir(path.resolve(folder));
      if (here.pidNamespace === initialPidNamespace) {
        const lock = await attempt;
        expect(lock.tookOverFrom).toBe(1);
        expect(await stopStalePostmaster(path.join(folder, 'pg'))).toBe('removed-stale-lock');
        lock.release();
      } else {
        // These tests run in a container: from here the host's restart cannot be told apart.
        await expect(attempt).rejects.toMatchObject({ code: 'data-dir-in-use' });
      }
      await rm(path.join(folder, 'pg'), { recursive: true, force: true });
      await writeHolder({ pidNamespace: initialPidNamespace, bootId: 'a-boot-before-this-one', host: `not-${here.host}` });
      await expect(lockDataDir(path.resolve(folder))).rejects.toMatchObject({ code: 'data-dir-in-use', message: expect.stringContaining('another boot') });
      expect(await readPostmasterLock(path.join(folder, 'pg'))).toMatchObject({ pid: 2 ** 22 + 1 });
    }, 60_000);
  });
});

