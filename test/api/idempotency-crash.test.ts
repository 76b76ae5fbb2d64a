import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from '@jest/globals';
import { IdempotencyRecords, requestHash } from '../../src/tenancy/idempotency.js';
import { as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

/** The backend pid of the session that holds the claim of `key` (its advisory lock). */
const claimHolderSql = `select l.pid from pg_locks l join idempotency_records r on r.key = $1
  where l.locktype = 'advisory' and l.objsubid = 1 and ((l.classid::bigint << 32) | l.objid::bigint) = ('x' || left(replace(r.claim::text, '-', ''), 16))::bit(64)::bigint`;

/**
 * A crashed request's claim on its Idempotency-Key is released with the session of the process
 * that held it, so a retry after a restart is answered at once (it used to get 409 for up to a
 * minute); a retry that overlaps a live attempt waits for it, then gets 409
 * idempotency-in-progress with Retry-After.
 */
describe('Idempotency-Key claims of crashed and live attempts', () => {
  const api = useApi();
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });

  async function warehouse(tenant: string): Promise<TenantSession> {
    const session = await registerAndLogin(api.app, tenant);
    await as(api.app, session).post('/api/locations').send({ code: 'WH', type: 'warehouse' }).expect(201);
    await as(api.app, session).post('/api/locations').send({ code: 'A-01', type: 'storage', parent: 'WH' }).expect(201);
    await as(api.app, session).post('/api/articles').send({ sku: 'ROPE', name: 'Rope', unit: 'm', tracking: 'none' }).expect(201);
    return session;
  }

  it('lets a retry take over at once the claim of a process killed with SIGKILL', async () => {
    const session = await warehouse('crash-child');
    const body = { reference: 'KILLED-1', lines: [{ sku: 'ROPE', quantity: 1, location: 'A-01' }] };
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/idempotency-child.ts'], {
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: api.database.url, TENANT: session.tenant, KEY: 'killed-key', HASH: requestHash('POST', '/api/stock/receipts', body) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => chunk.toString().includes('claimed') && resolve());
      child.once('exit', () => reject(new Error('the child exited before it claimed the key')));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const started = Date.now();
    const retry = await as(api.app, session).post('/api/stock/receipts').set('Idempotency-Key', 'killed-key').send(body);
    const tookMs = Date.now() - started;
    expect(retry.status).toBe(201);
    // Before: 409 conflict after a 10 s wait, for a minute after the crash.
    expect(tookMs).toBeLessThan(2000);
    const ledger = await as(api.app, session).get('/api/movements?reference=KILLED-1').set('X-Min-Position', retry.headers['x-position'] as string).expect(200);
    expect(ledger.body.items).toHaveLength(1);
  }, 30_000);

  it('lets a retry take over the claim of a terminated session whose attempt had recorded the movement, recording it once', async () => {
    const session = await warehouse('crash-session');
    const body = { reference: 'CUT-1', lines: [{ sku: 'ROPE', quantity: 2, location: 'A-01' }] };
    const hash = requestHash('POST', '/api/stock/receipts', body);
    // Another process's attempt: it records the movement, then its database session ends
    // (pg_terminate_backend, as when its process or its connection dies) before it keeps the answer.
    const dying = new IdempotencyRecords(api.database.db);
    let recorded: (movementId: string) => void = () => undefined;
    const firstMovement = new Promise<string>((resolve) => (recorded = resolve));
    const meta = (scope: string) => ({
      tenant: session.tenant,
      user: 'admin',
      source: 'api' as const,
      correlationId: 'crashed-attempt',
      idempotencyKey: 'cut-key',
      idempotencyScope: scope,
      occurredAt: new Date().toISOString(),
    });
    const attempt = dying.run(session.tenant, 'cut-key', hash, async (scope) => {
      const result = await api.application.commands.stock.receive(meta(scope), { reference: 'CUT-1', lines: [{ sku: 'ROPE', quantity: 2000, location: 'A-01' }] });
      recorded(result.movementId);
      return await new Promise(() => undefined);
    });
    void attempt.catch(() => undefined);
    const movementId = await firstMovement;
    const holder = await api.database.db.one<{ pid: number }>(claimHolderSql, ['cut-key']);
    await api.database.db.one('select pg_terminate_backend($1)', [holder.pid]);
    const started = Date.now();
    const retry = await as(api.app, session).post('/api/stock/receipts').set('Idempotency-Key', 'cut-key').send(body);
    expect(retry.status).toBe(201);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(retry.body.movementId).toBe(movementId);
    const ledger = await as(api.app, session).get('/api/movements?reference=CUT-1').set('X-Min-Position', retry.headers['x-position'] as string).expect(200);
    expect(ledger.body.items).toHaveLength(1);
    const again = await as(api.app, session).post('/api/stock/receipts').set('Idempotency-Key', 'cut-key').send(body).expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    await dying.close();
  }, 30_000);

  it('answers a retry that overlaps a live attempt 409 idempotency-in-progress with Retry-After, and its answer once it is kept', async () => {
    const session = await warehouse('overlap-live');
    const body = { reference: 'LIVE-1', lines: [{ sku: 'ROPE', quantity: 3, location: 'A-01' }] };
    const live = new IdempotencyRecords(api.database.db);
    let finish: (value: { status: number; body: unknown }) => void = () => undefined;
    let claimed: () => void = () => undefined;
    const running = new Promise<void>((resolve) => (claimed = resolve));
    const attempt = live.run(session.tenant, 'live-key', requestHash('POST', '/api/stock/receipts', body), async () => {
      claimed();
      return await new Promise((resolve) => (finish = resolve));
    });
    await running;
    const started = Date.now();
    const overlapping = await as(api.app, session).post('/api/stock/receipts').set('Idempotency-Key', 'live-key').send(body);
    expect(overlapping.status).toBe(409);
    expect(overlapping.body).toMatchObject({ code: 'idempotency-in-progress', status: 409 });
    expect(overlapping.headers['retry-after']).toBe('1');
    // It waited for the live attempt first (5 s), and never took its claim.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4900);
    finish({ status: 201, body: { body: { movementId: 'the-first' }, headers: {} } });
    await attempt;
    const replayed = await as(api.app, session).post('/api/stock/receipts').set('Idempotency-Key', 'live-key').send(body).expect(201);
    expect(replayed.body).toEqual({ movementId: 'the-first' });
    expect(replayed.headers['idempotent-replayed']).toBe('true');
    await live.close();
  }, 30_000);

  it('documents idempotency-in-progress and its Retry-After on every movement route of the OpenAPI document', async () => {
    const document = (await fetch(`${api.app}/api/openapi.json`).then((response) => response.json())) as {
      paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; responses: Record<string, { description: string; headers?: Record<string, unknown> }> }>>;
    };
    const idempotent = Object.values(document.paths)
      .flatMap((operations) => Object.values(operations))
      .filter((operation) => operation.parameters?.some((parameter) => parameter.name === 'Idempotency-Key'));
    expect(idempotent.length).toBeGreaterThanOrEqual(8);
    for (const operation of idempotent) {
      expect(operation.responses['409']?.description).toContain('idempotency-in-progress');
      expect(operation.responses['409']?.headers).toHaveProperty('Retry-After');
    }
  });
});
