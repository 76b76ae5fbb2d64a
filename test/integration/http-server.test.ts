import net from 'node:net';
import { describe, expect, it } from '@jest/globals';
import express from 'express';
import { createHttpServer, startHttpServer } from '../../src/api/http-server.js';
import { PortInUseError } from '../../src/database/port.js';

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
});
