import { timingSafeEqual } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { z } from 'zod';
import type { Principal, Credentials } from '../tenancy/credentials.js';
import { isTenantSlugShape } from '../tenancy/slug.js';
import type { Clock } from './clock.js';
import { requestHash, type IdempotencyRecords } from '../tenancy/idempotency.js';
import { allows } from '../tenancy/roles.js';
import { hostMeaning, hostName, type TenantDirectory } from '../tenancy/tenant-directory.js';
import { sessionCookieValue } from './cookies.js';
import { HttpProblem, type FieldError } from './problem.js';
import type { ReadModelAccess } from './read-model-access.js';
import type { AnyRoute, RouteResult } from './route.js';
import { idempotencyKeySchema } from './schemas/common.js';

/** What the route runner needs besides the routes. */
export interface RouterDependencies {
  readonly tenants: TenantDirectory;
  readonly credentials: Credentials;
  readonly idempotency: IdempotencyRecords;
  readonly readModel: ReadModelAccess;
  readonly baseDomain: string;
  /** The business time of each request (RouteContext.now). */
  readonly clock: Clock;
}

const unknownTenant = (): HttpProblem => new HttpProblem(404, 'unknown-tenant', 'Unknown tenant', 'No tenant is known by this host name or X-Tenant header.');
const unauthenticated = (): HttpProblem =>
  new HttpProblem(401, 'unauthenticated', 'Not authenticated', 'Log in, or send Authorization: Bearer <token> of this tenant.');

/**
 * The request's tenant (API.md): a tenant's subdomain or custom domain names it; the bare base
 * domain, localhost or an IP address leave it to `X-Tenant`. A host that names a tenant wins over
 * any X-Tenant header, so a request to B's host is B's whatever else it says.
 */
async function resolveTenant(request: Request, dependencies: RouterDependencies): Promise<string> {
  const meaning = hostMeaning(hostName(request.headers.host), dependencies.baseDomain);
  if (meaning.kind === 'domain') {
    const tenant = await dependencies.tenants.tenantOfDomain(meaning.domain);
    if (tenant === undefined) throw unknownTenant();
    return tenant;
  }
  const header = request.headers['x-tenant'];
  if (typeof header !== 'string' || !isTenantSlugShape(header) || !(await dependencies.tenants.exists(header))) throw unknownTenant();
  return header;
}

const bearerPattern = /^Bearer\s+(\S+)\s*$/i;

/**
 * The secret a request presents: its bearer token when it sends Authorization (malformed: none),
 * else its session cookie. A long-lived answer (GET /api/live) checks it again while it lasts.
 */
export function presentedSecret(request: Request): { readonly secret: string | undefined; readonly by: 'bearer' | 'cookie' } {
  const authorization = request.headers.authorization;
  if (authorization !== undefined) return { secret: bearerPattern.exec(authorization)?.[1], by: 'bearer' };
  return { secret: sessionCookieValue(request.headers.cookie), by: 'cookie' };
}

/** Who the request is, by bearer token or session cookie; the cookie's writes need the CSRF token. */
async function authenticate(request: Request, tenant: string, dependencies: RouterDependencies): Promise<Principal> {
  const presented = presentedSecret(request);
  if (presented.by === 'bearer') {
    const secret = presented.secret;
    const principal = secret === undefined ? undefined : await dependencies.credentials.authenticate(tenant, secret);
    if (!principal) throw unauthenticated();
    return principal;
  }
  const cookie = presented.secret;
  const principal = cookie === undefined ? undefined : await dependencies.credentials.authenticate(tenant, cookie);
  if (!principal || principal.kind !== 'session') throw unauthenticated();
  if (!['GET', 'HEAD', 'OPTIONS'].includes(request.method)) {
    const sent = request.headers['x-csrf-token'];
    const expected = Buffer.from(principal.csrfToken ?? '');
    const given = Buffer.from(typeof sent === 'string' ? sent : '');
    const matches = expected.length > 0 && given.length === expected.length && timingSafeEqual(given, expected);
    if (!matches) throw new HttpProblem(403, 'csrf', 'CSRF token missing or wrong', 'A change made with the session cookie needs the X-CSRF-Token header from GET /api/auth/csrf.');
  }
  return principal;
}

