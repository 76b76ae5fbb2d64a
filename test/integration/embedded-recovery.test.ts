import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { findFreePort } from '../../src/database/port.js';
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
});
