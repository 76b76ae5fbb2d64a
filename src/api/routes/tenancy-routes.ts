import { setTimeout as delay } from 'node:timers/promises';
import type { Request } from 'express';
import { z } from 'zod';
import type { Database } from '../../database/connection.js';
import type { Logger } from '../../logger.js';
import type { ReadSchemas } from '../../projections/read-schemas.js';
import { sessionLifetimeHours, type Credentials } from '../../tenancy/credentials.js';
import { canonicalLoginUsername, type LoginLimiter } from '../../tenancy/login-limiter.js';
import type { RegistrationLimit } from '../../tenancy/registration-limit.js';
import { registerWithinLimit } from '../../tenancy/registration.js';
import type { Users } from '../../tenancy/users.js';
import { clearedSessionCookies, sessionCookieHeader } from '../cookies.js';
import { HttpProblem } from '../problem.js';
import { pageOfList } from '../../projections/cursor.js';
import { route, type AnyRoute } from '../route.js';
import { pageQuery } from '../schemas/queries.js';
import { loginAnswerSchema, loginRequestSchema, sessionAnswerSchema, newTokenSchema, newUserSchema, registeredSchema, registrationSchema, tokenParams } from '../schemas/tenancy.js';

/** What the tenancy routes need. */
export interface TenancyRouteDependencies {
  readonly db: Database;
  readonly users: Users;
  readonly credentials: Credentials;
  readonly readSchemas: ReadSchemas;
  readonly limiter: LoginLimiter;
  readonly registrations: RegistrationLimit;
  readonly logger: Logger;
  readonly baseDomain: string;
  readonly port: number;
  readonly secureCookie: boolean;
  /** Told of each tenant registered here (the projector daemon follows it at once). */
  readonly tenantRegistered?: (tenant: string) => void;
}

const wrongCredentials = (): HttpProblem => new HttpProblem(401, 'unauthenticated', 'Wrong username or password', 'The username or the password is wrong.');

