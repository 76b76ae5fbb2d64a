import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import request from 'supertest';
import { z } from 'zod';
import { createApp } from '../../src/api/app.js';
import { errorHandler } from '../../src/api/error-handler.js';
import { HttpProblem } from '../../src/api/problem.js';
import { openDatabase } from '../../src/database/connection.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** A logger whose lines the test can read. */
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

describe('operations routes and error conventions', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  const appWith = (db = database.db, logger = createLogger('silent')): express.Express =>
    createApp({ logger, readiness: [{ name: 'database', check: async () => void (await db.one('select 1')) }] });

  it('GET /healthz answers 200 while the process runs', async () => {
    const response = await request(appWith()).get('/healthz').expect(200);
    expect(response.body).toEqual({ status: 'ok' });
    // No automatic body-hash ETag: only routes that mean one (catalog answers) set it.
    expect(response.headers.etag).toBeUndefined();
  });

  it('GET /readyz answers 200 when the database answers', async () => {
    const response = await request(appWith()).get('/readyz').expect(200);
    expect(response.body).toEqual({ status: 'ready', checks: { database: 'ok' } });
  });

  it('GET /readyz answers 503 not-ready when the database does not', async () => {
    const unreachable = openDatabase('postgres://nobody:nothing@127.0.0.1:1/none', { max: 1 });
    try {
      const response = await request(appWith(unreachable)).get('/readyz').expect(503);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.body).toMatchObject({ status: 503, code: 'not-ready', type: '/problems/not-ready', checks: { database: 'unavailable' } });
    } finally {
      await unreachable.$pool.end();
    }
  });

  it('answers an unknown route with 404 problem+json', async () => {
    const response = await request(appWith()).get('/api/nothing-here').expect(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ status: 404, code: 'not-found', title: 'Not found' });
  });

  it('answers malformed JSON with 400', async () => {
    const response = await request(appWith()).post('/healthz').set('Content-Type', 'application/json').send('{"lines": [').expect(400);
    expect(response.body).toMatchObject({ status: 400, code: 'malformed-json' });
  });

  it('answers a body over 1 MiB with 413', async () => {
    const big = JSON.stringify({ note: 'x'.repeat(1024 * 1024) });
    const response = await request(appWith()).post('/healthz').set('Content-Type', 'application/json').send(big).expect(413);
    expect(response.body).toMatchObject({ status: 413, code: 'payload-too-large' });
  });

  describe('the error middleware', () => {
    const { logger, lines } = capturingLogger();
    const app = express();
    app.use(express.json());
    app.get('/crash', () => {
      throw new Error('duplicate key value violates unique constraint in select * from secret_table');
    });
    app.post('/validate', (req) => {
      z.object({ sku: z.string().min(1), lines: z.array(z.object({ quantity: z.number().positive() })) }).parse(req.body);
    });
    app.get('/refuse', () => {
      throw new HttpProblem(409, 'insufficient-stock', 'Insufficient stock', 'Only 3 available.', undefined, { available: 3 });
    });
    app.use(errorHandler(logger));

    it('answers an unexpected error with a bare 500 and logs it with its stack', async () => {
      const response = await request(app).get('/crash').expect(500);
      expect(response.body).toEqual({
        type: '/problems/internal',
        title: 'Internal server error',
        status: 500,
        code: 'internal',
        detail: 'Something went wrong on our side; it has been logged.',
      });
      expect(response.text).not.toMatch(/secret_table|at .*\.ts|Error:/);
      const logged = lines.find((line) => line.msg === 'request failed');
      expect(JSON.stringify(logged)).toContain('secret_table');
    });

    it('answers zod validation errors with 422 and every bad field', async () => {
      const response = await request(app).post('/validate').send({ sku: '', lines: [{ quantity: 1 }, { quantity: -2 }] }).expect(422);
      expect(response.body.code).toBe('validation');
      expect(response.body.errors.map((error: { path: string }) => error.path).sort()).toEqual(['lines.1.quantity', 'sku']);
    });

    it('answers a typed refusal with its status, stable code and extensions', async () => {
      const response = await request(app).get('/refuse').expect(409);
      expect(response.body).toMatchObject({ type: '/problems/insufficient-stock', code: 'insufficient-stock', status: 409, available: 3 });
    });
  });

  it('logs one structured line per request with a request id it echoes back', async () => {
    const { logger, lines } = capturingLogger();
    const response = await request(appWith(database.db, logger)).get('/healthz').set('X-Request-Id', 'rf-terminal-3.42').expect(200);
    expect(response.headers['x-request-id']).toBe('rf-terminal-3.42');
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'request', method: 'GET', path: '/healthz', status: 200, requestId: 'rf-terminal-3.42' }));
    const generated = await request(appWith(database.db, logger)).get('/healthz').set('X-Request-Id', 'bad id with spaces');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});
