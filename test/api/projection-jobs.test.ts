import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import request from 'supertest';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { composeApplication, type Application } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { closeDatabase, openDatabase, type Database } from '../../src/database/connection.js';
import { createLogger } from '../../src/logger.js';
import { as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

/** Polls `condition` every 50 ms until it holds; fails after `timeoutMs`. */
async function until(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('the condition did not come true in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('one rebuild and one verify per tenant at a time, across processes', () => {
  let other: { db: Database; application: Application; server: HttpServer; app: string } | undefined;
  let acme: TenantSession;
  let locker: pg.Client | undefined;
  // Declared before useApi's own, so that it runs first: instance B and the locker leave the
  // database before useApi drops it.
  afterAll(async () => {
    await locker?.end();
    await other?.server.close(5_000);
    await other?.application.close();
    if (other) await closeDatabase(other.db);
  });
  // Instance A (useApi) and instance B: two applications with pools of their own on one
  // database, as two service processes behind one DATABASE_URL would be.
  const api = useApi();

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
    const db = openDatabase(api.database.url, { max: 5 });
    const application = composeApplication(loadConfig({ DATABASE_URL: api.database.url, LOG_LEVEL: 'silent', DEMO: 'false' }), createLogger('silent'), db);
    await application.start();
    const server = await startHttpServer(application.app, 0, '127.0.0.1');
    other = { db, application, server, app: `http://127.0.0.1:${server.port}` };
    const client = new pg.Client({ connectionString: api.database.url });
    await client.connect();
    locker = client;
  });

  const lockerClient = (): pg.Client => {
    if (!locker) throw new Error('beforeAll did not connect the locker');
    return locker;
  };
  const otherApp = (): string => {
    if (!other) throw new Error('beforeAll did not start instance B');
    return other.app;
  };

  /**
   * Makes every job that has started wait: the read-schema registry takes no new rows until
   * `release` (each job registers a schema). Reads of it go on: a rebuild request reads it before
   * it answers (a newer version live is refused at once).
   */
  async function holdJobs(): Promise<{ release: () => Promise<void> }> {
    await lockerClient().query('begin');
    await lockerClient().query('lock table read_schemas in exclusive mode');
    return { release: async () => void (await lockerClient().query('commit')) };
  }

  const guardsHeld = async (count: number): Promise<boolean> => {
    // A held guard is a connection named after its job (job-guard.ts). pg_stat_activity is read
    // once per transaction, and this client may be inside one (holdJobs): read it afresh.
    await lockerClient().query('select pg_stat_clear_snapshot()');
    const { rows } = await lockerClient().query<{ held: string }>(`select count(*) as held from pg_stat_activity where application_name ~ '^stockcontrol (rebuild|verify) '`);
    return Number(rows[0]?.held) === count;
  };

  it('answers 409 already-running, with what runs and since when, to a verify on the other instance', async () => {
    const hold = await holdJobs();
    const first = as(api.app, acme).post('/api/admin/projections/verify').then((response) => response);
    await until(() => guardsHeld(1));
    const second = await as(otherApp(), acme).post('/api/admin/projections/verify').timeout(5_000).expect(409);
    expect(second.body).toMatchObject({ code: 'already-running', running: { kind: 'verify', startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });
    await hold.release();
    expect((await first).status).toBe(200);
    // Once it has ended, the other instance may verify.
    await as(otherApp(), acme).post('/api/admin/projections/verify').timeout(10_000).expect(200);
  });

  it('answers 409 to a second rebuild on either instance while one runs, and takes one after it ended', async () => {
    const hold = await holdJobs();
    const started = await as(api.app, acme).post('/api/admin/projections/rebuild').timeout(5_000).expect(202);
    const refused = await as(otherApp(), acme).post('/api/admin/projections/rebuild').timeout(5_000).expect(409);
    expect(refused.body).toMatchObject({ code: 'already-running', running: { kind: 'rebuild', startedAt: started.body.startedAt } });
    await as(api.app, acme).post('/api/admin/projections/rebuild').timeout(5_000).expect(409);
    await hold.release();
    await until(async () => (await as(api.app, acme).get('/api/admin/projections').expect(200)).body.rebuild?.state === 'done');
    await until(() => guardsHeld(0));
    await as(otherApp(), acme).post('/api/admin/projections/rebuild').timeout(5_000).expect(202);
    await until(async () => (await request(otherApp()).get('/api/admin/projections').set('X-Tenant', 'acme').set('Authorization', `Bearer ${acme.token}`)).body.rebuild?.state === 'done');
  });
});
