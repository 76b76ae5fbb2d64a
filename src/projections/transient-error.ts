/**
 * Whether an error is the database's or the connection's, not the events': a connection that
 * broke or was terminated, a server shutting down or out of resources, a serialization failure
 * or deadlock. Such errors pass; trying again later is right. Anything else raised while applying
 * events (a decoding error, a constraint the projection broke) is the projection's fault and stops
 * the tenant's projector until someone looks.
 */
export function isTransientDatabaseError(error: unknown): boolean {
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
