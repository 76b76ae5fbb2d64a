import { describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { adminPassword, as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';
import { ndjson, startStockctl, stockctl } from './stockctl-process.js';

/**
 * What a test of several stockctl runs may take: each run is a process that loads the CLI from
 * TypeScript (about 1.8 s of CPU), and on two cores shared by two jest workers and a loaded machine
 * one run took over 10 s, so 90 s for nine runs timed out (2 workers, load 15).
 */
const cliBudget = 300_000;

describe('stockctl against a real database and a listening service', () => {
  const api = useApi();
  /** The operator mode's environment: the installation's database. */
  // The test database is reached as the superuser, which stockctl rightly warns about once on
  // stderr; the tests read stderr for what the commands say, so warnings are left out.
  const operator = (): Record<string, string> => ({ DATABASE_URL: api.database.url, LOG_LEVEL: 'error' });
  /** The auditor mode's arguments and environment for a token. */
  const auditor = (session: TenantSession, token: string): { args: string[]; env: Record<string, string> } => ({
    args: ['--url', api.app, '--tenant', session.tenant],
    env: { STOCKCTL_TOKEN: token },
  });

  /** A tenant with one location, one article and `receipts` receipts of it, through the API. */
  async function tenantWithStock(tenant: string, receipts = 2): Promise<{ session: TenantSession; movementIds: string[] }> {
    const session = await registerAndLogin(api.app, tenant);
    const admin = as(api.app, session);
    await admin.post('/api/locations').send({ code: 'A-01', type: 'storage' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
    const movementIds: string[] = [];
    for (let i = 0; i < receipts; i += 1) {
      const receipt = await admin.post('/api/stock/receipts').send({ reference: `PO-${i}`, lines: [{ sku: 'BOLT', quantity: 5, location: 'A-01' }] }).expect(201);
      movementIds.push((receipt.body as { movementId: string }).movementId);
    }
    return { session, movementIds };
  }

  it('tenants create, list (NDJSON with --json), show, and show of an unknown tenant exits 4', async () => {
    const create = await stockctl(['tenants', 'create', 'cli-acme', '--company', 'Acme Ltd', '--admin-email', 'admin@cli-acme.example', '--json'], operator());
    expect(create.code).toBe(0);
    const created = JSON.parse(create.stdout) as { tenant: string; username: string; password: string };
    expect(created).toMatchObject({ tenant: 'cli-acme', domain: 'cli-acme.localhost', username: 'admin' });
    // The printed password logs in: the tenant works at once.
    await request(api.app).post('/api/auth/login').set('X-Tenant', 'cli-acme').send({ username: 'admin', password: created.password }).expect(200);

    const list = await stockctl(['tenants', 'list', '--json'], operator());
    expect(list.code).toBe(0);
    expect(ndjson(list)).toContainEqual(expect.objectContaining({ tenant: 'cli-acme', companyName: 'Acme Ltd', users: 1 }));
    const table = await stockctl(['tenants', 'list'], operator());
    expect(table.stdout).toMatch(/^TENANT +COMPANY +USERS +HEAD +LIVE SCHEMA\n/);
    expect(table.stdout).toMatch(/\ncli-acme +Acme Ltd +1 +0 +rm_cli_acme_/);

    const show = await stockctl(['tenants', 'show', 'cli-acme', '--json'], operator());
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ tenant: 'cli-acme', domains: ['cli-acme.localhost'], events: 0 });
    const unknown = await stockctl(['tenants', 'show', 'cli-nobody'], operator());
    expect(unknown).toMatchObject({ code: 4, stdout: '' });
    expect(unknown.stderr).toContain('no tenant cli-nobody');
    const taken = await stockctl(['tenants', 'create', 'cli-acme', '--company', 'Acme again', '--admin-email', 'b@cli-acme.example'], operator());
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('the tenant cli-acme is taken');
  }, cliBudget);

  it('users create, list, and revoke ends the user\'s sessions at once; an unknown user exits 4', async () => {
    const session = await registerAndLogin(api.app, 'cli-users');
    const create = await stockctl(['users', 'create', 'ann', '--tenant', 'cli-users', '--email', 'ann@cli-users.example', '--role', 'viewer'], { ...operator(), STOCKCTL_PASSWORD: adminPassword });
    expect(create.code).toBe(0);
    expect(create.stdout).toMatch(/username +ann/);
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'cli-users').send({ username: 'ann', password: adminPassword }).expect(200);
    const annToken = (login.body as { token: string }).token;
    await request(api.app).get('/api/me').set('X-Tenant', 'cli-users').set('Authorization', `Bearer ${annToken}`).expect(200);

    const list = await stockctl(['users', 'list', '--tenant', 'cli-users', '--json'], operator());
    expect(ndjson(list).map((user) => [user.username, user.role, user.status])).toEqual([
      ['admin', 'admin', 'active'],
      ['ann', 'viewer', 'active'],
    ]);
    const revoke = await stockctl(['users', 'revoke', 'ann', '--tenant', 'cli-users', '--json'], operator());
    expect(revoke.code).toBe(0);
    expect(JSON.parse(revoke.stdout)).toMatchObject({ username: 'ann', status: 'disabled' });
    await request(api.app).get('/api/me').set('X-Tenant', 'cli-users').set('Authorization', `Bearer ${annToken}`).expect(401);
    // Recorded like any administrative act, by stockctl.
    const events = await stockctl(['events', 'stream', 'user-ann', '--tenant', 'cli-users', '--json'], operator());
    expect(ndjson(events)).toEqual([expect.objectContaining({ type: 'UserDisabled', metadata: expect.objectContaining({ user: 'stockctl', source: 'cli' }) })]);
    const unknown = await stockctl(['users', 'revoke', 'nobody', '--tenant', 'cli-users'], operator());
    expect(unknown.code).toBe(4);
    expect(session.tenant).toBe('cli-users');
  }, cliBudget);

  it('tokens create an auditor token that reads events in auditor mode but is refused users (exit 3); revoked, it is refused everything', async () => {
    const { session } = await tenantWithStock('cli-audit');
    const create = await stockctl(['tokens', 'create', '--tenant', 'cli-audit', '--name', 'auditor-2026', '--role', 'auditor', '--json'], operator());
    expect(create.code).toBe(0);
    const { id, token } = JSON.parse(create.stdout) as { id: string; token: string };
    const mode = auditor(session, token);

    const tail = await stockctl(['events', 'tail', ...mode.args, '--sku', 'BOLT', '--json'], mode.env);
    expect(tail.code).toBe(0);
    expect(ndjson(tail).map((event) => event.type)).toEqual(['ArticleRegistered', 'StockReceived', 'StockReceived']);
    const operatorTail = await stockctl(['events', 'tail', '--tenant', 'cli-audit', '--sku', 'BOLT', '--json'], operator());
    expect(ndjson(operatorTail)).toEqual(ndjson(tail));

    const users = await stockctl(['users', 'list', ...mode.args], mode.env);
    expect(users.code).toBe(3);
    expect(users.stderr).toContain('403');
    const projections = await stockctl(['projections', 'status', ...mode.args], mode.env);
    expect(projections.code).toBe(3);

    const listed = await stockctl(['tokens', 'list', '--tenant', 'cli-audit', '--json'], operator());
    expect(ndjson(listed)).toEqual([expect.objectContaining({ id, name: 'auditor-2026', role: 'auditor', createdBy: 'stockctl', revokedAt: null })]);
    expect(listed.stdout).not.toContain(token);
    expect((await stockctl(['tokens', 'revoke', id, '--tenant', 'cli-audit'], operator())).code).toBe(0);
    const refused = await stockctl(['events', 'tail', ...mode.args], mode.env);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain('401');
    const again = await stockctl(['tokens', 'revoke', id, '--tenant', 'cli-other'], operator());
    expect(again.code).toBe(4);
  }, cliBudget);

  it('events tail filters, events stream and events show, in both modes; unknown ids exit 4', async () => {
    const { session } = await tenantWithStock('cli-events', 3);
    const issued = await as(api.app, session).post('/api/tokens').send({ name: 'audit', role: 'auditor' }).expect(201);
    const mode = auditor(session, (issued.body as { token: string }).token);
    const seen: Record<string, unknown>[][] = [];
    for (const [args, env] of [
      [['--tenant', 'cli-events'], operator()],
      [mode.args, mode.env],
    ] as const) {
      const received = await stockctl(['events', 'tail', ...args, '--type', 'StockReceived', '--json'], env);
      const events = ndjson(received);
      expect(events).toHaveLength(3);
      seen.push(events);
      const [first, second] = events as unknown as [{ position: string; id: string }, { position: string; id: string }];
      const after = await stockctl(['events', 'tail', ...args, '--type', 'StockReceived', '--after', first.position, '--json'], env);
      expect(ndjson(after).map((event) => event.id)).toEqual(events.slice(1).map((event) => event.id));
      const last = await stockctl(['events', 'tail', ...args, '--limit', '1', '--json'], env);
      expect(ndjson(last)).toEqual([events[2]]);
      const since = await stockctl(['events', 'tail', ...args, '--since', new Date(Date.now() + 60_000).toISOString()], env);
      expect(since).toMatchObject({ code: 0, stdout: '' });

      const stream = await stockctl(['events', 'stream', 'stock-BOLT', ...args], env);
      expect(stream.code).toBe(0);
      expect(stream.stdout.trim().split('\n')).toHaveLength(3);
      expect(stream.stdout).toContain('cli-events:stock-BOLT');
      expect((await stockctl(['events', 'stream', 'stock-NOPE', ...args], env)).code).toBe(4);

      const show = await stockctl(['events', 'show', second.id, ...args, '--json'], env);
      expect(JSON.parse(show.stdout)).toEqual(second);
      const unknown = await stockctl(['events', 'show', '00000000-0000-4000-8000-000000000000', ...args], env);
      expect(unknown.code).toBe(4);
    }
    // One audit shape: what the operator reads from the store is what GET /api/audit/events answers.
    expect(seen[0]).toEqual(seen[1]);
  }, cliBudget);

  it('movements show gives the movement with its reversal chain, in both modes', async () => {
    const { session, movementIds } = await tenantWithStock('cli-moves', 1);
    const original = movementIds[0] ?? '';
    const reversal = await as(api.app, session).post(`/api/movements/${original}/reverse`).send({ reason: 'wrong article' }).expect(201);
    const reversalId = (reversal.body as { movementId: string }).movementId;
    const issued = await as(api.app, session).post('/api/tokens').send({ name: 'audit', role: 'auditor' }).expect(201);
    const mode = auditor(session, (issued.body as { token: string }).token);

    const text = await stockctl(['movements', 'show', reversalId, '--tenant', 'cli-moves'], operator());
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`movement   ${reversalId}`);
    expect(text.stdout).toContain('BOLT  5  A-01 -> @supplier');
    expect(text.stdout).toContain(`   ${original}  received`);
    expect(text.stdout).toContain(` * ${reversalId}  reversed      `);
    const json = await stockctl(['movements', 'show', original, ...mode.args, '--json'], mode.env);
    expect(JSON.parse(json.stdout)).toMatchObject({
      movementId: original,
      kind: 'received',
      reference: 'PO-0',
      reversedBy: reversalId,
      user: 'admin',
      chain: [expect.objectContaining({ movementId: original }), expect.objectContaining({ movementId: reversalId, reversalOf: original })],
    });
    expect((await stockctl(['movements', 'show', 'no-such-movement', '--tenant', 'cli-moves'], operator())).code).toBe(4);
  }, cliBudget);

  it('events tail --follow prints a new event as it is committed and stops on SIGINT with 130', async () => {
    const { session } = await tenantWithStock('cli-follow', 1);
    const follow = startStockctl(['events', 'tail', '--tenant', 'cli-follow', '--follow', '--json'], operator());
    await follow.waitFor('following new events');
    await as(api.app, session).post('/api/stock/receipts').send({ reference: 'PO-LIVE', lines: [{ sku: 'BOLT', quantity: 7, location: 'A-01' }] }).expect(201);
    await follow.waitFor('PO-LIVE');
    follow.child.kill('SIGINT');
    const run = await follow.exited;
    expect(run.code).toBe(130);
    expect(ndjson(run).some((event) => event.type === 'MovementRecorded' && (event.data as { reference?: string }).reference === 'PO-LIVE')).toBe(true);
  }, 60_000);

  it('stops quietly with 141 when its reader goes away (a pipe to head), not with an EPIPE stack trace', async () => {
    const { session } = await tenantWithStock('cli-pipe', 1);
    const follow = startStockctl(['events', 'tail', '--tenant', 'cli-pipe', '--follow'], operator());
    await follow.waitFor('following new events');
    follow.child.stdout.destroy();
    await as(api.app, session).post('/api/stock/receipts').send({ reference: 'PO-PIPE', lines: [{ sku: 'BOLT', quantity: 7, location: 'A-01' }] }).expect(201);
    const run = await follow.exited;
    expect(run.stderr).not.toContain('EPIPE');
    expect(run.code).toBe(141);
  }, 60_000);

  it('demo fills a new tenant (exit 0), refuses one with events (exit 1), and projections status and verify see it', async () => {
    const demo = await stockctl(['demo', '--tenant', 'cli-demo', '--articles', '3', '--days', '2', '--seed', '5', '--json'], operator());
    expect(demo.code).toBe(0);
    expect(demo.stderr).toBe('');
    const summary = JSON.parse(demo.stdout) as { articles: number; events: number; password: string };
    expect(summary).toMatchObject({ tenant: 'cli-demo', articles: 3, username: 'admin' });
    expect(summary.events).toBeGreaterThan(0);
    const again = await stockctl(['demo', '--tenant', 'cli-demo', '--articles', '3', '--days', '2'], operator());
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`has ${summary.events} events already`);

    const status = await stockctl(['projections', 'status', '--tenant', 'cli-demo', '--json'], operator());
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ tenant: 'cli-demo', live: expect.objectContaining({ status: 'ready' }) });
    const verify = await stockctl(['projections', 'verify', '--tenant', 'cli-demo', '--json'], operator());
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ tenant: 'cli-demo', ok: true });
  }, cliBudget);

  it('demo stops on Ctrl-C between movements with 130, every movement it recorded whole', async () => {
    const demo = startStockctl(['demo', '--tenant', 'cli-stop', '--articles', '200', '--days', '60'], operator());
    const { db } = api.database;
    const deadline = Date.now() + 60_000;
    // Interrupted once it is recording movements (the days of business), not while it sets up locations.
    while ((await db.one<{ n: number }>("select count(*)::int as n from es_events where tenant = 'cli-stop' and type = 'MovementRecorded'")).n < 20) {
      if (Date.now() > deadline) throw new Error(`the demo recorded no movements within 60 s:\n${demo.stderr()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    demo.child.kill('SIGINT');
    const run = await demo.exited;
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 130, stderr: expect.stringContaining('interrupted; tenant cli-stop keeps the movements recorded so far') });
    const partial = await db.one<{ n: number }>(
      `select count(*)::int as n from es_events m
        where m.tenant = 'cli-stop' and m.type = 'MovementRecorded' and jsonb_array_length(m.data->'lines') > 0
          and not exists (select 1 from es_events s where s.tenant = 'cli-stop' and s.stream_name like 'cli-stop:stock-%' and s.data->>'movementId' = m.data->>'movementId')`,
    );
    expect(partial.n).toBe(0);
  }, cliBudget);
});
