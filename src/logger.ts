import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * The fields of an error that are written to the log. Everything else is left out on purpose:
 * pg-promise attaches the formatted query (`query`, with every value filled in) and its `params`,
 * and PostgreSQL's `detail`, `where` and `hint` can quote the row (`Key (email)=(...)`). A failed
 * insert into users or credentials would otherwise log password hashes, CSRF tokens and emails.
 */
const loggedErrorFields = ['code', 'constraint', 'table', 'schema', 'column', 'dataType', 'routine', 'status'] as const;

/** A serialized error: what an operator needs to find the cause, and no data values. */
interface LoggedError {
  type: string;
  message: string;
  stack?: string;
  sqlState?: string;
  cause?: LoggedError | string;
  [field: string]: unknown;
}

/** PostgreSQL's five-character SQLSTATE codes (pg errors carry theirs as `code`). */
const sqlStatePattern = /^[0-9A-Z]{5}$/;

/**
 * Serializes an error for the log (pino's `err` serializer): its class, message, stack, a code
 * (for a pg error: the SQLSTATE, also as `sqlState`), constraint, table and the like, and its
 * cause the same way; never a query, parameters or a PostgreSQL detail. Anything that is not an
 * Error is written as its type only, since it could be any value at all.
 */
export function serializeError(error: unknown, depth = 0): LoggedError | string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : `(a thrown ${typeof error})`;
  const source = error as Error & Record<string, unknown>;
  const logged: LoggedError = { type: error.constructor?.name ?? error.name, message: error.message };
  if (error.stack !== undefined) logged.stack = error.stack;
  for (const field of loggedErrorFields) {
    const value = source[field];
    if (typeof value === 'string' || typeof value === 'number') logged[field] = value;
  }
  if (typeof source.code === 'string' && sqlStatePattern.test(source.code) && typeof source.severity === 'string') logged.sqlState = source.code;
  // A bounded depth, as a cause chain may loop.
  if (error.cause !== undefined && depth < 5) logged.cause = serializeError(error.cause, depth + 1);
  if (error instanceof AggregateError && depth < 5) logged.errors = error.errors.map((inner: unknown) => serializeError(inner, depth + 1));
  return logged;
}

/** Creates the process logger: one JSON object per line, on stdout unless a destination is given. */
export function createLogger(level: string, name = 'stockcontrol', destination?: DestinationStream): Logger {
  const options = { name, level, base: { pid: process.pid }, serializers: { err: (error: unknown) => serializeError(error) } };
  return destination ? pino(options, destination) : pino(options);
}
