import { describe, expect, it } from '@jest/globals';
import { createApiClient, hostNamesNoTenant, NetworkError, newIdempotencyKey, ProblemError, type ClientEnvironment } from '../../web/src/api/client.js';

interface Sent {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: unknown;
  readonly credentials: RequestCredentials | undefined;
}

type Reply = Response | Error;

/** A browser stand-in: answers each request with the next reply, and records what was sent. */
function browser(replies: Reply[], hostname = 'localhost') {
  const sent: Sent[] = [];
  const slept: number[] = [];
  const stored = new Map<string, string>();
  const environment: ClientEnvironment = {
    hostname,
    storage: { getItem: (key) => stored.get(key) ?? null, setItem: (key, value) => void stored.set(key, value), removeItem: (key) => void stored.delete(key) },
    sleep: async (milliseconds) => void slept.push(milliseconds),
    fetch: async (input, init) => {
      sent.push({
        method: init?.method ?? 'GET',
        url: String(input),
        headers: { ...(init?.headers as Record<string, string>) },
        body: init?.body ? JSON.parse(String(init.body)) : undefined,
        credentials: init?.credentials,
      });
      const reply = replies.shift();
      if (!reply) throw new Error('no reply left');
      if (reply instanceof Error) throw reply;
      return reply;
    },
  };
  return { sent, slept, environment, client: createApiClient(environment) };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers } });

