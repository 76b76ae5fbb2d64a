import { isPositionToken, laterPosition } from '../lib/positions';
import type { paths } from './schema';

/** One field's refusal, as problem+json lists it (`lines.0.quantity`). */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/**
 * A problem+json answer (API.md conventions) as an error: its HTTP status, stable `code`, the
 * detail a user can read, and the refused fields by path, so that a form shows each at its field.
 */
export class ProblemError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | undefined;
  readonly errors: readonly FieldError[];
  /** Seconds the service asked to wait (Retry-After), for 429 and 503. */
  readonly retryAfter: number | undefined;
  /** The whole problem document: refusals carry more (`insufficient-stock` names what is available). */
  readonly body: Readonly<Record<string, unknown>>;

  constructor(status: number, body: Record<string, unknown>, retryAfter?: number) {
    const title = typeof body.title === 'string' ? body.title : `HTTP ${status}`;
    const detail = typeof body.detail === 'string' ? body.detail : undefined;
    super(detail ?? title);
    this.name = 'ProblemError';
    this.status = status;
    this.code = typeof body.code === 'string' ? body.code : `http-${status}`;
    this.detail = detail;
    this.errors = Array.isArray(body.errors) ? body.errors.filter(isFieldError) : [];
    this.retryAfter = retryAfter;
    this.body = body;
  }

  /** The message of the field at `path` (exactly that path), if it was refused. */
  at(path: string): string | undefined {
    return this.errors.find((error) => error.path === path)?.message;
  }
}

/** The request never got an answer (offline, Wi-Fi dropped): a command may be retried with its key. */
export class NetworkError extends Error {
  constructor(cause: unknown) {
    super('The service could not be reached. Check the connection and try again.', { cause });
    this.name = 'NetworkError';
  }
}

function isFieldError(value: unknown): value is FieldError {
  return typeof value === 'object' && value !== null && typeof (value as FieldError).path === 'string' && typeof (value as FieldError).message === 'string';
}

/** The JSON a path answers with 200 or 201 for a method, from the generated schema. */
export type Answer<P extends keyof paths, M extends 'get' | 'post' | 'patch' | 'delete'> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer J } } }
    ? J
    : R extends { 201: { content: { 'application/json': infer J } } }
      ? J
      : unknown
  : never;

/** What the client needs from the browser; tests give their own. */
export interface ClientEnvironment {
  readonly fetch: typeof fetch;
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The page's hostname (`demo.localhost`, `localhost`, `192.168.1.20`). */
  readonly hostname: string;
  /** The bare base domain when the dashboard is served on it (it names no tenant either). */
  readonly baseDomain?: string;
  readonly sleep?: (milliseconds: number) => Promise<void>;
}

/** Options of a command (a write). */
export interface CommandOptions {
  /**
   * One key per form submission (newIdempotencyKey()), kept by the form and passed again when the
   * user retries after a NetworkError: the service then records the movement once at most.
   */
  readonly idempotencyKey?: string;
  readonly headers?: Record<string, string>;
}

