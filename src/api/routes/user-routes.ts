import { setTimeout as delay } from 'node:timers/promises';
import type { z } from 'zod';
import { canonicalLoginUsername, type LoginLimiter } from '../../tenancy/login-limiter.js';
import type { Actor, UserAdministration } from '../../tenancy/user-administration.js';
import { HttpProblem } from '../problem.js';
import { route, type AnyRoute, type RouteContext } from '../route.js';
import { passwordChangeSchema, passwordResetSchema, roleChangeSchema, sessionsEndedSchema, userSchema, usernameParams } from '../schemas/users.js';
import { commandMetadata } from './movement-routes.js';

type Username = z.output<typeof usernameParams>;

/** The acting principal as user administration records it (its events carry the request's metadata). */
function actor(context: RouteContext<unknown, unknown, unknown>): Actor {
  return { metadata: commandMetadata(context), kind: context.principal.kind, credentialId: context.principal.credentialId };
}

const unknownUser = { status: 404, description: 'unknown-user: no such user in this tenant.' };
const lastAdmin = { status: 409, description: "last-admin: the user is the tenant's last active admin." };

/**
 * User administration (admin) and a user's own password and sessions (any role). Every act that
 * changes something ends the user's sessions as it says, at once in every process, and is an
 * audited event in the stream `user-<username>` (GET /api/audit/events). A password change's
 * current password is a password check like a login's and counts against the same limits (`limiter`).
 */
export function userRoutes(administration: UserAdministration, limiter: LoginLimiter): AnyRoute[] {
  return [
    route<Username, unknown, z.output<typeof roleChangeSchema>>({
      method: 'patch',
      path: '/api/users/:username',
      summary: "Change a user's role (their sessions end: they log in again with the new role)",
      tag: 'Administration',
      access: 'admin',
      params: usernameParams,
      body: roleChangeSchema,
      responses: [{ status: 200, description: 'The user.', schema: userSchema }, unknownUser, lastAdmin],
      handle: async (context) => ({ status: 200, body: await administration.changeRole(actor(context), context.params.username, context.body.role) }),
    }),
    route<Username>({
      method: 'post',
      path: '/api/users/:username/disable',
      summary: 'Disable a user: their sessions end at once and they cannot log in (answered as a wrong password)',
      tag: 'Administration',
      access: 'admin',
      params: usernameParams,
      responses: [{ status: 200, description: 'The user (status disabled).', schema: userSchema }, unknownUser, lastAdmin],
      handle: async (context) => ({ status: 200, body: await administration.setStatus(actor(context), context.params.username, 'disabled') }),
    }),
    route<Username>({
      method: 'post',
      path: '/api/users/:username/enable',
      summary: 'Enable a disabled user again',
      tag: 'Administration',
      access: 'admin',
      params: usernameParams,
      responses: [{ status: 200, description: 'The user (status active).', schema: userSchema }, unknownUser],
      handle: async (context) => ({ status: 200, body: await administration.setStatus(actor(context), context.params.username, 'active') }),
    }),
    route<Username>({
      method: 'delete',
      path: '/api/users/:username',
      summary: 'Delete a user and their sessions (API tokens they created stay: revoke them with DELETE /api/tokens/:id)',
      tag: 'Administration',
      access: 'admin',
      params: usernameParams,
      responses: [{ status: 204, description: 'Deleted.' }, unknownUser, lastAdmin],
      handle: async (context) => {
        await administration.remove(actor(context), context.params.username);
        return { status: 204 };
      },
    }),
    route<Username, unknown, z.output<typeof passwordResetSchema>>({
      method: 'post',
      path: '/api/users/:username/password',
      summary: "Set a user's password (admin reset); the user's sessions end, but the one making the request",
      tag: 'Administration',
      access: 'admin',
      params: usernameParams,
      body: passwordResetSchema,
      responses: [{ status: 204, description: 'Set.' }, unknownUser],
      handle: async (context) => {
        await administration.resetPassword(actor(context), context.params.username, context.body.password);
        return { status: 204 };
      },
    }),
    route<Username>({
      method: 'delete',
      path: '/api/users/:username/sessions',
      summary: 'End every session of a user at once (their API tokens are not sessions and stay)',
      tag: 'Administration',
      access: 'admin',
      params: usernameParams,
      responses: [{ status: 200, description: 'How many live sessions ended.', schema: sessionsEndedSchema }, unknownUser],
      handle: async (context) => ({ status: 200, body: { sessionsEnded: await administration.endSessions(actor(context), context.params.username) } }),
    }),
    route<unknown, unknown, z.output<typeof passwordChangeSchema>>({
      method: 'post',
      path: '/api/me/password',
      summary: 'Change your own password, giving the current one; your other sessions end',
      tag: 'Authentication',
      access: 'read',
      body: passwordChangeSchema,
      responses: [
        { status: 204, description: 'Changed.' },
        { status: 403, description: 'not-a-user: an API token has no password.' },
        { status: 422, description: 'wrong-password: the current password is wrong (errors name currentPassword); or invalid fields.' },
        { status: 429, description: 'rate-limited: too many wrong passwords, counted with failed logins (per username and client, per client); Retry-After says when to try again.' },
      ],
      handle: async (context) => {
        const { principal, tenant, request } = context;
        // A stolen session must not be a way to guess the password past the login limits: the
        // check counts as a login attempt of the same keys (tenant, username, client address).
        // An API token has no password; changeOwnPassword refuses it before any check.
        const attempt = principal.kind === 'session' ? await limiter.attempt(tenant, canonicalLoginUsername(principal.user), request.ip ?? '') : undefined;
        if (attempt?.allowed === false) {
          const wait = attempt.retryAfterSeconds;
          throw new HttpProblem(429, 'rate-limited', 'Too many wrong passwords', `Try again in ${wait} s.`, undefined, { retryAfter: wait });
        }
        if (attempt?.allowed && attempt.delayMs > 0) await delay(attempt.delayMs);
        await administration.changeOwnPassword(actor(context), context.body.currentPassword, context.body.newPassword);
        if (attempt?.allowed) await attempt.succeeded();
        return { status: 204 };
      },
    }),
    route({
      method: 'delete',
      path: '/api/me/sessions',
      summary: 'Log out everywhere: end every session of yours, this one included',
      tag: 'Authentication',
      access: 'read',
      responses: [
        { status: 200, description: 'How many live sessions ended.', schema: sessionsEndedSchema },
        { status: 403, description: 'not-a-user: an API token has no sessions.' },
      ],
      handle: async (context) => ({ status: 200, body: { sessionsEnded: await administration.endOwnSessions(actor(context)) } }),
    }),
  ];
}