describe('the API client', () => {
  it('throws a problem+json answer as a ProblemError with its code and the refused fields by path', async () => {
    const { client } = browser([
      json(422, { type: '/problems/validation', title: 'Invalid request', status: 422, code: 'validation', detail: 'Some fields are invalid.', errors: [{ path: 'lines.0.sku', message: 'unknown article' }] }),
    ]);
    const error = await client.get('/api/stock').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ProblemError);
    const problem = error as ProblemError;
    expect([problem.status, problem.code, problem.detail]).toEqual([422, 'validation', 'Some fields are invalid.']);
    expect(problem.at('lines.0.sku')).toBe('unknown article');
    expect(problem.at('lines.0')).toBeUndefined();
  });

  it('reads a resource with its ETag and sends it back as If-Match on the edit (a 412 is a ProblemError)', async () => {
    const { client, sent } = browser([
      json(200, { sku: 'A', name: 'Old' }, { ETag: '"3"' }),
      json(200, { csrfToken: 'csrf-2' }),
      json(412, { type: '/problems/revision-mismatch', title: 'Changed meanwhile', status: 412, code: 'revision-mismatch', detail: 'expected 3, actual 4' }),
    ]);
    const read = await client.getTagged<{ name: string }>('/api/articles/A');
    expect(read).toEqual({ body: { sku: 'A', name: 'Old' }, etag: '"3"' });
    const refused = await client.command('PATCH', '/api/articles/A', { name: 'New' }, { headers: { 'If-Match': read.etag ?? '' } }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(ProblemError);
    expect((refused as ProblemError).status).toBe(412);
    expect(sent.filter((request) => request.method === 'PATCH').map((request) => [request.headers['If-Match'], request.headers['X-CSRF-Token']])).toEqual([['"3"', 'csrf-2']]);
  });

  it('keeps the CSRF token of the login and sends it on writes, with the cookie (same origin)', async () => {
    const { client, sent } = browser([
      json(200, { csrfToken: 'csrf-1', user: { username: 'admin', role: 'admin' }, tenant: 'demo' }),
      json(201, { movementId: 'm' }, { 'X-Position': '42' }),
    ]);
    await client.login('admin', 'secret secret');
    expect(sent[0]?.body).toEqual({ username: 'admin', password: 'secret secret', session: 'cookie' });
    await client.command('POST', '/api/stock/receipts', { lines: [] });
    expect(sent[1]?.headers['X-CSRF-Token']).toBe('csrf-1');
    expect(sent.every((request) => request.credentials === 'same-origin')).toBe(true);
  });

  it('fetches the CSRF token when the page was reloaded since the login, and again when it was refused', async () => {
    const { client, sent } = browser([
      json(200, { csrfToken: 'old' }),
      json(403, { code: 'csrf', title: 'CSRF token missing or wrong' }),
      json(200, { csrfToken: 'new' }),
      json(201, {}),
    ]);
    await client.command('POST', '/api/articles', { sku: 'A' });
    expect(sent.map((request) => `${request.method} ${request.url} ${request.headers['X-CSRF-Token'] ?? ''}`)).toEqual([
      'GET /api/auth/csrf ',
      'POST /api/articles old',
      'GET /api/auth/csrf ',
      'POST /api/articles new',
    ]);
  });

  it("sends the last command's X-Position as X-Min-Position on the reads that follow", async () => {
    const { client, sent } = browser([json(200, { csrfToken: 't' }), json(201, {}, { 'X-Position': 'p-17' }), json(200, { items: [], nextCursor: null })]);
    await client.command('POST', '/api/stock/receipts', {});
    await client.get('/api/stock', { sku: 'BOLT', lot: undefined });
    expect(sent[2]?.url).toBe('/api/stock?sku=BOLT');
    expect(sent[2]?.headers['X-Min-Position']).toBe('p-17');
  });

  it('sends the Idempotency-Key of the submission, the same one again on a retry after a network error', async () => {
    const { client, sent } = browser([json(200, { csrfToken: 't' }), new TypeError('Failed to fetch'), json(201, { movementId: 'm' })]);
    const key = newIdempotencyKey();
    const first = await client.command('POST', '/api/stock/receipts', { lines: [] }, { idempotencyKey: key }).catch((caught: unknown) => caught);
    expect(first).toBeInstanceOf(NetworkError);
    await client.command('POST', '/api/stock/receipts', { lines: [] }, { idempotencyKey: key });
    expect(sent.slice(1).map((request) => request.headers['Idempotency-Key'])).toEqual([key, key]);
    expect(newIdempotencyKey()).not.toBe(key);
  });

  it('waits out a catching-up read model (503 not-ready) after Retry-After, and says so meanwhile', async () => {
    const notReady = () => json(503, { code: 'not-ready', title: 'Not ready' }, { 'Retry-After': '2' });
    const { client, slept } = browser([notReady(), notReady(), json(200, { items: [1] })]);
    const told: boolean[] = [];
    client.onCatchingUp((catchingUp) => told.push(catchingUp));
    await expect(client.get('/api/stock')).resolves.toEqual({ items: [1] });
    expect(slept).toEqual([2000, 2000]);
    expect(told).toEqual([true, true, false]);
  });

  it('gives up on a read model that does not catch up, with the not-ready error', async () => {
    const { client, slept } = browser(Array.from({ length: 5 }, () => json(503, { code: 'not-ready' }, { 'Retry-After': '1' })));
    await expect(client.get('/api/stock')).rejects.toMatchObject({ code: 'not-ready', status: 503 });
    expect(slept).toHaveLength(4);
  });

  it('sends X-Tenant on a host that names no tenant, never on <slug>.<base domain>', async () => {
    const onLocalhost = browser([json(200, {})]);
    onLocalhost.client.setTenant('acme');
    await onLocalhost.client.get('/api/me');
    expect(onLocalhost.sent[0]?.headers['X-Tenant']).toBe('acme');
    const onSubdomain = browser([json(200, {})], 'demo.localhost');
    onSubdomain.client.setTenant('acme');
    await onSubdomain.client.get('/api/me');
    expect(onSubdomain.sent[0]?.headers['X-Tenant']).toBeUndefined();
    expect(onSubdomain.client.asksForTenant).toBe(false);
  });

  it('asks for the company on localhost, an IP address or the bare base domain only', () => {
    expect(['localhost', '127.0.0.1', '[::1]', 'stock.example.com'].map((host) => hostNamesNoTenant(host, 'stock.example.com'))).toEqual([true, true, true, true]);
    expect(['demo.localhost', 'acme.stock.example.com', 'stock.acme.de'].map((host) => hostNamesNoTenant(host, 'stock.example.com'))).toEqual([false, false, false]);
  });
});