const tenantKey = 'stockcontrol.tenant';
/** How many times a read waits for a catching-up read model before the error is shown. */
const catchUpAttempts = 5;
const writeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** A fresh Idempotency-Key for one form submission. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** Whether this hostname names no tenant, so that the sign-in page must ask for the company. */
export function hostNamesNoTenant(hostname: string, baseDomain?: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === baseDomain?.toLowerCase() || /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** The dashboard's one way to the API: see createApiClient. */
export type ApiClient = ReturnType<typeof createApiClient>;

/**
 * The API client: same-origin fetch with the session cookie; problem+json answers thrown as
 * ProblemError; the CSRF token of the session sent on every write; the last command's
 * X-Position sent as X-Min-Position on the reads that follow (read-your-writes); `503 not-ready`
 * waited out (Retry-After) while `onCatchingUp` tells the shell; X-Tenant sent when the host
 * names no tenant (localhost, an IP address, the bare base domain).
 */
export function createApiClient(environment: ClientEnvironment) {
  const sleep = environment.sleep ?? ((milliseconds: number) => new Promise<void>((resolve) => setTimeout(resolve, milliseconds)));
  const asksForTenant = hostNamesNoTenant(environment.hostname, environment.baseDomain);
  let csrfToken: string | undefined;
  let minPosition: string | undefined;
  const catchingUpListeners = new Set<(catchingUp: boolean) => void>();
  const tellCatchingUp = (value: boolean): void => catchingUpListeners.forEach((listener) => listener(value));

  async function send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<{ response: Response; json: unknown }> {
    const outgoing: Record<string, string> = { Accept: 'application/json', ...headers };
    const tenant = asksForTenant ? environment.storage.getItem(tenantKey) : null;
    if (tenant) outgoing['X-Tenant'] = tenant;
    if (body !== undefined) outgoing['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await environment.fetch(path, { method, headers: outgoing, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (error) {
      throw new NetworkError(error);
    }
    const type = response.headers.get('Content-Type') ?? '';
    const json: unknown = type.includes('json') ? await response.json() : undefined;
    if (!response.ok) {
      const retryAfter = Number(response.headers.get('Retry-After') ?? Number.NaN);
      throw new ProblemError(response.status, (json ?? {}) as Record<string, unknown>, Number.isFinite(retryAfter) ? retryAfter : undefined);
    }
    return { response, json };
  }

  async function csrf(): Promise<string | undefined> {
    if (csrfToken === undefined) {
      try {
        const { json } = await send('GET', '/api/auth/csrf', undefined, {});
        csrfToken = (json as { csrfToken: string | null }).csrfToken ?? undefined;
      } catch (error) {
        // Nobody signed in (a registration): no session cookie, so no CSRF token is needed.
        if (!(error instanceof ProblemError && (error.status === 401 || error.status === 404))) throw error;
      }
    }
    return csrfToken;
  }

  /** A read: waits for the last command's position; a catching-up read model is waited out. */
  async function get<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<T> {
    return (await read<T>(path, query)).body;
  }

  /** A read of one resource with its ETag (the revision it shows), for If-Match on the edit that follows. */
  async function getTagged<T>(path: string, query: Record<string, string | number | boolean | undefined> = {}): Promise<{ body: T; etag: string | undefined }> {
    const { body, response } = await read<T>(path, query);
    return { body, etag: response.headers.get('ETag') ?? undefined };
  }

  async function read<T>(path: string, query: Record<string, string | number | boolean | undefined>): Promise<{ body: T; response: Response }> {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
    const url = search.size > 0 ? `${path}?${search}` : path;
    for (let attempt = 1; ; attempt += 1) {
      try {
        const { json, response } = await send('GET', url, undefined, minPosition ? { 'X-Min-Position': minPosition } : {});
        if (attempt > 1) tellCatchingUp(false);
        return { body: json as T, response };
      } catch (error) {
        if (!(error instanceof ProblemError) || error.code !== 'not-ready' || attempt >= catchUpAttempts) {
          if (attempt > 1) tellCatchingUp(false);
          throw error;
        }
        tellCatchingUp(true);
        await sleep((error.retryAfter ?? 1) * 1000);
      }
    }
  }

  /**
   * A write with the session's CSRF token; a movement's X-Position is kept for the next reads.
   * A 403 `csrf` (the session changed in another tab) fetches the token again and retries once.
   */
  async function command<T>(method: 'POST' | 'PATCH' | 'DELETE' | 'PUT', path: string, body?: unknown, options: CommandOptions = {}): Promise<T> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.idempotencyKey) headers['Idempotency-Key'] = options.idempotencyKey;
    const attempt = async (): Promise<{ response: Response; json: unknown }> => {
      const token = writeMethods.has(method) ? await csrf() : undefined;
      return send(method, path, body, token ? { ...headers, 'X-CSRF-Token': token } : headers);
    };
    let answer: { response: Response; json: unknown };
    try {
      answer = await attempt();
    } catch (error) {
      if (!(error instanceof ProblemError && error.code === 'csrf')) throw error;
      csrfToken = undefined;
      answer = await attempt();
    }
    const { response, json } = answer;
    const position = response.headers.get('X-Position');
    if (position) minPosition = position;
    return json as T;
  }

  return {
    get,
    getTagged,
    command,
    /** Whether the sign-in page must ask for the company (the host names no tenant). */
    asksForTenant,
    /** The company chosen on the sign-in page (on a host that names none). */
    tenant: (): string | null => (asksForTenant ? environment.storage.getItem(tenantKey) : null),
    setTenant(slug: string | null): void {
      if (slug) environment.storage.setItem(tenantKey, slug);
      else environment.storage.removeItem(tenantKey);
    },
    /** Signs in with the HttpOnly session cookie; the answer's CSRF token is kept for writes. */
    async login(username: string, password: string): Promise<Answer<'/api/auth/login', 'post'>> {
      const { json } = await send('POST', '/api/auth/login', { username, password, session: 'cookie' }, {});
      const answer = json as Answer<'/api/auth/login', 'post'> & { csrfToken?: string };
      csrfToken = answer.csrfToken;
      return answer;
    },
    async logout(): Promise<void> {
      try {
        await command('POST', '/api/auth/logout');
      } finally {
        csrfToken = undefined;
        minPosition = undefined;
      }
    },
    /** The position the next reads wait for (the last command's X-Position). */
    minPosition: (): string | undefined => minPosition,
    /**
     * A position the next reads must wait for, heard of elsewhere (a live update's movement): the
     * later of it and the one kept, so that a refetch never shows a figure older than it.
     */
    waitForPosition(position: string): void {
      if (!isPositionToken(position)) return;
      minPosition = minPosition === undefined ? position : laterPosition(minPosition, position);
    },
    onCatchingUp(listener: (catchingUp: boolean) => void): () => void {
      catchingUpListeners.add(listener);
      return () => catchingUpListeners.delete(listener);
    },
  };
}

/** The client of the page, over the browser's fetch, sessionStorage and location. */
export function browserApiClient(baseDomain?: string): ApiClient {
  return createApiClient({ fetch: window.fetch.bind(window), storage: window.sessionStorage, hostname: window.location.hostname, ...(baseDomain ? { baseDomain } : {}) });
}

/** A quantity as the UI keeps it: the exact decimal text (the API's numbers have at most 3 decimals). */
export function quantityText(value: number | string): string {
  return typeof value === 'string' ? value : String(value);
}
