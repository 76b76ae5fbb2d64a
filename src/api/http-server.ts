import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';
import { PortInUseError } from '../database/port.js';

/** A listening HTTP server that can drain and stop. */
export interface HttpServer {
  readonly port: number;
  /** Stops accepting connections, lets requests in flight finish for up to `timeoutMs`, then closes the rest. */
  close(timeoutMs: number): Promise<void>;
}

/** Starts serving `app` on `port` (0 picks a free one); a taken port names the PORT setting. */
export async function startHttpServer(app: Express, port: number, host?: string): Promise<HttpServer> {
  const server = http.createServer(app);
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
