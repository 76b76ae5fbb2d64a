import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { closeDatabase, openDatabase, type Database } from '../../src/database/connection.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { migrate } from '../../src/database/migrations.js';
import { findFreePort } from '../../src/database/tcp-port.js';
import { isAlive, stopStalePostmaster } from '../../src/database/postmaster.js';
import { createLogger } from '../../src/logger.js';
import { testClustersRoot } from '../support/test-cluster.js';

interface Answer {
  readonly key: string;
  readonly status: number;
  readonly code?: string;
  readonly retryAfter: string | null;
  readonly movementId?: string;
  readonly position?: string;
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A database restart under load, with an external DATABASE_URL: a PostgreSQL of the test's own
 * (not the test run's shared one) is SIGKILLed while receipts keep coming, then started again on
 * the same folder and port. The service must answer 503 `unavailable` with Retry-After meanwhile
 * (never 500), say so on /readyz, log the outage a bounded number of times, serve again without
 * help, and keep every movement it acknowledged.
 */
describe('surviving a database restart', () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  let dataDir: string;
  let port: number;
  let postgres: EmbeddedPostgres | undefined;
  let restarted: EmbeddedPostgres | undefined;
  let db: Database | undefined;
  let application: Application | undefined;
  let server: HttpServer | undefined;
  let base: string;
  let token: string;
  const silent = createLogger('silent');

  const headers = (extra: Record<string, string> = {}): Record<string, string> => ({
    'Content-Type': 'application/json',
    'X-Tenant': 'outage',
    Authorization: `Bearer ${token}`,
    ...extra,
  });

  const receive = async (key: string): Promise<Answer> => {
    const response = await fetch(`${base}/api/stock/receipts`, {
      method: 'POST',
      headers: headers({ 'Idempotency-Key': key }),
      body: JSON.stringify({ lines: [{ sku: 'BOLT', quantity: 1, location: 'A-01' }] }),
    });
    const body = (await response.json()) as { code?: string; movementId?: string; position?: string };
    return { key, status: response.status, code: body.code, retryAfter: response.headers.get('retry-after'), movementId: body.movementId, position: body.position };
  };

  beforeAll(async () => {
    // Under the test clusters' folder with an owner file: a killed run's server is stopped by the next run.
    await mkdir(testClustersRoot, { recursive: true, mode: 0o755 });
    dataDir = await mkdtemp(path.join(testClustersRoot, 'run-outage-'));
    await writeFile(path.join(dataDir, 'owner.pid'), String(process.pid));
    port = await findFreePort();
    postgres = await startEmbeddedPostgres({ dataDir, port, portSetting: 'the test', durable: false, logger: silent });
    // Over TCP, as to an external server: the service is told DATABASE_URL and starts no PostgreSQL.
    const url = postgres.url.replace(/\?.*$/, '');
    const config = loadConfig({ DATABASE_URL: url, LOG_LEVEL: 'info', DEMO: 'false', DB_POOL_SIZE: '10' });
    db = openDatabase(url, { max: 10 });
    await migrate(db, silent);
    application = composeApplication(config, createLogger('info', 'outage-test', sink), db);
    await application.start();
    server = await startHttpServer(application.app, 0, '127.0.0.1');
    base = `http://127.0.0.1:${server.port}`;

    const password = 'correct horse battery';
    const registered = await fetch(`${base}/api/tenants`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ companyName: 'Outage Ltd', tenant: 'outage', email: 'admin@outage.example', username: 'admin', password, passwordConfirm: password }),
    });
    expect(registered.status).toBe(201);
    const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Tenant': 'outage' }, body: JSON.stringify({ username: 'admin', password }) });
    token = ((await login.json()) as { token: string }).token;
    for (const [route, body] of [
      ['/api/locations', { code: 'A-01', type: 'warehouse' }],
      ['/api/articles', { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }],
    ] as const) {
      expect((await fetch(`${base}${route}`, { method: 'POST', headers: headers(), body: JSON.stringify(body) })).status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    try {
      await server?.close(5_000);
      await application?.close();
      if (db) await closeDatabase(db);
    } finally {
      // The first server was SIGKILLed: its stop() would wait for an exit that has happened.
      if (restarted) await restarted.stop();
      else if (postgres?.pid !== undefined && isAlive(postgres.pid)) await Promise.race([postgres.stop(), sleep(10_000)]);
      await stopStalePostmaster(path.join(dataDir, 'pg'));
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('answers 503 unavailable with Retry-After during the outage, serves again after it and loses no acknowledged movement', async () => {
    const answers: Answer[] = [];
    const readiness: Array<{ status: number; at: number }> = [];
    let next = 0;
    let running = true;
    // Four clients sending receipts, each with a key of its own, as fast as they are answered.
    const client = async (): Promise<void> => {
      while (running) {
        const answer = await receive(`receipt-${next++}`);
        answers.push(answer);
        if (answer.status === 503) await sleep(20);
      }
    };
    const supervisor = async (): Promise<void> => {
      while (running) {
        readiness.push({ status: (await fetch(`${base}/readyz`)).status, at: Date.now() });
        await sleep(100);
      }
    };
    const acknowledged = (): number => answers.filter((answer) => answer.status === 201).length;
    const waitFor = async (condition: () => boolean, ms: number, what: string): Promise<void> => {
      const deadline = Date.now() + ms;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await sleep(25);
      }
    };
    const load = [client(), client(), client(), client(), supervisor()];
    try {
      await waitFor(() => acknowledged() >= 30, 30_000, '30 receipts before the outage');

      const killedAt = Date.now();
      process.kill(postgres?.pid ?? 0, 'SIGKILL');
      await waitFor(() => answers.filter((answer) => answer.status === 503).length >= 20, 15_000, 'refusals during the outage');
      await sleep(1_500);
      // Its handle gives the data directory up. The package's stop() of a server that already
      // died may wait for an exit that has happened, hence the bound.
      await Promise.race([postgres?.stop(), sleep(2_000)]);
      // The orphaned backends end once they notice their postmaster is gone; until then the
      // cluster cannot start again.
      for (let attempt = 1; ; attempt += 1) {
        try {
          restarted = await startEmbeddedPostgres({ dataDir, port, portSetting: 'the test', durable: false, logger: silent });
          break;
        } catch (error) {
          if (attempt >= 20) throw error;
          await sleep(500);
        }
      }
      const restartedAt = Date.now();
      const before = acknowledged();
      await waitFor(() => acknowledged() >= before + 30, 30_000, '30 receipts after the restart');
      running = false;
      await Promise.all(load);

      // Every answer is a receipt or an honest 503 with Retry-After: never a 500, never a hang.
      const refused = answers.filter((answer) => answer.status !== 201);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.filter((answer) => answer.status !== 503 || answer.code !== 'unavailable' || !(Number(answer.retryAfter) >= 1))).toEqual([]);

      // Readiness said so: ready, then 503 during the outage, then ready again.
      const during = readiness.filter((probe) => probe.at > killedAt + 200 && probe.at < restartedAt);
      expect(during.length).toBeGreaterThan(0);
      expect(during.every((probe) => probe.status === 503)).toBe(true);
      expect(readiness.at(-1)?.status).toBe(200);

      // A retry with the same key is answered: the movement it recorded, or a new one if it had none.
      const replay = answers.find((answer) => answer.status === 201);
      const replayed = await receive(replay?.key ?? '');
      expect(replayed).toMatchObject({ status: 201, movementId: replay?.movementId });
      const retried = new Map<string, Answer>();
      const deadline = Date.now() + 90_000;
      for (const answer of refused) {
        for (;;) {
          const again = await receive(answer.key);
          if (again.status === 201) {
            retried.set(answer.key, again);
            break;
          }
          // A claim of a request that was cut off by the outage may be held for a while (409 conflict).
          expect([409, 503]).toContain(again.status);
          if (Date.now() > deadline) throw new Error(`the retry of ${answer.key} never succeeded: ${JSON.stringify(again)}`);
          await sleep(200);
        }
      }

      // Nothing acknowledged was lost and nothing was recorded twice: one unit per key on hand.
      const keys = new Set(answers.map((answer) => answer.key));
      const positions = [...answers, ...retried.values()].flatMap((answer) => (answer.position ? [BigInt(answer.position)] : []));
      const highest = positions.reduce((a, b) => (a > b ? a : b), 0n);
      const stock = await fetch(`${base}/api/stock?sku=BOLT`, { headers: headers({ 'X-Min-Position': String(highest) }) });
      expect(stock.status).toBe(200);
      expect(((await stock.json()) as { items: Array<{ onHand: number }> }).items.map((item) => item.onHand)).toEqual([keys.size]);
      const recorded = new Set<string>();
      for (let cursor: string | null = null; ; ) {
        const page = await fetch(`${base}/api/movements?sku=BOLT&limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { headers: headers() });
        const body = (await page.json()) as { items: Array<{ movementId: string }>; nextCursor: string | null };
        for (const item of body.items) recorded.add(item.movementId);
        cursor = body.nextCursor;
        if (cursor === null) break;
      }
      const acknowledgedIds = answers.filter((answer) => answer.status === 201).map((answer) => answer.movementId);
      expect(acknowledgedIds.filter((id) => !recorded.has(id ?? ''))).toEqual([]);
      expect(recorded.size).toBe(keys.size);

      // The log tells the outage once, sums it up, and tells its end; not once per request.
      const warnings = lines.filter((line) => Number(line.level) >= 40);
      const messages = warnings.map((line) => String(line.msg));
      expect(messages.filter((message) => message.startsWith('database unavailable'))).toHaveLength(1);
      expect(lines.filter((line) => String(line.msg).startsWith('database back after'))).toHaveLength(1);
      expect(messages.filter((message) => message === 'request failed')).toEqual([]);
      const outageSeconds = (restartedAt - killedAt) / 1000;
      expect(warnings.length).toBeLessThanOrEqual(5 + Math.ceil(outageSeconds / 10));
      expect(lines.filter((line) => line.msg === 'request' && line.status === 503 && line.path !== '/readyz')).toEqual([]);
    } finally {
      running = false;
      await Promise.allSettled(load);
    }
  }, 180_000);
});
