import { Writable } from 'node:stream';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp } from '../../src/api/app.js';
import { route } from '../../src/api/route.js';
import type { RouterDependencies } from '../../src/api/router.js';
import { systemClock } from '../../src/api/clock.js';
import { composeApplication } from '../../src/composition-root.js';
import { loadConfig } from '../../src/config.js';
import { DatabaseAvailability } from '../../src/database/availability.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { isConnectionError, isTransientDatabaseError } from '../../src/projections/transient-error.js';
import { createTestDatabase } from '../support/test-database.js';

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger('info', 'test', sink), lines };
}

const sleep = async (ms: number): Promise<void> => await new Promise((resolve) => setTimeout(resolve, ms));
const refused = Object.assign(new Error('connect ECONNREFUSED /data/run/.s.PGSQL.5433'), { code: 'ECONNREFUSED', syscall: 'connect' });
const messages = (lines: Array<Record<string, unknown>>, start: string): unknown[] => lines.filter((line) => String(line.msg).startsWith(start));

describe('connection-class errors', () => {
  it.each([
    ['a refused connection', refused],
    ['a Unix socket that is not there', Object.assign(new Error('connect ENOENT /data/run/.s.PGSQL.5433'), { code: 'ENOENT', syscall: 'connect' })],
    ['a reset socket', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['admin shutdown (57P01)', { code: '57P01', message: 'terminating connection due to administrator command' }],
    ['crash shutdown (57P02)', { code: '57P02', message: 'terminating connection because of crash of another server process' }],
    ['the server starting up (57P03)', { code: '57P03', message: 'the database system is starting up' }],
    ['a connection exception (08006)', { code: '08006', message: 'connection failure' }],
    ['too many connections (53300)', { code: '53300', message: 'sorry, too many clients already' }],
    ['a connection that broke', new Error('Connection terminated unexpectedly')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a broken client used again', new Error('Client has encountered a connection error and is not queryable')],
    ['a closed client used again', new Error('Client was closed and is not queryable')],
    ['a dedicated pg-promise connection used after it broke (the idempotency claims connection)', new Error('Cannot execute a query on a disconnected client.')],
    ['a wrapped connection error', new Error('appending failed', { cause: refused })],
  ])('%s is one', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
    expect(isTransientDatabaseError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', { code: '23505', message: 'duplicate key value violates unique constraint' }],
    ['a serialization failure (transient, but the database answers)', { code: '40001', message: 'could not serialize access' }],
    ['a missing file', Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', syscall: 'open' })],
    ['a plain error', new Error('boom')],
    ['nothing', undefined],
  ])('%s is not one', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});

describe('the API while the database is lost and back', () => {
  let databaseUp = false;
  let handled = 0;
  let failWith: unknown;
  const { logger, lines } = capturingLogger();
  const availability = new DatabaseAvailability({
    probe: async () => {
      if (!databaseUp) throw refused;
    },
    logger,
    firstRetryMs: 10,
    maxRetryMs: 40,
    reportEveryMs: 300,
  });
  const thing = route({
    method: 'get',
    path: '/api/thing',
    summary: 'a route that needs the database',
    tag: 'test',
    access: 'public',
    responses: [{ status: 200, description: 'ok' }],
    handle: async () => {
      handled += 1;
      if (failWith !== undefined) throw failWith;
      return { status: 200, body: { ok: true } };
    },
  });
  const app = createApp({ logger, readiness: [], api: { routes: [thing], router: { clock: systemClock } as RouterDependencies }, database: availability });
  afterAll(() => availability.close());

  it('answers 503 unavailable with Retry-After, refuses at once while down, logs the outage once, and serves again when the probe answers', async () => {
    failWith = refused;
    const first = await request(app).get('/api/thing').expect(503);
    expect(first.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(first.body).toMatchObject({ status: 503, code: 'unavailable', type: '/problems/unavailable' });
    expect(Number(first.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(first.text).not.toMatch(/ECONNREFUSED|PGSQL/);
    await sleep(20);
    expect(availability.state).toBe('unavailable');

    handled = 0;
    for (let i = 0; i < 50; i += 1) {
      const response = await request(app).get('/api/thing').expect(503);
      expect(response.body.code).toBe('unavailable');
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    // Refused at once: none of them reached the handler (nor the pool).
    expect(handled).toBe(0);
    await sleep(350);
    expect(messages(lines, 'database unavailable')).toHaveLength(1);
    // Summed up once per interval: the intervals' counts add up to every refusal.
    const summaries = messages(lines, 'database still unavailable') as Array<{ refusedRequests: number }>;
    expect(summaries.length).toBeGreaterThan(0);
    expect(summaries.reduce((sum, line) => sum + line.refusedRequests, 0)).toBe(50);
    expect(lines.filter((line) => line.msg === 'request' || line.msg === 'request failed')).toEqual([]);

    databaseUp = true;
    failWith = undefined;
    await sleep(100);
    await request(app).get('/api/thing').expect(200);
    expect(messages(lines, 'database back after')).toEqual([expect.objectContaining({ refusedRequests: 50 })]);
  });

  it('tells one broken connection from a lost database: 503 for that request, one line, and no refusals after', async () => {
    lines.length = 0;
    failWith = { code: '57P01', message: 'terminating connection due to administrator command' };
    await request(app).get('/api/thing').expect(503);
    await request(app).get('/api/thing').expect(503);
    await sleep(30);
    expect(availability.state).toBe('available');
    failWith = undefined;
    await request(app).get('/api/thing').expect(200);
    expect(messages(lines, 'a database connection failed; the database answers')).toHaveLength(1);
    expect(messages(lines, 'database unavailable')).toEqual([]);
  });

  it('keeps connection errors of background work out of the log, and passes every other line', async () => {
    lines.length = 0;
    databaseUp = false;
    const projector = availability.quiet(logger).child({ component: 'projector' });
    for (let i = 0; i < 20; i += 1) projector.warn({ err: refused }, 'projector: scan failed; trying again');
    projector.warn({ tenant: 'acme' }, 'projector: a newer version serves this tenant');
    projector.error(new Error('a decoding error'), 'projector: tenant stopped');
    await sleep(30);
    expect(lines.map((line) => line.msg)).toEqual([
      'projector: a newer version serves this tenant',
      'projector: tenant stopped',
      'database unavailable; refusing requests with 503 and probing it until it answers',
    ]);
    databaseUp = true;
    await sleep(100);
    expect(availability.state).toBe('available');
  });
});

describe('told by the server\'s supervisor', () => {
  it('refuses from the moment the server died, and serves as soon as it is said to be back, without waiting for the back-off', async () => {
    let up = false;
    const { logger, lines } = capturingLogger();
    const availability = new DatabaseAvailability({ probe: async () => (up ? undefined : Promise.reject(refused)), logger, firstRetryMs: 60_000 });
    try {
      availability.told(false);
      expect(availability.state).toBe('unavailable');
      expect(() => availability.admit()).toThrow(expect.objectContaining({ code: 'unavailable', retryAfterSeconds: 5 }));
      availability.told(false);
      up = true;
      availability.told(true);
      await sleep(20);
      expect(availability.state).toBe('available');
      expect(lines.map((line) => String(line.msg).split(';')[0])).toEqual(['database unavailable', 'database back after 0 s']);
    } finally {
      availability.close();
    }
  });
});

describe('/healthz and /readyz', () => {
  const availabilities: DatabaseAvailability[] = [];
  afterEach(() => {
    for (const availability of availabilities.splice(0)) availability.close();
  });

  it('/healthz stays 200 while the database is down (a restart would not help), and is 503 when the pool is wedged', async () => {
    const pool = { waitingCount: 0, on: () => undefined };
    const availability = new DatabaseAvailability({ probe: async () => Promise.reject(refused), logger: createLogger('silent'), wedgedAfterMs: 50 });
    availabilities.push(availability);
    availability.watchPool(pool);
    const app = createApp({ logger: createLogger('silent'), readiness: [], database: availability });
    availability.report(refused);
    await sleep(20);
    expect(availability.state).toBe('unavailable');
    expect((await request(app).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });

    const stuck = new DatabaseAvailability({ probe: async () => undefined, logger: createLogger('silent'), wedgedAfterMs: 50 });
    availabilities.push(stuck);
    stuck.watchPool({ ...pool, waitingCount: 3 });
    const stuckApp = createApp({ logger: createLogger('silent'), readiness: [], database: stuck });
    // Queries seen waiting once are no sign of trouble; still waiting with no progress later is.
    await sleep(80);
    await request(stuckApp).get('/healthz').expect(200);
    await sleep(80);
    const wedged = await request(stuckApp).get('/healthz').expect(503);
    expect(wedged.body).toMatchObject({ status: 503, code: 'wedged' });
  });

  it('/readyz is 503 while the service starts and while it drains, 200 in between', async () => {
    const database = await createTestDatabase();
    const application = composeApplication(loadConfig({ DATABASE_URL: database.url, DEMO: 'false' }), createLogger('silent'), database.db);
    let closed = false;
    try {
      const starting = await request(application.app).get('/readyz').expect(503);
      expect(starting.body).toMatchObject({ code: 'not-ready', checks: { service: 'starting', database: 'ok' } });
      expect(Number(starting.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      await application.start();
      expect((await request(application.app).get('/readyz').expect(200)).body).toEqual({ status: 'ready', checks: { service: 'ok', database: 'ok' } });
      closed = true;
      await application.close();
      expect((await request(application.app).get('/readyz').expect(503)).body).toMatchObject({ checks: { service: 'draining' } });
    } finally {
      if (!closed) await application.close();
      await database.drop();
    }
  });
});
