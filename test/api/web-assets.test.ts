import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { createApp } from '../../src/api/app.js';
import { startHttpServer, type HttpServer } from '../../src/api/http-server.js';
import { createLogger } from '../../src/logger.js';

/** The app as the service builds it, serving a dashboard build written to a temporary folder. */
async function serve(webRoot: string): Promise<{ url: string; server: HttpServer }> {
  const server = await startHttpServer(createApp({ logger: createLogger('silent'), readiness: [], webRoot }), 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${server.port}`, server };
}

describe('the dashboard served by the service', () => {
  const built = mkdtempSync(path.join(tmpdir(), 'web-assets-'));
  let site: { url: string; server: HttpServer };
  beforeAll(async () => {
    mkdirSync(path.join(built, 'assets'));
    writeFileSync(path.join(built, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(path.join(built, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(path.join(built, 'favicon.svg'), '<svg/>');
    site = await serve(built);
  });
  afterAll(async () => {
    await site?.server.close(1_000);
    rmSync(built, { recursive: true, force: true });
  });

  it('serves index.html at / with no-cache and the CSP', async () => {
    const answer = await request(site.url).get('/').expect(200);
    expect(answer.headers['content-type']).toMatch(/text\/html/);
    expect(answer.headers['cache-control']).toBe('no-cache');
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer.text).toContain('id="root"');
  });

  it('keeps hashed assets a year and other files revalidated', async () => {
    const asset = await request(site.url).get('/assets/index-AbC123.js').expect(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    const icon = await request(site.url).get('/favicon.svg').expect(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
  });

  it('answers every other GET path with index.html (the app routes it)', async () => {
    for (const deepLink of ['/stock', '/articles/BOLT-M8', '/stock?sku=A&at=2026-01-01T00:00:00Z']) {
      const answer = await request(site.url).get(deepLink).expect(200);
      expect(answer.text).toContain('id="root"');
      expect(answer.headers['cache-control']).toBe('no-cache');
    }
  });

  it('leaves a missing asset a 404, not index.html served as JavaScript', async () => {
    const answer = await request(site.url).get('/assets/index-Old999.js').expect(404);
    expect(answer.text).not.toContain('id="root"');
  });

  it('keeps the JSON 404 of unknown API paths and the probes', async () => {
    // A case variant of /api is a mistyped API path, not a deep link of the dashboard.
    for (const apiPath of ['/api/nothing-here', '/api', '/api/', '/API/unknown', '/Api', '/HEALTHZ']) {
      const answer = await request(site.url).get(apiPath);
      expect([apiPath, answer.status]).toEqual([apiPath, 404]);
      expect(answer.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(answer.body.code).toBe('not-found');
      expect(answer.headers['cache-control']).toBe('no-store');
    }
    const ready = await request(site.url).get('/healthz').expect(200);
    expect(ready.body).toEqual({ status: 'ok' });
  });

  it('does not answer writes with the dashboard', async () => {
    const answer = await request(site.url).post('/stock').send({}).expect(404);
    expect(answer.body.code).toBe('not-found');
  });
});

describe('a service built without the dashboard', () => {
  it('says plainly at / that the dashboard is not built, rather than failing', async () => {
    const site = await serve(path.join(tmpdir(), 'no-such-web-build'));
    try {
      const answer = await request(site.url).get('/').expect(404);
      expect(answer.headers['content-type']).toMatch(/text\/plain/);
      expect(answer.text).toContain('npm run build');
      await request(site.url).get('/api/nothing-here').expect(404).expect('content-type', /problem\+json/);
    } finally {
      await site.server.close(1_000);
    }
  });
});