/** Registration, login and logout, the current user, API tokens and users (API.md). */
export function tenancyRoutes(dependencies: TenancyRouteDependencies): AnyRoute[] {
  const { users, credentials, limiter } = dependencies;
  /**
   * Whether the session cookie is `__Host-` and Secure: the request came over HTTPS (directly, or
   * through a proxy TRUST_PROXY believes about X-Forwarded-Proto), or SESSION_COOKIE_SECURE=true
   * says so for a TLS proxy the service is not told to trust.
   */
  const secureCookie = (request: Request): boolean => dependencies.secureCookie || request.secure;
  return [
    route<unknown, unknown, z.output<typeof registrationSchema>>({
      method: 'post',
      path: '/api/tenants',
      summary: 'Register a company and its first admin user',
      tag: 'Tenants',
      access: 'public',
      body: registrationSchema,
      responses: [
        { status: 201, description: 'Registered; the tenant can log in at once.', schema: registeredSchema },
        { status: 409, description: 'tenant-taken' },
        { status: 422, description: 'Every invalid field, at once.' },
        { status: 429, description: 'More than 20 registrations an hour from this client.' },
      ],
      handle: async ({ body, request }) => {
        // The limit is asked while the password is hashed (registration.ts); at the limit, RegistrationLimited (429).
        const registered = await registerWithinLimit(dependencies, request.ip ?? '', {
          companyName: body.companyName,
          tenant: body.tenant,
          email: body.email,
          username: body.username,
          password: body.password,
        });
        const port = dependencies.port === 80 ? '' : `:${dependencies.port}`;
        return { status: 201, body: { tenant: registered.tenant, domain: registered.domain, loginUrl: `http://${registered.domain}${port}/login` } };
      },
    }),
    route<unknown, unknown, z.output<typeof loginRequestSchema>>({
      method: 'post',
      path: '/api/auth/login',
      summary: 'Log in: a bearer token and a session cookie (`"session": "cookie"`: the cookie only, for a browser)',
      tag: 'Authentication',
      access: 'tenant',
      body: loginRequestSchema,
      responses: [
        { status: 200, description: 'Logged in: the token, CSRF token and user; with `"session": "cookie"` no token, the session is only in the HttpOnly cookie.', schema: z.union([loginAnswerSchema, sessionAnswerSchema]) },
        { status: 401, description: 'Wrong username or password (the same answer for both).' },
        { status: 429, description: 'More than 10 failures a minute for this username from this client, or from this client in all.' },
      ],
      handle: async ({ body, tenant, request }) => {
        // The client's address as TRUST_PROXY allows it to be known (the socket's when no proxy is
        // trusted); the limiter keys it (an IPv6 client by its /64).
        const username = canonicalLoginUsername(body.username);
        const attempt = await limiter.attempt(tenant, username, request.ip ?? '');
        if (!attempt.allowed) {
          const wait = attempt.retryAfterSeconds;
          throw new HttpProblem(429, 'rate-limited', 'Too many failed logins', `Try again in ${wait} s.`, undefined, { retryAfter: wait });
        }
        if (attempt.alert) dependencies.logger.warn({ tenant, username, slowdownMs: attempt.delayMs }, 'failed logins for one username from several clients reached the limit: its logins are slowed down');
        if (attempt.delayMs > 0) await delay(attempt.delayMs);
        const user = username === undefined ? undefined : await users.checkLogin(tenant, username, body.password);
        if (!user) throw wrongCredentials();
        await attempt.succeeded();
        const session = await credentials.openSession(tenant, user);
        // A browser asks for the cookie only: a script injected into the page can read an answer's
        // body but not an HttpOnly cookie, so the secret stays out of the body.
        const token = body.session === 'cookie' ? {} : { token: session.secret };
        return {
          status: 200,
          body: { ...token, csrfToken: session.csrfToken, user: { username: user.username, role: user.role }, tenant },
          headers: { 'Set-Cookie': sessionCookieHeader(session.secret, sessionLifetimeHours * 3600, secureCookie(request)), 'Cache-Control': 'no-store' },
        };
      },
    }),
    route({
      method: 'post',
      path: '/api/auth/logout',
      summary: 'End this session (an API token is revoked with DELETE /api/tokens/:id instead)',
      tag: 'Authentication',
      access: 'read',
      responses: [{ status: 204, description: 'Logged out; the cookie is cleared.' }],
      handle: async ({ principal, request }) => {
        if (principal.kind === 'session') await credentials.closeSession(principal.credentialId);
        return { status: 204, headers: { 'Set-Cookie': clearedSessionCookies(secureCookie(request)) } };
      },
    }),
    route({
      method: 'get',
      path: '/api/auth/csrf',
      summary: "The session's CSRF token, for X-CSRF-Token on cookie-authenticated writes",
      tag: 'Authentication',
      access: 'read',
      responses: [{ status: 200, description: 'The token (null for a bearer token, which needs none).' }],
      handle: async ({ principal }) => ({ status: 200, body: { csrfToken: principal.csrfToken ?? null }, headers: { 'Cache-Control': 'no-store' } }),
    }),
    route({
      method: 'get',
      path: '/api/me',
      summary: 'Who is asking',
      tag: 'Authentication',
      access: 'read',
      responses: [{ status: 200, description: 'The user (or token), role and tenant.' }],
      handle: async ({ principal, tenant }) => ({ status: 200, body: { user: { username: principal.user, role: principal.role }, tenant, via: principal.kind } }),
    }),
    route<unknown, unknown, z.output<typeof newTokenSchema>>({
      method: 'post',
      path: '/api/tokens',
      summary: 'Issue an API token with its own role (the secret is shown once)',
      tag: 'Administration',
      access: 'admin',
      body: newTokenSchema,
      responses: [{ status: 201, description: 'The token: `{ id, token }`.' }],
      handle: async ({ body, tenant, principal }) => {
        const issued = await credentials.issueToken(tenant, body.name, body.role, principal.user);
        return { status: 201, body: { id: issued.id, token: issued.secret, name: body.name, role: body.role }, headers: { 'Cache-Control': 'no-store' } };
      },
    }),
    route<unknown, z.output<typeof pageQuery>>({
      method: 'get',
      path: '/api/tokens',
      summary: "The tenant's API tokens (never their secrets)",
      tag: 'Administration',
      access: 'admin',
      query: pageQuery,
      responses: [{ status: 200, description: '`{ items, nextCursor }`' }],
      handle: async ({ tenant, query }) => ({ status: 200, body: pageOfList('tokens', await credentials.listTokens(tenant), query, (token) => token.id) }),
    }),
    route<z.output<typeof tokenParams>>({
      method: 'delete',
      path: '/api/tokens/:id',
      summary: 'Revoke an API token at once',
      tag: 'Administration',
      access: 'admin',
      params: tokenParams,
      responses: [{ status: 204, description: 'Revoked.' }, { status: 404, description: 'No such token in this tenant.' }],
      handle: async ({ tenant, params }) => {
        if (!(await credentials.revokeToken(tenant, params.id))) throw new HttpProblem(404, 'not-found', 'Unknown token', 'This tenant has no token with this id.');
        return { status: 204 };
      },
    }),
    route<unknown, unknown, z.output<typeof newUserSchema>>({
      method: 'post',
      path: '/api/users',
      summary: 'Create a user',
      tag: 'Administration',
      access: 'admin',
      body: newUserSchema,
      responses: [{ status: 201, description: 'The user.' }, { status: 409, description: 'username-taken' }],
      handle: async ({ body, tenant }) => ({ status: 201, body: await users.create(tenant, body) }),
    }),
    route<unknown, z.output<typeof pageQuery>>({
      method: 'get',
      path: '/api/users',
      summary: "The tenant's users",
      tag: 'Administration',
      access: 'admin',
      query: pageQuery,
      responses: [{ status: 200, description: '`{ items, nextCursor }`' }],
      handle: async ({ tenant, query }) => ({ status: 200, body: pageOfList('users', await users.list(tenant), query, (user) => user.id) }),
    }),
  ];
}
