import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findFreePort } from '../../src/database/tcp-port.js';
import { isAlive, readPostmasterLock, stopStalePostmaster } from '../../src/database/postmaster.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { ndjson, stockctl } from './stockctl-process.js';

/** The operator mode on the embedded cluster of DATA_DIR, with and without the service running. */
describe('stockctl on DATA_DIR', () => {
  let dataDir: string;
  let service: ServiceProcess | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stockctl-data-'));
    // mkdtemp makes it 0700: opened so that, as root, the cluster stays in it.
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    await stopStalePostmaster(path.join(dataDir, 'pg'));
    await rm(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('starts the embedded cluster for the command when no service runs, and stops it and frees DATA_DIR after', async () => {
    const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await findFreePort()) };
    const create = await stockctl(['tenants', 'create', 'dd-acme', '--company', 'Acme Ltd', '--admin-email', 'admin@dd-acme.example'], { ...env, STOCKCTL_ADMIN_PASSWORD: 'correct horse battery' });
    expect({ code: create.code, stderr: create.stderr }).toEqual({ code: 0, stderr: '' });
    expect(create.stdout).toMatch(/tenant +dd-acme/);
    await expect(readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8')).rejects.toThrow();
    const postmaster = await readPostmasterLock(path.join(dataDir, 'pg'));
    expect(postmaster !== undefined && isAlive(postmaster.pid)).toBe(false);
  }, 120_000);

  it('while the service holds DATA_DIR, reaches its cluster through its socket without a second server, and leaves it serving', async () => {
    const port = await findFreePort();
    const env = { DATA_DIR: dataDir, EMBEDDED_PG_PORT: String(await findFreePort()) };
    service = startService({ ...env, PORT: String(port), LOG_LEVEL: 'warn' });
    await service.waitUntilHealthy(port, 60_000);
    const lock = await readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8');
    const postmaster = await readPostmasterLock(path.join(dataDir, 'pg'));

    const list = await stockctl(['tenants', 'list', '--json'], env);
    expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' });
    expect(ndjson(list)).toEqual([expect.objectContaining({ tenant: 'dd-acme' })]);
    // A write through stockctl is seen by the service at once: one database, not a copy.
    const token = await stockctl(['tokens', 'create', '--tenant', 'dd-acme', '--name', 'rf-1', '--role', 'viewer', '--json'], env);
    expect(token.code).toBe(0);
    const secret = (JSON.parse(token.stdout) as { token: string }).token;
    const me = await fetch(`http://127.0.0.1:${port}/api/me`, { headers: { 'x-tenant': 'dd-acme', authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);

    expect(await readFile(path.join(dataDir, 'stockcontrol.lock'), 'utf8')).toBe(lock);
    expect(await readPostmasterLock(path.join(dataDir, 'pg'))).toEqual(postmaster);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exited).toBe(0);
  }, 120_000);
});
