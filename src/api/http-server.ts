import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { PortInUseError } from '../database/tcp-port.js';

/** Own property descriptors of `object` and of its prototypes up to (not including) `stop`; nearer ones win. */
function descriptorsUpTo(object: object, stop: object): PropertyDescriptorMap {
  const chain: object[] = [];
  for (let current: object | null = object; current !== null && current !== stop; current = Object.getPrototypeOf(current) as object | null) chain.push(current);
  return Object.assign({}, ...chain.reverse().map((link) => Object.getOwnPropertyDescriptors(link))) as PropertyDescriptorMap;
}

interface HttpClasses {
  readonly IncomingMessage: typeof http.IncomingMessage;
  readonly ServerResponse: typeof http.ServerResponse;
}

const classesOfApp = new WeakMap<Express, HttpClasses>();

/** How long a client may take, so that slow or idle clients cannot hold connections (milliseconds). */
export interface HttpTimeouts {
  /** From the start of a request (a new connection's first byte) to the end of its headers: a client sending headers byte by byte is cut off. */
  readonly headersMs: number;
  /** To receive a whole request, headers and body (up to 1 MiB); the answer's time is not counted. */
  readonly requestMs: number;
  /** How long a keep-alive connection may stay idle between requests (Node adds 1 s to what it advertises). */
  readonly keepAliveMs: number;
}

/**
 * Production timeouts. Headers are a few hundred bytes: 10 s is generous even on a poor Wi-Fi
 * link of an RF terminal; a whole request of 1 MiB in 60 s needs ~17 KiB/s. Node's defaults
 * (60 s and 300 s) let a few hundred slow clients hold the server's connections for minutes.
 */
export const productionTimeouts: HttpTimeouts = { headersMs: 10_000, requestMs: 60_000, keepAliveMs: 5_000 };

/**
 * An HTTP server for `app` whose requests and responses are born with the app's prototypes.
 *
 * Express gives each request and response its own prototypes (`app.request`, `app.response`)
 * with Object.setPrototypeOf. V8 then has to treat every such object as a new shape, and the
 * property accesses on them in Node's HTTP code and in express leave their fast paths: measured
 * here at ~120 µs of CPU per request, more than half of what a small JSON POST through express
 * costs in all (~200 µs, against ~85 µs without it). So the app's request and response
 * prototypes become those of classes Node constructs them from, and express's setPrototypeOf,
 * finding the prototype already in place, does nothing. Express itself is used unchanged.
 * The server cuts off slow and idle clients by `timeouts`; headers stay limited to Node's 16 KiB
 * (431 beyond).
 */
export function createHttpServer(app: Express, timeouts: HttpTimeouts = productionTimeouts): http.Server {
  let classes = classesOfApp.get(app);
  if (!classes) {
    class AppRequest extends http.IncomingMessage {}
    class AppResponse extends http.ServerResponse {}
    // Everything express puts between the app's prototypes and Node's: methods, getters, `app`.
    Object.defineProperties(AppRequest.prototype, descriptorsUpTo(app.request, http.IncomingMessage.prototype));
    Object.defineProperties(AppResponse.prototype, descriptorsUpTo(app.response, http.ServerResponse.prototype));
    app.request = AppRequest.prototype as unknown as Express['request'];
    app.response = AppResponse.prototype as unknown as Express['response'];
    classes = { IncomingMessage: AppRequest, ServerResponse: AppResponse as unknown as typeof http.ServerResponse };
    classesOfApp.set(app, classes);
  }
  const server = http.createServer(
    {
      IncomingMessage: classes.IncomingMessage,
      ServerResponse: classes.ServerResponse,
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Node enforces the headers and request timeouts on a timer of this period (30 s by default,
      // which would let a 10 s headers timeout run to 40 s); a pass over the connections is cheap.
      connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
    },
    app,
  );
  // Node would answer `Expect: 100-continue` with 100 Continue before the app sees the request;
  // the app answers it (createApp), so that a body it will refuse (413) is never sent.
  server.on('checkContinue', (request: http.IncomingMessage, response: http.ServerResponse) => server.emit('request', request, response));
  return server;
}

/** A listening HTTP server that can drain and stop. */
export interface HttpServer {
  readonly port: number;
  /** Stops accepting connections, lets requests in flight finish for up to `timeoutMs`, then closes the rest. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * Starts serving `app` on `port` (0 picks a free one); a taken port names the PORT setting.
 * `timeouts` other than the production ones are for tests.
 */
export async function startHttpServer(app: Express, port: number, host?: string, timeouts: HttpTimeouts = productionTimeouts): Promise<HttpServer> {
  const server = createHttpServer(app, timeouts);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, 'PORT', 'HTTP') : error);
    });
    server.listen({ port, host }, () => resolve());
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  let closing: Promise<void> | undefined;
  return {
    port: actualPort,
    close: (timeoutMs) =>
      (closing ??= new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      })),
  };
}
