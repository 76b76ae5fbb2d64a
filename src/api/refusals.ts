import { ConcurrencyConflict, RevisionMismatch } from '../commands/errors.js';
import { DatabaseUnavailable } from '../database/availability.js';
import { DomainError, InsufficientStock } from '../domain/errors.js';
import { InvalidCursor } from '../projections/cursor.js';
import { ReadModelNotReady } from '../projections/queries.js';
import { ReadSchemaNotReady } from '../projections/served-schema.js';
import { OlderVersionRefused } from '../projections/switch-refusals.js';
import { isConnectionError } from '../projections/transient-error.js';
import { IdempotencyInProgress, IdempotencyMismatch } from '../tenancy/idempotency.js';
import { RegistrationLimited, TenantTaken } from '../tenancy/registration.js';
import { SessionBusy, SessionRefused } from '../tenancy/credentials.js';
import { LimiterBusy } from '../tenancy/limiter-busy.js';
import { LastAdmin, NotAUser, UnknownUser, WrongCurrentPassword } from '../tenancy/user-administration.js';
import { UsernameTaken } from '../tenancy/users.js';
import { problem, type ProblemBody } from './problem.js';
import { definedFields } from '../domain/defined-fields.js';

/** Domain refusals that mean "this request names something wrong": 422 with the field at fault. */
const invalidRequest = new Set(['unknown-article', 'unknown-location', 'lot-required', 'lot-not-tracked', 'serials-mismatch', 'invalid-quantity', 'invalid-movement', 'virtual-location', 'invalid-parent']);
/** Refusals of something that does not exist, when no request field names it. */
const notFound = new Set(['unknown-article', 'unknown-location', 'unknown-reservation', 'unknown-movement']);

const titles: Record<string, string> = {
  'insufficient-stock': 'Insufficient stock',
  'unknown-article': 'Unknown article',
  'unknown-location': 'Unknown location',
  'duplicate-sku': 'SKU already taken',
  'duplicate-location': 'Location code already taken',
  'duplicate-serial': 'Serial already received',
  'location-blocked': 'Location blocked',
  'article-archived': 'Article archived',
  'lot-expired': 'Lot expired',
  'not-reversible': 'Movement cannot be reversed',
};

/**
 * The HTTP answer to a refusal of the domain or of the control plane (STYLE.md: only src/api maps
 * errors to HTTP). Quantities in the domain's messages and details are already in units.
 */
export function refusalProblem(error: unknown): ProblemBody | undefined {
  if (error instanceof DomainError) {
    const path = error.line === undefined ? error.field : `lines.${error.line}${error.field === undefined ? '' : `.${error.field}`}`;
    const title = titles[error.code] ?? 'Refused';
    if (error instanceof InsufficientStock) {
      return definedFields({
        ...problem(409, error.code, title, error.message),
        sku: error.sku,
        location: error.location,
        lot: error.lot,
        requested: error.requested,
        available: error.available,
        line: error.line,
      });
    }
    if (notFound.has(error.code) && error.line === undefined && (error.code === 'unknown-article' || error.field === undefined)) return problem(404, error.code, title, error.message);
    if (invalidRequest.has(error.code)) return problem(422, error.code, title, error.message, [{ path: path ?? '', message: error.message }]);
    return { ...problem(409, error.code, title, error.message), ...(path === undefined ? {} : { errors: [{ path, message: error.message }] }) };
  }
  if (error instanceof RevisionMismatch) {
    return problem(412, error.code, 'Revision mismatch', `If-Match named revision ${error.expected}; the current revision is ${error.actual ?? 'none'}.`);
  }
  if (error instanceof ConcurrencyConflict) return problem(409, error.code, 'Conflict', 'Other requests kept changing the same stock; try again.');
  if (error instanceof RegistrationLimited) {
    return { ...problem(429, error.code, 'Too many registrations', `Try again in ${error.retryAfterSeconds} s.`), retryAfter: error.retryAfterSeconds };
  }
  if (error instanceof TenantTaken) return problem(409, error.code, 'Tenant taken', error.message, [{ path: 'tenant', message: 'is taken' }]);
  if (error instanceof UsernameTaken) return problem(409, error.code, 'Username taken', error.message, [{ path: 'username', message: 'is taken' }]);
  if (error instanceof UnknownUser) return problem(404, error.code, 'Unknown user', error.message);
  if (error instanceof LastAdmin) return problem(409, error.code, 'Last admin', error.message);
  if (error instanceof WrongCurrentPassword) return problem(422, error.code, 'Wrong password', error.message, [{ path: 'currentPassword', message: 'is wrong' }]);
  if (error instanceof NotAUser) return problem(403, error.code, 'Not a user', error.message);
  // Disabled, deleted or given another password between the password check and the session: the very answer to a wrong password.
  if (error instanceof SessionRefused) return problem(401, 'unauthenticated', 'Wrong username or password', 'The username or the password is wrong.');
  if (error instanceof LimiterBusy) {
    return { ...problem(429, 'rate-limited', 'Too many attempts', `Too many attempts at once; try again in ${error.retryAfterSeconds} s.`), retryAfter: error.retryAfterSeconds };
  }
  if (error instanceof SessionBusy) {
    return { ...problem(503, error.code, 'Busy', `The user is being changed; try again in ${error.retryAfterSeconds} s.`), retryAfter: error.retryAfterSeconds };
  }
  if (error instanceof IdempotencyMismatch) return problem(409, error.code, 'Idempotency-Key reused', 'This Idempotency-Key was used with another request body.');
  if (error instanceof IdempotencyInProgress) {
    const detail = `A request with this Idempotency-Key is still being handled; retry in ${error.retryAfterSeconds} s for its answer.`;
    return { ...problem(409, error.code, 'Request in progress', detail), retryAfter: error.retryAfterSeconds };
  }
  if (error instanceof ReadModelNotReady) {
    const detail = `The read model has applied position ${error.reached}, not yet ${error.wanted}; retry in ${error.retryAfterSeconds} s.`;
    return { ...problem(503, error.code, 'Read model not ready', detail), position: error.reached, retryAfter: error.retryAfterSeconds };
  }
  if (error instanceof ReadSchemaNotReady) {
    const detail = `The read model of this version is not ready for this tenant yet (a deploy is under way); retry in ${error.retryAfterSeconds} s.`;
    return { ...problem(503, error.code, 'Read model not ready', detail), retryAfter: error.retryAfterSeconds };
  }
  if (error instanceof OlderVersionRefused) {
    const detail = `This tenant is served by read-model version ${error.liveVersion}, newer than this process's ${error.version}; a rebuild here would switch it back. Rebuild through a process of the newer version.`;
    return { ...problem(409, error.code, 'A newer read model serves this tenant', detail), liveVersion: error.liveVersion, version: error.version };
  }
  if (isConnectionError(error)) return unavailableProblem(error instanceof DatabaseUnavailable ? error.retryAfterSeconds : 1);
  if (error instanceof InvalidCursor) return problem(422, 'validation', 'The request is not valid', 'The cursor is not one this API gave out.', [{ path: 'cursor', message: 'is not valid' }]);
  return undefined;
}

/**
 * The answer while the database cannot be reached (API.md: 503 `unavailable` with Retry-After).
 * A request cut off by the outage may or may not have been recorded: a retry with the same
 * Idempotency-Key finds out without recording it twice.
 */
export function unavailableProblem(retryAfterSeconds: number): ProblemBody {
  return {
    ...problem(503, 'unavailable', 'Service unavailable', 'The database cannot be reached at the moment; retry the same request later.'),
    retryAfter: retryAfterSeconds,
  };
}
