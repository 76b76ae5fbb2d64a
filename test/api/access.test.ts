import { beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

type Role = 'admin' | 'manager' | 'operator' | 'viewer' | 'auditor';
const everyone: Role[] = ['admin', 'manager', 'operator', 'viewer', 'auditor'];
const movers: Role[] = ['admin', 'manager', 'operator'];
const catalogers: Role[] = ['admin', 'manager'];
const auditors: Role[] = ['admin', 'auditor'];
const admins: Role[] = ['admin'];

/** The role matrix of API.md, route by route: who may call it (every other role gets 403). */
const matrix: Array<[method: 'get' | 'post' | 'patch' | 'delete', path: string, allowed: Role[]]> = [
  ['post', '/api/auth/logout', everyone],
  ['get', '/api/auth/csrf', everyone],
  ['get', '/api/me', everyone],
  ['post', '/api/tokens', admins],
  ['get', '/api/tokens', admins],
  ['delete', '/api/tokens/00000000-0000-4000-8000-000000000000', admins],
  ['post', '/api/users', admins],
  ['get', '/api/users', admins],
  // A literal {username}: admins get 422 (not a valid username), the others 403 before validation.
  ['patch', '/api/users/{username}', admins],
  ['delete', '/api/users/{username}', admins],
  ['post', '/api/users/{username}/disable', admins],
  ['post', '/api/users/{username}/enable', admins],
  ['post', '/api/users/{username}/password', admins],
  ['delete', '/api/users/{username}/sessions', admins],
  ['post', '/api/me/password', everyone],
  ['post', '/api/articles', catalogers],
  ['get', '/api/articles', everyone],
  ['get', '/api/articles/BOLT', everyone],
  ['patch', '/api/articles/BOLT', catalogers],
  ['post', '/api/articles/BOLT/archive', catalogers],
  ['get', '/api/barcodes/123', everyone],
  ['post', '/api/locations', catalogers],
  ['get', '/api/locations', everyone],
  ['get', '/api/locations/A-1', everyone],
  ['post', '/api/locations/A-1/block', catalogers],
  ['post', '/api/locations/A-1/unblock', catalogers],
  ['post', '/api/stock/receipts', movers],
  ['post', '/api/stock/transfers', movers],
  ['post', '/api/stock/reservations', movers],
  ['delete', '/api/stock/reservations/SO-1', movers],
  ['post', '/api/stock/shipments', movers],
  ['post', '/api/stock/returns', movers],
  ['post', '/api/stock/adjustments', movers],
  ['post', '/api/stock/counts', movers],
  ['post', '/api/movements/00000000-0000-4000-8000-000000000000/reverse', movers],
  ['get', '/api/stock', everyone],
  ['get', '/api/stock/as-of', everyone],
  ['get', '/api/movements', everyone],
  ['get', '/api/reports/low-stock', everyone],
  ['get', '/api/reports/expiring', everyone],
  ['get', '/api/reports/stock-history', everyone],
  ['get', '/api/audit/events', auditors],
  ['get', '/api/audit/articles/BOLT/replay', auditors],
  ['get', '/api/admin/projections', admins],
  ['post', '/api/admin/projections/verify', admins],
];

describe('roles, isolation and hostile input', () => {
  const api = useApi();
  let acme: TenantSession;
  let globex: TenantSession;
  const tokens = {} as Record<Role, TenantSession>;

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
    globex = await registerAndLogin(api.app, 'globex');
    for (const role of everyone) {
      const issued = await as(api.app, acme).post('/api/tokens').send({ name: `${role}-token`, role }).expect(201);
      tokens[role] = { tenant: 'acme', token: issued.body.token as string };
    }
  });

  it('covers every authenticated route of the OpenAPI document', async () => {
    const document = await request(api.app).get('/api/openapi.json').expect(200);
    const operations = Object.entries(document.body.paths as Record<string, Record<string, { security?: unknown[] }>>).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, operation]) => operation.security === undefined)
        .map(([method]) => `${method} ${path}`),
    );
    const covered = new Set(matrix.map(([method, path]) => `${method} ${path.replace(/\/(00000000-[^/]+|BOLT|A-1|SO-1|123)(?=\/|$)/g, (_all, id: string) => `/{${id === 'BOLT' ? 'sku' : id === 'A-1' ? 'code' : id === 'SO-1' ? 'reference' : id === '123' ? 'code' : 'x'}}`)}`));
    const uncovered = operations.filter((operation) => !covered.has(operation.replace(/\{(id|movementId)\}/, '{x}')));
    // The rebuild route is left out of the matrix (it starts work); it is admin-only like verify.
    // DELETE /api/me/sessions is every role's but a token's 403 not-a-user (user-administration.test.ts).
    // GET /api/live is every role's too, but its answer never ends: live.test.ts opens it as each role.
    expect(uncovered).toEqual(['delete /api/me/sessions', 'post /api/admin/projections/rebuild', 'get /api/live']);
  });

  it.each(matrix)('%s %s: allowed roles pass, the others get 403', async (method, path, allowed) => {
    for (const role of everyone) {
      const response = await as(api.app, tokens[role])[method](path).send(method === 'get' || method === 'delete' ? undefined : {});
      if (allowed.includes(role)) expect([role, response.status]).not.toEqual([role, 403]);
      else expect([role, response.status, response.body.code]).toEqual([role, 403, 'forbidden']);
      expect(response.status).not.toBe(401);
      expect(response.status).toBeLessThan(500);
    }
  });

  it('keeps tenants apart: another tenant cannot see, reverse or replay what acme did', async () => {
    const admin = as(api.app, acme);
    await admin.post('/api/locations').send({ code: 'WH', type: 'warehouse' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'SECRET', name: 'Secret thing', unit: 'pcs', tracking: 'none' }).expect(201);
    const receipt = await admin.post('/api/stock/receipts').send({ lines: [{ sku: 'SECRET', quantity: 5, location: 'WH' }] }).expect(201);
    const other = as(api.app, globex);
    await other.post(`/api/movements/${receipt.body.movementId as string}/reverse`).send({ reason: 'guessing' }).expect(404);
    await other.get('/api/articles/SECRET').expect(404);
    const stock = await other.get('/api/stock?sku=SECRET').expect(200);
    expect(stock.body.items).toEqual([]);
    const events = await other.get('/api/audit/events?stream=acme:stock-SECRET').expect(200);
    expect(events.body.items).toEqual([]);
    const replay = await other.get('/api/audit/articles/SECRET/replay').expect(200);
    expect(replay.body).toMatchObject({ eventsFolded: 0, balances: [] });
    const all = await other.get('/api/audit/events?limit=500').expect(200);
    expect(JSON.stringify(all.body)).not.toContain('SECRET');
    // Still there for acme.
    const mine = await admin.get('/api/stock?sku=SECRET').set('X-Min-Position', receipt.headers['x-position'] as string).expect(200);
    expect(mine.body.items).toEqual([expect.objectContaining({ onHand: 5 })]);
  });

  const hostile = ["' or 1=1 --", 'x"; drop table users; --', '%_\\', '\u0000', 'é'.repeat(5000), '../../etc/passwd', '$1', 'a'.repeat(70_000)];

  it('refuses hostile strings in every path parameter with 4xx, never 500', async () => {
    const admin = as(api.app, acme);
    for (const value of hostile) {
      const encoded = encodeURIComponent(value);
      for (const path of [`/api/articles/${encoded}`, `/api/locations/${encoded}`, `/api/barcodes/${encoded}`, `/api/audit/articles/${encoded}/replay`, `/api/stock/reservations/${encoded}`]) {
        const method = path.startsWith('/api/stock/reservations') ? 'delete' : 'get';
        const response = await admin[method](path);
        // `../../etc/passwd` is a well-formed SKU (API.md allows "." and "/"): its replay is an empty history, not a file.
        const harmless = response.status >= 400 ? response.status < 500 : path.includes('/replay') && response.body.eventsFolded === 0;
        expect([path.slice(0, 40), harmless]).toEqual([path.slice(0, 40), true]);
      }
      const patched = await admin.patch(`/api/articles/${encoded}`).send({ name: 'x' });
      expect(patched.status).toBeGreaterThanOrEqual(400);
      expect(patched.status).toBeLessThan(500);
      // 422 from validation, or 431 from Node itself for a path over its header limit.
      for (const path of [`/api/movements/${encoded}/reverse`, `/api/locations/${encoded}/block`]) {
        const response = await admin.post(path).send({ reason: 'x' });
        expect([path.slice(0, 40), [422, 431].includes(response.status)]).toEqual([path.slice(0, 40), true]);
      }
    }
  });

  it('answers malformed %-escapes in a path with 400 before anything else, and a non-ASCII CSRF token with 403', async () => {
    const admin = as(api.app, acme);
    for (const path of ['/api/articles/%E0%A4', '/api/locations/%ZZ', '/api/barcodes/%']) {
      const response = await admin.get(path);
      expect([path, response.status, response.body.code]).toEqual([path, 400, 'malformed-request']);
    }
    const agent = request.agent(api.app);
    await agent.post('/api/auth/login').set('X-Tenant', 'acme').send({ username: 'admin', password: 'correct horse battery' }).expect(200);
    const refused = await agent.post('/api/articles').set('X-Tenant', 'acme').set('X-CSRF-Token', `é${'a'.repeat(31)}`).send({ sku: 'X', name: 'x', unit: 'pcs', tracking: 'none' });
    expect(refused.status).toBe(403);
  });

  it('refuses hostile strings in every body and query field with 422 or a clean refusal, and stores nothing strange', async () => {
    const admin = as(api.app, acme);
    for (const value of hostile) {
      const bodies: Array<[string, Record<string, unknown>]> = [
        ['/api/articles', { sku: value, name: 'n', unit: 'u', tracking: 'none' }],
        ['/api/articles', { sku: 'OK', name: value, unit: value, tracking: value, barcode: value }],
        ['/api/locations', { code: value, type: 'storage', name: value, parent: value }],
        ['/api/stock/receipts', { reference: value, lines: [{ sku: value, quantity: 1, location: value, lot: value, serials: [value] }] }],
        ['/api/stock/adjustments', { reason: value, note: value, lines: [{ sku: 'SECRET', location: 'WH', delta: 1 }] }],
        ['/api/users', { username: value, email: value, password: value, role: value }],
      ];
      for (const [path, body] of bodies) {
        // `../../etc/passwd` is a well-formed SKU; an article by that name is fine and is created.
        if (body.sku === value && /^[A-Za-z0-9._/-]{1,64}$/.test(value)) continue;
        const response = await admin.post(path).send(body);
        expect([path, response.status >= 400 && response.status < 500]).toEqual([path, true]);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      for (const path of [`/api/stock?sku=${encodeURIComponent(value)}`, `/api/movements?reference=${encodeURIComponent(value)}`, `/api/articles?search=${encodeURIComponent(value)}`, `/api/movements?cursor=${encodeURIComponent(value)}`]) {
        const response = await admin.get(path);
        expect([path.slice(0, 30), response.status < 500]).toEqual([path.slice(0, 30), true]);
      }
    }
    const users = await admin.get('/api/users').expect(200);
    expect(users.body.items).toHaveLength(1);
  });

  it('stores free text with SQL metacharacters verbatim and finds it again', async () => {
    const admin = as(api.app, acme);
    const reference = `PO-' or 1=1; -- "quoted" %_\\`;
    const receipt = await admin.post('/api/stock/receipts').send({ reference, lines: [{ sku: 'SECRET', quantity: 1, location: 'WH' }] }).expect(201);
    const found = await admin.get(`/api/movements?reference=${encodeURIComponent(reference)}`).set('X-Min-Position', receipt.headers['x-position'] as string).expect(200);
    expect(found.body.items).toEqual([expect.objectContaining({ reference, movementId: receipt.body.movementId })]);
    const overLong = await admin.post('/api/stock/receipts').send({ reference: 'r'.repeat(101), lines: [{ sku: 'SECRET', quantity: 1, location: 'WH' }] }).expect(422);
    expect(overLong.body.errors).toEqual([expect.objectContaining({ path: 'reference' })]);
  });
});
