import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { PortInUseError } from '../database/port.js';

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
 */
export function createHttpServer(app: Express): http.Server {
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
  return http.createServer({ IncomingMessage: classes.IncomingMessage, ServerResponse: classes.ServerResponse }, app);
}

/** A listening HTTP server that can drain and stop. */
export interface HttpServer {
  readonly port: number;
  /** Stops accepting connections, lets requests in flight finish for up to `timeoutMs`, then closes the rest. */
  close(timeoutMs: number): Promise<void>;
}

/** Starts serving `app` on `port` (0 picks a free one); a taken port names the PORT setting. */
export async function startHttpServer(app: Express, port: number, host?: string): Promise<HttpServer> {
  const server = createHttpServer(app);
  server.keepAliveTimeout = 5_000;
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
