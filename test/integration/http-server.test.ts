import net from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createApp } from '../../src/api/app.js';
import { createHttpServer, productionTimeouts, startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { PortInUseError } from '../../src/database/tcp-port.js';
import { createLogger } from '../../src/logger.js';

/** A raw client connection: what it received, and when (ms after it connected) the server closed it. */
interface RawClient {
  readonly socket: net.Socket;
  received(): string;
  /** Resolves with the ms from connecting to the close, or undefined when still open after `withinMs`. */
  closedWithin(withinMs: number): Promise<number | undefined>;
}

async function connect(port: number): Promise<RawClient> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const started = performance.now();
  let received = '';
  let closedAt: number | undefined;
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (received += chunk));
  // A write racing the server's close fails with EPIPE or ECONNRESET: the close is what is measured.
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => ((closedAt = performance.now() - started), resolve())));
  return {
    socket,
    received: () => received,
    closedWithin: async (withinMs) => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, withinMs)))]);
      clearTimeout(timer);
      return closedAt;
    },
  };
}

/** Short timeouts, so that the tests of slow clients take a second, not a minute. */
const testTimeouts = { headersMs: 300, requestMs: 600, keepAliveMs: 300 };

describe('the HTTP server', () => {
  it("makes requests and responses with the app's prototypes, so express need not swap them, and express works as ever", async () => {
    const app = express();
    app.use(express.json());
    const born: boolean[] = [];
    const server = createHttpServer(app);
    server.prependListener('request', (request: object, response: object) => {
      born.push(Object.getPrototypeOf(request) === app.request && Object.getPrototypeOf(response) === app.response);
    });
    app.post('/echo/:name', (request, response) => {
      response.status(201).json({ name: request.params.name, query: request.query, body: request.body as unknown, host: request.get('host'), app: request.app === app });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    const second = await startHttpServer(app, 0, '127.0.0.1');
    try {
      const port = (server.address() as net.AddressInfo).port;
      for (const target of [port, second.port]) {
        const answer = await fetch(`http://127.0.0.1:${target}/echo/x?a=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"n":2}' });
        expect(answer.status).toBe(201);
        expect(await answer.json()).toEqual({ name: 'x', query: { a: '1' }, body: { n: 2 }, host: `127.0.0.1:${target}`, app: true });
      }
      expect(born).toEqual([true]);
    } finally {
      await new Promise((resolve) => server.close(resolve));
      await second.close(1_000);
    }
  });

  it('finishes requests in flight when it closes, and takes no new ones', async () => {
    const app = express();
    app.get('/slow', (_request, response) => {
      setTimeout(() => response.json({ finished: true }), 300);
    });
    const server = await startHttpServer(app, 0, '127.0.0.1');
    const inFlight = fetch(`http://127.0.0.1:${server.port}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closed = server.close(5_000);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ finished: true });
    await closed;
    await expect(fetch(`http://127.0.0.1:${server.port}/slow`)).rejects.toThrow();
  });

  it('cuts requests that outlast the shutdown timeout', async () => {
    const app = express();
    app.get('/hang', () => undefined);
    const server = await startHttpServer(app, 0, '127.0.0.1');
    const hanging = fetch(`http://127.0.0.1:${server.port}/hang`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await server.close(200);
    expect(await hanging).toBe('cut');
  });

  it('names PORT when its port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const attempt = startHttpServer(express(), port, '127.0.0.1');
      await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
      await expect(attempt).rejects.toThrow(`Port ${port} (HTTP) is already in use by another program. Set PORT to a free port.`);
    } finally {
      blocker.close();
    }
  });

  describe('against slow, idle and oversized clients (raw sockets)', () => {
    let server: HttpServer | undefined;
    let clients: RawClient[] = [];
    const client = async (): Promise<RawClient> => {
      const opened = await connect(server?.port ?? 0);
      clients.push(opened);
      return opened;
    };
    const start = async (timeouts = testTimeouts): Promise<void> => {
      server = await startHttpServer(createApp({ logger: createLogger('silent'), readiness: [] }), 0, '127.0.0.1', timeouts);
    };
    afterEach(async () => {
      for (const opened of clients) opened.socket.destroy();
      clients = [];
      await server?.close(1_000);
      server = undefined;
    });

    it('sets header, request and keep-alive timeouts on the production server', () => {
      const production = createHttpServer(express());
      expect([production.headersTimeout, production.requestTimeout, production.keepAliveTimeout]).toEqual([productionTimeouts.headersMs, productionTimeouts.requestMs, productionTimeouts.keepAliveMs]);
      expect(productionTimeouts.headersMs).toBeLessThanOrEqual(10_000);
      expect(productionTimeouts.requestMs).toBeLessThanOrEqual(60_000);
    });

    it('answers a declared body over 1 MiB with 413 at once and closes the connection, without reading the body', async () => {
      await start(productionTimeouts);
      const oversized = await client();
      oversized.socket.write('POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\n\r\n{}');
      const closedAfter = await oversized.closedWithin(2_000);
      expect(oversized.received()).toMatch(/^HTTP\/1\.1 413 [^]*\r\nconnection: close\r\n[^]*"code":"payload-too-large"/i);
      expect(closedAfter).toBeLessThan(1_000);
      // One byte over the limit is over it; at the limit, the body is read (here: not JSON, 400).
      const justOver = await client();
      justOver.socket.write(`POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${1024 * 1024 + 1}\r\n\r\n`);
      expect(await justOver.closedWithin(2_000)).toBeLessThan(1_000);
      expect(justOver.received()).toMatch(/^HTTP\/1\.1 413 /);
      // Asked to say whether to send the body, the server says no (413), not 100 Continue.
      const asking = await client();
      asking.socket.write('POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 10000000000\r\nExpect: 100-continue\r\n\r\n');
      expect(await asking.closedWithin(2_000)).toBeLessThan(1_000);
      expect(asking.received()).toMatch(/^HTTP\/1\.1 413 /);
      // An acceptable one is told to go on, and its body is read.
      const accepted = await client();
      accepted.socket.write('POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 7\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
      await new Promise((resolve) => accepted.socket.once('data', resolve));
      expect(accepted.received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\n$/);
      accepted.socket.write('{"a":1}');
      expect(await accepted.closedWithin(2_000)).toBeDefined();
      expect(accepted.received()).toMatch(/\r\n\r\nHTTP\/1\.1 404 /);
      const atLimit = await fetch(`http://127.0.0.1:${server?.port ?? 0}/x`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: ' '.repeat(1024 * 1024) });
      expect(atLimit.status).toBe(400);
    });

    it('answers a chunked body with 413 as soon as it passes 1 MiB, and closes, without waiting for its end', async () => {
      await start(productionTimeouts);
      const endless = await client();
      endless.socket.write('POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
      const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 32), Buffer.from('\r\n')]);
      const streaming = setInterval(() => endless.socket.writable && endless.socket.write(chunk), 5);
      try {
        expect(await endless.closedWithin(3_000)).toBeLessThan(2_000);
        expect(endless.received()).toMatch(/^HTTP\/1\.1 413 [^]*"code":"payload-too-large"/);
      } finally {
        clearInterval(streaming);
      }
      // Chunked bodies within the limit are parsed as ever: malformed JSON is 400, valid JSON reaches the routes (404).
      for (const [json, status] of [['{"a":', 400], ['{"a":1}', 404]] as const) {
        const small = await client();
        small.socket.write(`POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${json.length.toString(16)}\r\n${json}\r\n0\r\n\r\n`);
        expect(await small.closedWithin(2_000)).toBeDefined();
        expect(small.received()).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
      }
    });

    it('cuts off a client that sends its headers byte by byte too slowly (408)', async () => {
      await start();
      const slow = await client();
      slow.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
      const dripping = setInterval(() => slow.socket.writable && slow.socket.write('a'), 50);
      try {
        const closedAfter = await slow.closedWithin(3_000);
        expect(closedAfter).toBeGreaterThanOrEqual(testTimeouts.headersMs - 50);
        expect(closedAfter).toBeLessThan(testTimeouts.headersMs + 700);
        expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
      } finally {
        clearInterval(dripping);
      }
    });

    it('cuts off a client that sends its body too slowly (408)', async () => {
      await start();
      const slow = await client();
      slow.socket.write('POST /api/articles HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[');
      const dripping = setInterval(() => slow.socket.writable && slow.socket.write('1,'), 50);
      try {
        const closedAfter = await slow.closedWithin(3_000);
        expect(closedAfter).toBeGreaterThanOrEqual(testTimeouts.requestMs - 50);
        expect(closedAfter).toBeLessThan(testTimeouts.requestMs + 700);
        expect(slow.received()).toMatch(/^HTTP\/1\.1 408 /);
      } finally {
        clearInterval(dripping);
      }
    });

    it('closes a connection that sends nothing, and an idle keep-alive connection after its answer', async () => {
      await start();
      const silent = await client();
      expect(await silent.closedWithin(3_000)).toBeLessThan(testTimeouts.headersMs + 700);
      const idle = await client();
      const answered = new Promise<number>((resolve) => idle.socket.once('data', () => resolve(performance.now())));
      const asked = performance.now();
      idle.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const answeredAt = (await answered) - asked;
      const closedAfter = (await idle.closedWithin(3_000)) ?? Infinity;
      expect(idle.received()).toMatch(/^HTTP\/1\.1 200 [^]*keep-alive/i);
      // Node keeps the socket 1 s longer than the Keep-Alive header advertises (against races with the client).
      expect(closedAfter - answeredAt).toBeGreaterThanOrEqual(testTimeouts.keepAliveMs - 50);
      expect(closedAfter - answeredAt).toBeLessThan(testTimeouts.keepAliveMs + 1_000 + 700);
    });
  });
});
