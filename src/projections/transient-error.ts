/**
 * SQLSTATEs that mean the connection or the server is gone, not the statement: 08 (connection
 * exception: refused, broken, server rejected the connection), 57P01 admin shutdown, 57P02 crash
 * shutdown, 57P03 cannot connect now (starting up, shutting down, in recovery), 53300 too many
 * connections.
 */
const connectionStates = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket errors of a connection attempt or of a connection that broke. */
const socketCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'EAI_AGAIN']);

/**
 * What node-postgres, pg-pool and pg-promise say, without a code, when a connection broke, could
 * not be made in time, or was used after it broke.
 */
const connectionMessages =
  /^(Connection terminated( unexpectedly| due to connection timeout)?|timeout exceeded when trying to connect|timeout expired|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Cannot execute a query on a disconnected client|Query read timeout|Unable to connect to the server)\b/;

/** At most this many causes are followed (a cycle of causes must not hang the classifier). */
const maxCauseDepth = 5;

/**
 * Whether `error` says that the database cannot be reached at the moment, rather than that a
 * statement was wrong: a refused or broken connection, a Unix socket that is not there (ENOENT
 * from connect, the embedded server being down), a server shutting down, starting up or out of
 * connection slots, a connection attempt that timed out. Such a request may be retried as it is
 * once the database answers again; the API answers it with 503 `unavailable`. The error's
 * `cause` chain is followed, so a wrapped connection error is still one. An error may also say
 * so itself with `databaseUnavailable: true` (the service's own fast refusal while the database
 * is known to be down).
 */
export function isConnectionError(error: unknown, depth = 0): boolean {
  if (typeof error !== 'object' || error === null || depth > maxCauseDepth) return false;
  const { code, message, syscall, databaseUnavailable, cause } = error as { code?: unknown; message?: unknown; syscall?: unknown; databaseUnavailable?: unknown; cause?: unknown };
  if (databaseUnavailable === true) return true;
  if (typeof code === 'string') {
    if (/^08[0-9A-Z]{3}$/.test(code) || connectionStates.has(code)) return true;
    if (socketCodes.has(code)) return true;
    // ENOENT from connect(): the server's Unix socket is not there, so the server is not running.
    if (code === 'ENOENT' && syscall === 'connect') return true;
  }
  if (typeof message === 'string' && connectionMessages.test(message)) return true;
  return isConnectionError(cause, depth + 1);
}

/**
 * Whether an error is the database's or the connection's, not the events': a connection that
 * broke or was terminated, a server shutting down or out of resources, a serialization failure
 * or deadlock. Such errors pass; trying again later is right. Anything else raised while applying
 * events (a decoding error, a constraint the projection broke) is the projection's fault and stops
 * the tenant's projector until someone looks.
 */
export function isTransientDatabaseError(error: unknown): boolean {
  if (isConnectionError(error)) return true;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    // 08: connection exception; 40: transaction rollback; 53: insufficient resources;
    // 57: operator intervention (admin shutdown, terminated backend); 58: system error.
    return ['08', '40', '53', '57', '58'].includes(code.slice(0, 2));
  }
  const message = (error as { message?: unknown } | undefined)?.message;
  // node-postgres and the socket layer report a lost connection without a SQLSTATE.
  return typeof message === 'string' && /connection|terminat|ECONNRESET|ECONNREFUSED|EPIPE|timeout/i.test(message);
}