/** Validates params, query and body together, so every bad field is reported at once. */
function validate(route: AnyRoute, request: Request): { params: unknown; query: unknown; body: unknown } {
  const errors: FieldError[] = [];
  const parse = (schema: z.ZodType | undefined, value: unknown, where: string): unknown => {
    if (!schema) return undefined;
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      const path = issue.path.map(String).join('.');
      errors.push({ path: where === 'body' ? path : path || where, message: issue.message });
    }
    return undefined;
  };
  const params = parse(route.params, request.params, 'params');
  const query = parse(route.query, request.query ?? {}, 'query');
  const body = parse(route.body, request.body ?? {}, 'body');
  if (errors.length > 0) throw new HttpProblem(422, 'validation', 'The request is not valid', 'One or more fields are invalid.', errors);
  return { params, query, body };
}

function headerValue(request: Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

const positionPattern = /^\d{1,20}$/;

function minPosition(request: Request): string | undefined {
  const value = headerValue(request, 'x-min-position');
  if (value === undefined) return undefined;
  if (!positionPattern.test(value)) throw new HttpProblem(400, 'malformed-header', 'Malformed X-Min-Position', 'X-Min-Position must be a position token from an X-Position header.');
  return value;
}

function idempotencyKey(request: Request): string | undefined {
  const value = headerValue(request, 'idempotency-key');
  if (value === undefined) return undefined;
  // A header, so a bad one is a malformed request (400, API.md), not a field error.
  if (!idempotencyKeySchema.safeParse(value).success) {
    throw new HttpProblem(400, 'malformed-header', 'Malformed Idempotency-Key', 'Idempotency-Key must be 1 to 200 printable ASCII characters.');
  }
  return value;
}

function send(response: Response, result: RouteResult): void {
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, value as string | string[]);
  if (result.stream) {
    response.status(result.status);
    result.stream(response);
    return;
  }
  if (result.body === undefined) response.status(result.status).end();
  else response.status(result.status).json(result.body);
}

async function run(route: AnyRoute, request: Request, response: Response, dependencies: RouterDependencies): Promise<void> {
  const now = dependencies.clock.now();
  const tenant = route.access === 'public' ? '' : await resolveTenant(request, dependencies);
  let principal: Principal | undefined;
  if (route.access !== 'public' && route.access !== 'tenant') {
    principal = await authenticate(request, tenant, dependencies);
    if (!allows(principal.role, route.access)) {
      throw new HttpProblem(403, 'forbidden', 'Forbidden', `The role ${principal.role} may not do this.`);
    }
  }
  const wanted = route.positioned ? minPosition(request) : undefined;
  const key = route.idempotent ? idempotencyKey(request) : undefined;
  const input = validate(route, request);
  const readModel = route.positioned ? await dependencies.readModel.at(tenant, wanted) : { schema: '', position: '' };
  // Also on a refusal of the query (404 and the like): the position its answer was read at.
  if (route.positioned) response.setHeader('X-Position', readModel.position);
  const context = { ...input, tenant, principal: principal as Principal, readModel, request, now };
  if (key === undefined) {
    const result = await route.handle(context);
    send(response, route.positioned ? { ...result, headers: { ...result.headers, 'X-Position': readModel.position } } : result);
    return;
  }
  const hash = requestHash(request.method, request.path, request.body);
  const outcome = await dependencies.idempotency.run(tenant, key, hash, async (scope) => {
    const result = await route.handle({ ...context, idempotency: { key, scope } });
    return { status: result.status, body: { body: result.body, headers: result.headers ?? {} } };
  });
  const recorded = outcome.body as { body: unknown; headers: RouteResult['headers'] };
  send(response, { status: outcome.status, body: recorded.body, headers: { ...recorded.headers, ...(outcome.replayed ? { 'Idempotent-Replayed': 'true' } : {}) } });
}

/** The express router of the routes: each request resolved, authenticated, authorised, validated, then handled. */
export function createRouter(routes: readonly AnyRoute[], dependencies: RouterDependencies): Router {
  // Case-sensitive like the application (app.ts): /API/users is not an API path.
  const router = Router({ caseSensitive: true });
  for (const route of routes) {
    router[route.method](route.path, async (request: Request, response: Response) => {
      await run(route, request, response, dependencies);
    });
  }
  return router;
}
