import http from 'node:http';
import net from 'node:net';
import { beforeAll, describe, expect, it } from '@jest/globals';
import express, { type ErrorRequestHandler } from 'express';
import request from 'supertest';
import { jsonBody } from '../../src/api/request-decoding.js';
import { as, registerAndLogin, useApi, type TenantSession } from '../support/api.js';

/**
 * Sends `head` and the first piece of `body` on a raw socket, then the rest while no answer has
 * come (a client that stops sending once answered); resolves with all it received once the server
 * closes the connection, or after `withinMs`.
 */
async function rawExchange(base: string, head: string, body: Buffer[] = [], withinMs = 5_000): Promise<string> {
  const { hostname, port } = new URL(base);
  const socket = net.connect(Number(port), hostname);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  let closed = false;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  // A write racing the server's close fails with EPIPE or ECONNRESET: what was answered is what counts.
  socket.on('error', () => undefined);
  const closing = new Promise<void>((resolve) => socket.once('close', () => ((closed = true), resolve())));
  const [first, ...rest] = body;
  socket.write(first === undefined ? head : Buffer.concat([Buffer.from(head), first]));
  // Time for a route that acts on the headers alone to do so before the body goes on.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const piece of rest) {
    if (closed || received !== '' || !socket.writable) break;
    socket.write(piece);
    await new Promise((resolve) => setImmediate(resolve));
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([closing, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
  clearTimeout(timer);
  socket.destroy();
  return received;
}

/** A chunk of a chunked body: its size in hex, the bytes, CRLF. */
const chunkOf = (bytes: Buffer): Buffer => Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);

describe('request bodies the API does not take', () => {
  const api = useApi();
  let acme: TenantSession;
  const bearer = (): string => `X-Tenant: acme\r\nAuthorization: Bearer ${acme.token}\r\n`;
  const statusOf = async (username: string): Promise<unknown> => {
    const users = await as(api.app, acme).get('/api/users').expect(200);
    return (users.body.items as Array<{ username: string; status: string }>).find((user) => user.username === username)?.status;
  };

  beforeAll(async () => {
    acme = await registerAndLogin(api.app, 'acme');
    for (const username of ['bob', 'carol', 'dave']) {
      await as(api.app, acme).post('/api/users').send({ username, email: `${username}@example.com`, password: 'a long password', role: 'viewer' }).expect(201);
    }
  });

  it('refuses a chunked 2.5 MB text/plain body to /disable with 415 before the route acts', async () => {
    const megabyte = Buffer.alloc(64 * 1024, 'x');
    const chunks = Array.from({ length: 40 }, () => chunkOf(megabyte));
    const head = `POST /api/users/bob/disable HTTP/1.1\r\nHost: 127.0.0.1\r\n${bearer()}Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const answer = await rawExchange(api.app, head, chunks);
    // One answer, a refusal: not a 200 of the route followed by a 413.
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(answer).toMatch(/^HTTP\/1\.1 41[35] [^]*content-type: application\/problem\+json[^]*"code":"(unsupported-media-type|payload-too-large)"/i);
    expect(await statusOf('bob')).toBe('active');
  });

  it('refuses a small body that is not JSON, or that names no type, with 415 unsupported-media-type', async () => {
    for (const contentType of ['Content-Type: text/plain\r\n', 'Content-Type: application/x-www-form-urlencoded\r\n', '']) {
      const head = `POST /api/users/carol/disable HTTP/1.1\r\nHost: 127.0.0.1\r\n${bearer()}${contentType}Content-Length: 2\r\n\r\n{}`;
      const answer = await rawExchange(api.app, head);
      expect([contentType, answer]).toEqual([contentType, expect.stringMatching(/^HTTP\/1\.1 415 [^]*"code":"unsupported-media-type"/)]);
    }
    expect(await statusOf('carol')).toBe('active');
  });

  it('takes requests without a body whatever their type, and JSON bodies as ever', async () => {
    // A POST without a body and without a Content-Type, as a browser's fetch() or curl -X POST sends it.
    const head = `POST /api/users/dave/disable HTTP/1.1\r\nHost: 127.0.0.1\r\n${bearer()}Content-Length: 0\r\nConnection: close\r\n\r\n`;
    expect(await rawExchange(api.app, head)).toMatch(/^HTTP\/1\.1 200 /);
    expect(await statusOf('dave')).toBe('disabled');
    await as(api.app, acme).post('/api/users/dave/enable').set('Content-Type', 'text/plain').expect(200);
    await as(api.app, acme).get('/api/users').set('Content-Type', 'text/plain').expect(200);
    await as(api.app, acme).patch('/api/users/dave').send({ role: 'operator' }).expect(200);
    await as(api.app, acme).patch('/api/users/dave').set('Content-Type', 'application/merge-patch+json').send('{"role":"viewer"}').expect(200);
    // Outside the API (the probes, the dashboard) nothing changes.
    await request(api.app).get('/healthz').set('Content-Type', 'text/plain').send('hello').expect(200);
  });
});

describe('jsonBody once the request has gone on to the routes', () => {
  it('stops a chunked body that crosses the limit by closing the connection, without a second next()', async () => {
    let routeCalls = 0;
    const errors: unknown[] = [];
    const app = express();
    app.use(jsonBody(1024));
    // Outside /api a body that is not JSON is left unread and the route runs; it answers later.
    app.post('/slow', (_request, response) => {
      routeCalls += 1;
      setTimeout(() => {
        if (!response.headersSent && !response.destroyed) response.status(204).end();
      }, 300);
    });
    const recordErrors: ErrorRequestHandler = (error, _request, response, _next) => {
      errors.push(error);
      if (!response.headersSent) response.status(500).end();
    };
    app.use(recordErrors);
    const server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const head = 'POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n';
      const answer = await rawExchange(`http://127.0.0.1:${port}`, head, Array.from({ length: 8 }, () => chunkOf(Buffer.alloc(512, 'x'))), 2_000);
      expect([routeCalls, errors.length]).toEqual([1, 0]);
      // The upload was cut: the route's late answer never went out.
      expect(answer).toBe('');
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
