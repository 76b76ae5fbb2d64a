import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { findFreePort } from '../../src/database/tcp-port.js';
import { isAlive, readPostmasterLock, stopStalePostmaster } from '../../src/database/postmaster.js';
import { startService, type ServiceProcess } from '../support/service-process.js';

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

/** A tiny client of the running service for one tenant. */
function client(base: string, tenant: string, token = '') {
  return async (method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    await fetch(`${base}${url}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-tenant': tenant, ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).catch(() => new Response(null, { status: 599 }));
}

/**
 * The embedded PostgreSQL killed under load (SIGKILL of the postmaster): the service restarts it
 * by itself, keeps every movement it acknowledged, serves again, and still stops cleanly.
 */
describe('the embedded PostgreSQL dies under load', () => {
  let dataDir = '';
  let service: ServiceProcess | undefined;
  afterAll(async () => {
    if (service?.child.exitCode === null) service.child.kill('SIGKILL');
    if (dataDir) {
      await stopStalePostmaster(path.join(dataDir, 'pg'));
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('is restarted without a human: every 201 movement is kept, writes and reads work again, SIGTERM ends with "stopped"', async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-recovery-'));
    await chmod(dataDir, 0o755);
    const port = await findFreePort();
    service = startService({ DATA_DIR: dataDir, PORT: String(port), EMBEDDED_PG_PORT: String(await findFreePort()) });
    await service.waitUntilHealthy(port, 60_000);
    const base = `http://127.0.0.1:${port}`;
    const password = 'correct horse battery';
    expect((await client(base, '')('POST', '/api/tenants', { companyName: 'Crash Ltd', tenant: 'crash', email: 'a@crash.example', username: 'admin', password, passwordConfirm: password })).status).toBe(201);
    const login = await client(base, 'crash')('POST', '/api/auth/login', { username: 'admin', password });
    const api = client(base, 'crash', ((await login.json()) as { token: string }).token);
    expect((await api('POST', '/api/articles', { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' })).status).toBe(201);
    expect((await api('POST', '/api/locations', { code: 'A', type: 'storage' })).status).toBe(201);

    // Four writers record receipts with a reference each, before, during and after the kill.
    const acknowledged: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    let writing = true;
    const writer = async (): Promise<void> => {
      while (writing) {
        const reference = `R-${(next += 1)}`;
        const answer = await api('POST', '/api/stock/receipts', { reference, lines: [{ sku: 'BOLT', quantity: 1, location: 'A' }] });
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 201) acknowledged.push(reference);
        else await sleep(50);
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    while (acknowledged.length < 40) await sleep(20);
    const postmaster = await readPostmasterLock(path.join(dataDir, 'pg'));
    expect(postmaster && isAlive(postmaster.pid)).toBe(true);
    process.kill(postmaster?.pid ?? 0, 'SIGKILL');
    const killedAt = acknowledged.length;

    // Served again without a human: 201s after the kill.
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < killedAt + 40 && Date.now() < deadline) await sleep(100);
    writing = false;
    await Promise.all(writers);
    expect({ after: acknowledged.length - killedAt, statuses: Object.fromEntries(statuses), output: service.output().slice(-3000) }).toMatchObject({ after: expect.any(Number) });
    expect(acknowledged.length - killedAt).toBeGreaterThanOrEqual(40);
    const restarted = await readPostmasterLock(path.join(dataDir, 'pg'));
    expect(restarted?.pid).not.toBe(postmaster?.pid);
    expect(service.output()).toContain('embedded PostgreSQL exited unexpectedly');
    expect(service.output()).toContain('embedded PostgreSQL restarted; the database is available again');

    // Every acknowledged movement is in the ledger (read after the last write has been projected).
    const last = await api('POST', '/api/stock/receipts', { reference: 'LAST', lines: [{ sku: 'BOLT', quantity: 1, location: 'A' }] });
    expect(last.status).toBe(201);
    const position = last.headers.get('x-position') ?? '0';
    const seen = new Set<string>();
    let cursor: string | null = '';
    while (cursor !== null) {
      const page = await api('GET', `/api/movements?sku=BOLT&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, undefined, { 'x-min-position': position });
      expect(page.status).toBe(200);
      const body = (await page.json()) as { items: { reference: string | null }[]; nextCursor: string | null };
      for (const item of body.items) if (item.reference) seen.add(item.reference);
      cursor = body.nextCursor;
    }
    expect(acknowledged.filter((reference) => !seen.has(reference))).toEqual([]);

    service.child.kill('SIGTERM');
    expect({ code: await service.exited }).toEqual({ code: 0 });
    expect(service.output()).toContain('"msg":"stopped"');
    expect(restarted && isAlive(restarted.pid)).toBe(false);
  }, 180_000);

  it('exits with code 1, saying so, when the server cannot be brought back (its port taken meanwhile)', async () => {
    const ownDir = await mkdtemp(path.join(os.tmpdir(), 'stockcontrol-lost-'));
    await chmod(ownDir, 0o755);
    const port = await findFreePort();
    const pgPort = await findFreePort();
    const lost = startService({ DATA_DIR: ownDir, PORT: String(port), EMBEDDED_PG_PORT: String(pgPort) });
    const blockers: net.Server[] = [];
    try {
      await lost.waitUntilHealthy(port, 60_000);
      const postmaster = await readPostmasterLock(path.join(ownDir, 'pg'));
      process.kill(postmaster?.pid ?? 0, 'SIGKILL');
      // Something else takes the port on both loopback addresses: PostgreSQL cannot listen again.
      for (const host of ['127.0.0.1', '::1']) {
        const blocker = net.createServer();
        for (let tries = 0; ; tries += 1) {
          const bound = await new Promise<boolean>((resolve) => {
            blocker.once('error', () => resolve(false));
            blocker.listen(pgPort, host, () => resolve(true));
          });
          if (bound || tries > 50) break;
          await sleep(20);
        }
        blockers.push(blocker);
      }
      let timer: NodeJS.Timeout | undefined;
      const code = await Promise.race([lost.exited, new Promise((resolve) => (timer = setTimeout(() => resolve('still running'), 60_000)))]);
      clearTimeout(timer);
      expect({ code, output: lost.output().slice(-4000) }).toMatchObject({ code: 1 });
      expect(lost.output()).toContain('restarting embedded PostgreSQL (attempt 5 of 5)');
      expect(lost.output()).toContain('embedded PostgreSQL could not be restarted; exiting with code 1 so that a supervisor restarts the service');
      expect(lost.output()).toContain('"msg":"stopped"');
      expect(await readFile(path.join(ownDir, 'stockcontrol.lock'), 'utf8').catch(() => 'released')).toBe('released');
    } finally {
      if (lost.child.exitCode === null) lost.child.kill('SIGKILL');
      for (const blocker of blockers) blocker.close();
      await stopStalePostmaster(path.join(ownDir, 'pg'));
      await rm(ownDir, { recursive: true, force: true });
    }
  }, 120_000);
});
