import { EventEmitter } from 'node:events';
import http from 'node:http';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Response } from 'express';
import { Subject } from 'rxjs';
import request from 'supertest';
import { serveEventStream } from '../../src/api/live/event-stream.js';
import type { MovementNotice } from '../../src/api/live/movement-notices.js';
import { createLogger } from '../../src/logger.js';
import { adminPassword, as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

/** One server-sent event as the raw client parsed it. */
interface LiveEvent {
  readonly id: string;
  readonly data: { position: string; kind: string; movementId: string; skus: string[]; locations: string[] };
}

/** A GET /api/live read by a bare HTTP client, event by event. */
interface LiveClient {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The body of a refusal (problem+json), once it ended. */
  readonly body: string;
  readonly events: LiveEvent[];
  readonly comments: string[];
  readonly ended: () => boolean;
  close(): void;
}

/** Opens a live stream with the given headers and resolves once its status and headers are in. */
async function openLive(base: string, headers: Record<string, string>, query = ''): Promise<LiveClient> {
  return await new Promise((resolve, reject) => {
    const call = http.get(`${base}/api/live${query}`, { headers }, (response) => {
      const events: LiveEvent[] = [];
      const comments: string[] = [];
      let buffer = '';
      let ended = false;
      let body = '';
      response.setEncoding('utf8');
      const client: LiveClient = {
        status: response.statusCode ?? 0,
        headers: response.headers,
        get body() {
          return body;
        },
        events,
        comments,
        ended: () => ended,
        close: () => call.destroy(),
      };
      response.on('data', (chunk: string) => {
        if (response.statusCode !== 200) {
          body += chunk;
          return;
        }
        buffer += chunk;
        let boundary = buffer.indexOf('\n\n');
        while (boundary >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const lines = block.split('\n');
          const id = lines.find((line) => line.startsWith('id: '))?.slice(4);
          const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
          for (const line of lines) if (line.startsWith(':')) comments.push(line.slice(1).trim());
          if (id !== undefined && data !== undefined) events.push({ id, data: JSON.parse(data) as LiveEvent['data'] });
          boundary = buffer.indexOf('\n\n');
        }
      });
      const finish = (): void => {
        ended = true;
      };
      response.on('end', finish);
      response.on('close', finish);
      response.on('error', finish);
      resolve(client);
    });
    call.on('error', reject);
  });
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const bearer = (session: TenantSession): Record<string, string> => ({ 'X-Tenant': session.tenant, Authorization: `Bearer ${session.token}` });

describe('GET /api/live', () => {
  // Short heartbeats and checks, small caps: the behaviour of the production values, in test time.
  const api = useApi({}, { live: { heartbeatMs: 100, recheckMs: 100, perCredential: 3, perTenant: 4, perProcess: 5 } });
  let acme: TenantSession;
  let globex: TenantSession;

  /** Sets up a warehouse with a bin and two articles in `session`'s tenant. */
  async function warehouse(session: TenantSession): Promise<void> {
    const admin = as(api.app, session);
    await admin.post('/api/locations').send({ code: 'WH', type: 'warehouse' }).expect(201);
    await admin.post('/api/locations').send({ code: 'BIN', type: 'storage', parent: 'WH' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }).expect(201);
    await admin.post('/api/articles').send({ sku: 'NUT', name: 'Nut', unit: 'pcs', tracking: 'none' }).expect(201);
  }

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
    globex = await registerAndLogin(api.app, 'globex');
    await warehouse(acme);
    await warehouse(globex);
  });

  it('is in the OpenAPI document as a text/event-stream of the event data, for every role', async () => {
    const document = await request(api.app).get('/api/openapi.json').expect(200);
    const operation = document.body.paths['/api/live'].get;
    expect(Object.keys(operation.responses['200'].content)).toEqual(['text/event-stream']);
    expect(operation.responses['200'].content['text/event-stream'].schema.required).toEqual(['position', 'kind', 'movementId', 'skus', 'locations']);
    expect(operation.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(['after', 'X-Tenant']);
    expect(operation.description).toBe('Roles: every role.');
  });

  it('answers 401 without credentials, and 401 with a credential of another tenant', async () => {
    const anonymous = await request(api.app).get('/api/live').set('X-Tenant', 'acme').expect(401);
    expect(anonymous.body.code).toBe('unauthenticated');
    await request(api.app).get('/api/live').set('X-Tenant', 'acme').set('Authorization', `Bearer ${globex.token}`).expect(401);
  });

  it('sends one event per movement, in position order, with its skus and locations, and the stream headers', async () => {
    const live = await openLive(api.app, bearer(acme));
    try {
      expect(live.status).toBe(200);
      expect(live.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      expect(live.headers['cache-control']).toBe('no-store');
      expect(live.headers['x-accel-buffering']).toBe('no');
      expect(live.headers.connection).toBe('keep-alive');
      await waitFor(() => live.comments.includes('live'), 'the opening comment');
      const admin = as(api.app, acme);
      const receipt = await admin.post('/api/stock/receipts').send({ reference: 'PO-1', lines: [{ sku: 'BOLT', quantity: 10, location: 'WH' }, { sku: 'NUT', quantity: 5, location: 'WH' }] }).expect(201);
      const transfer = await admin.post('/api/stock/transfers').send({ lines: [{ sku: 'BOLT', quantity: 4, from: 'WH', to: 'BIN' }] }).expect(201);
      await waitFor(() => live.events.length >= 2, 'two events');
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(live.events.map((event) => event.data)).toEqual([
        { position: expect.any(String), kind: 'received', movementId: receipt.body.movementId, skus: ['BOLT', 'NUT'], locations: ['@supplier', 'WH'] },
        { position: expect.any(String), kind: 'transferred', movementId: transfer.body.movementId, skus: ['BOLT'], locations: ['WH', 'BIN'] },
      ]);
      const [first, second] = live.events as [LiveEvent, LiveEvent];
      for (const event of live.events) expect(event.id).toBe(event.data.position);
      expect(BigInt(first.id)).toBeLessThan(BigInt(second.id));
      // At or after every event of its movement: waiting for it (X-Min-Position) sees the whole movement.
      expect(BigInt(first.id)).toBeGreaterThanOrEqual(BigInt(receipt.headers['x-position'] as string));
      expect(BigInt(first.id)).toBeLessThan(BigInt(transfer.headers['x-position'] as string));
      expect(BigInt(second.id)).toBeGreaterThanOrEqual(BigInt(transfer.headers['x-position'] as string));
      const stock = await admin.get('/api/stock?sku=NUT').set('X-Min-Position', first.id).expect(200);
      expect(stock.body.items).toEqual([expect.objectContaining({ location: 'WH', onHand: 5 })]);
    } finally {
      live.close();
    }
  });

  it('resumes after Last-Event-ID (or ?after=) with only later movements, each once', async () => {
    const admin = as(api.app, acme);
    const start = await openLive(api.app, bearer(acme), '?after=0');
    let resumed: LiveClient | undefined;
    let byQuery: LiveClient | undefined;
    try {
      await waitFor(() => start.events.length >= 2, 'the movements so far');
      const [first, second] = start.events as [LiveEvent, LiveEvent];
      // The header wins over the `after` a browser's URL still carries when it reconnects.
      resumed = await openLive(api.app, { ...bearer(acme), 'Last-Event-ID': first.id }, '?after=0');
      byQuery = await openLive(api.app, bearer(acme), `?after=${first.id}`);
      const shipment = await admin.post('/api/stock/shipments').send({ reference: 'SO-1', lines: [{ sku: 'NUT', quantity: 1, from: 'WH' }] }).expect(201);
      for (const client of [resumed, byQuery, start]) await waitFor(() => client.events.some((event) => event.data.movementId === shipment.body.movementId), 'the shipment');
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const client of [resumed, byQuery]) {
        expect(client.events.map((event) => event.data.movementId)).toEqual([second.data.movementId, shipment.body.movementId]);
        expect(client.events.map((event) => event.id)).toEqual([second.id, start.events.at(-1)?.id]);
      }
      const ids = start.events.map((event) => event.data.movementId);
      expect(new Set(ids).size).toBe(ids.length);
      const malformed = await openLive(api.app, { ...bearer(acme), 'Last-Event-ID': 'yesterday' });
      expect([malformed.status, JSON.parse(await settled(malformed)).code]).toEqual([400, 'malformed-header']);
    } finally {
      for (const client of [start, resumed, byQuery]) client?.close();
    }
  });

  it("gives each tenant its own movements only, even from the other's positions", async () => {
    const acmeLive = await openLive(api.app, bearer(acme));
    const globexFromZero = await openLive(api.app, bearer(globex), '?after=0');
    let globexFromAcme: LiveClient | undefined;
    try {
      const acmeReceipt = await as(api.app, acme).post('/api/stock/receipts').send({ lines: [{ sku: 'BOLT', quantity: 1, location: 'WH' }] }).expect(201);
      await waitFor(() => acmeLive.events.length >= 1, "acme's receipt");
      // A position of acme's, as Last-Event-ID on globex: a place in the order, nothing of acme's.
      globexFromAcme = await openLive(api.app, { ...bearer(globex), 'Last-Event-ID': '0' }, `?after=${acmeLive.events[0]?.id ?? ''}`);
      const globexHeader = await openLive(api.app, { ...bearer(globex), 'Last-Event-ID': acmeLive.events[0]?.id ?? '' });
      const globexReceipt = await as(api.app, globex).post('/api/stock/receipts').send({ lines: [{ sku: 'BOLT', quantity: 2, location: 'WH' }] }).expect(201);
      for (const client of [globexFromZero, globexFromAcme, globexHeader]) {
        await waitFor(() => client.events.some((event) => event.data.movementId === globexReceipt.body.movementId), "globex's receipt");
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const client of [globexFromZero, globexFromAcme, globexHeader]) {
        expect(client.events.map((event) => event.data.movementId)).toEqual([globexReceipt.body.movementId]);
      }
      expect(acmeLive.events.map((event) => event.data.movementId)).toEqual([acmeReceipt.body.movementId]);
      globexHeader.close();
    } finally {
      for (const client of [acmeLive, globexFromZero, globexFromAcme]) client?.close();
    }
  });

  it('sends a heartbeat comment while nothing moves', async () => {
    const live = await openLive(api.app, bearer(acme));
    try {
      await waitFor(() => live.comments.filter((comment) => comment === 'heartbeat').length >= 2, 'two heartbeats');
      expect(live.ended()).toBe(false);
    } finally {
      live.close();
    }
  });

  it('is open to every role, by bearer token or by the session cookie, and ends when the session is logged out', async () => {
    for (const role of ['viewer', 'auditor', 'operator', 'manager']) {
      const issued = await as(api.app, acme).post('/api/tokens').send({ name: `${role}-live`, role }).expect(201);
      const live = await openLive(api.app, bearer({ tenant: 'acme', token: issued.body.token as string }));
      expect([role, live.status]).toEqual([role, 200]);
      live.close();
    }
    const login = await request(api.app).post('/api/auth/login').set('X-Tenant', 'acme').send({ username: 'admin', password: adminPassword, session: 'cookie' }).expect(200);
    const cookie = ((login.headers['set-cookie'] as unknown as string[])[0] ?? '').split(';')[0] ?? '';
    const live = await openLive(api.app, { 'X-Tenant': 'acme', Cookie: cookie });
    try {
      expect(live.status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(live.ended()).toBe(false);
      await request(api.app).post('/api/auth/logout').set('X-Tenant', 'acme').set('Cookie', cookie).set('X-CSRF-Token', login.body.csrfToken as string).expect(204);
      await waitFor(() => live.ended(), 'the end of the stream after logout', 2000);
    } finally {
      live.close();
    }
  });

  it('refuses a fourth stream of one credential and a sixth of the process with 429, and takes them again once one closes', async () => {
    const other = await registerAndLogin(api.app, 'initech');
    const mine = await Promise.all([1, 2, 3].map(async () => await openLive(api.app, bearer(acme))));
    const theirs: LiveClient[] = [];
    try {
      expect(mine.map((client) => client.status)).toEqual([200, 200, 200]);
      const fourth = await openLive(api.app, bearer(acme));
      expect([fourth.status, fourth.headers['retry-after'], JSON.parse(await settled(fourth)).code]).toEqual([429, '5', 'rate-limited']);
      theirs.push(await openLive(api.app, bearer(globex)), await openLive(api.app, bearer(globex)));
      expect(theirs.map((client) => client.status)).toEqual([200, 200]);
      const sixth = await openLive(api.app, bearer(other));
      expect([sixth.status, JSON.parse(await settled(sixth)).code]).toEqual([429, 'rate-limited']);
      mine[0]?.close();
      await waitFor(() => mine[0]?.ended() ?? false, 'the closed stream');
      // The server hears of the close a moment later: retried until then.
      const deadline = Date.now() + 2000;
      let again = await openLive(api.app, bearer(other));
      while (again.status !== 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        again = await openLive(api.app, bearer(other));
      }
      expect(again.status).toBe(200);
      again.close();
    } finally {
      for (const client of [...mine, ...theirs]) client.close();
    }
  });

  it('refuses a tenant its fifth stream with 429 however many tokens it mints, while another tenant still gets one', async () => {
    // A second credential of the same tenant: a new login is a new session.
    const again = await request(api.app).post('/api/auth/login').set('X-Tenant', 'acme').send({ username: 'admin', password: adminPassword }).expect(200);
    const second: TenantSession = { tenant: 'acme', token: (again.body as { token: string }).token };
    const open: LiveClient[] = [];
    try {
      // The streams of the tests before are released a moment after their clients closed them.
      for (const session of [acme, acme, acme, second]) open.push(await openAdmitted(api.app, bearer(session)));
      expect(open.map((client) => client.status)).toEqual([200, 200, 200, 200]);
      const fifth = await openLive(api.app, bearer(second));
      open.push(fifth);
      expect([fifth.status, fifth.headers['retry-after']]).toEqual([429, '5']);
      const refusal = JSON.parse(await settled(fifth)) as { code: string; detail: string };
      expect([refusal.code, refusal.detail]).toEqual(['rate-limited', 'This server keeps at most 4 live streams per tenant open; close one or retry later.']);
      // The process has a place left (4 of 5): it is another tenant's.
      const theirs = await openLive(api.app, bearer(globex));
      open.push(theirs);
      expect(theirs.status).toBe(200);
    } finally {
      for (const client of open) client.close();
    }
    // Closed streams give their places back; the next test starts with none held.
    await waitFor(() => open.every((client) => client.ended()), 'the closed streams');
  });

  it('answers HEAD with the stream headers and ends at once, holding no place', async () => {
    // One kept-alive connection: a HEAD whose answer never ended would hold it, and its place.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      for (let n = 0; n < 4; n += 1) {
        const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
          const call = http.request(`${api.app}/api/live`, { method: 'HEAD', agent, headers: bearer(acme), timeout: 2000 }, (response) => {
            response.resume();
            response.on('end', () => resolve(response));
          });
          call.on('timeout', () => call.destroy(new Error('HEAD /api/live did not end')));
          call.on('error', reject);
          call.end();
        });
        expect([n, answer.statusCode, answer.headers['content-type']]).toEqual([n, 200, 'text/event-stream; charset=utf-8']);
      }
      // Nothing of the credential's 3 places is held by them.
      const streams = await Promise.all([1, 2, 3].map(async () => await openLive(api.app, bearer(acme))));
      expect(streams.map((client) => client.status)).toEqual([200, 200, 200]);
      for (const client of streams) client.close();
    } finally {
      agent.destroy();
    }
  });

  it('ends every open stream when the service shuts down, so the HTTP drain does not wait for them, and refuses new ones (503)', async () => {
    const live = await openLive(api.app, bearer(acme));
    expect(live.status).toBe(200);
    // As main() stops: the streams first, then the drain (whose timeout here is 5 s).
    api.application.endStreams();
    await waitFor(() => live.ended(), 'the end of the stream at shutdown', 2000);
    const late = await openLive(api.app, bearer(acme));
    expect([late.status, JSON.parse(await settled(late)).code]).toEqual([503, 'unavailable']);
    const started = Date.now();
    await api.server?.close(5_000);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

/** The whole body of a refused request. */
/** Opens a live stream, retrying for up to 2 s while a place is still held by a closed stream. */
async function openAdmitted(base: string, headers: Record<string, string>): Promise<LiveClient> {
  const deadline = Date.now() + 2000;
  let client = await openLive(base, headers);
  while (client.status === 429 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    client = await openLive(base, headers);
  }
  return client;
}

async function settled(client: LiveClient): Promise<string> {
  await waitFor(() => client.ended(), 'the refusal body');
  return client.body;
}

describe('a live stream whose client does not read', () => {
  it('is dropped once its buffers pass the limit, its subscription ended and its place released', () => {
    const fake = Object.assign(new EventEmitter(), {
      written: '',
      writableLength: 0,
      writableEnded: false,
      destroyed: false,
      flushHeaders: () => undefined,
      write(text: string) {
        // Nothing drains: the client reads nothing.
        fake.written += text;
        fake.writableLength += text.length;
        return false;
      },
      end() {
        fake.writableEnded = true;
      },
      destroy() {
        fake.destroyed = true;
        fake.emit('close');
      },
    });
    const notices = new Subject<MovementNotice>();
    let released = 0;
    serveEventStream(fake as unknown as Response, {
      notices,
      limits: { heartbeatMs: 60_000, recheckMs: 60_000, maxBufferedBytes: 1000 },
      stillAuthenticated: async () => true,
      register: () => () => {
        released += 1;
      },
      logger: createLogger('silent'),
    });
    for (let n = 1; n <= 3; n += 1) notices.next({ position: String(n), kind: 'received', movementId: `m${n}`, skus: ['BOLT'], locations: ['@supplier', 'WH'] });
    expect(fake.destroyed).toBe(false);
    for (let n = 4; n <= 30 && !fake.destroyed; n += 1) notices.next({ position: String(n), kind: 'received', movementId: `m${n}`, skus: ['BOLT'], locations: ['@supplier', 'WH'] });
    expect(fake.destroyed).toBe(true);
    expect(fake.writableLength).toBeLessThan(1000 + 200);
    expect(notices.observed).toBe(false);
    expect(released).toBe(1);
  });
});
