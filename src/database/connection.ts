import pgPromise from 'pg-promise';
import type { IDatabase, IMain } from 'pg-promise';

/** A pg-promise database handle (a connection pool). */
export type Database = IDatabase<unknown>;

/** The one pg-promise library instance of the process; it also provides identifier escaping. */
export const pgp: IMain = pgPromise({ capSQL: true });

// int8 (bigint) comes back as a string by default; positions and revisions stay strings or
// become bigint where they are compared, never lossy JS numbers. count(*) is int8 too.
// numeric stays a string: quantities are exact.

/**
 * How long a query waits for a pool connection (or for a new connection to be made) before it
 * fails with "timeout exceeded when trying to connect", a connection error answered 503 with
 * Retry-After. Without it a request waits forever once the pool is drained (by logins queued on a
 * row lock, say) and the process stalls instead of shedding load.
 */
export const connectionTimeoutMs = 10_000;

/** Opens a pool on `url`; the pool connects lazily, and nobody waits for a connection longer than `connectionTimeoutMillis`. */
export function openDatabase(url: string, options: { max?: number; applicationName?: string; connectionTimeoutMillis?: number } = {}): Database {
  return pgp({
    connectionString: url,
    max: options.max ?? 20,
    application_name: options.applicationName ?? 'stockcontrol',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? connectionTimeoutMs,
  });
}

/**
 * Ends a pool and resolves once every one of its connections has closed. pool.end() resolves
 * earlier, and stopping the server before the last connection is gone would make that
 * connection fail with "terminating connection" after its error handler was removed.
 */
export async function closeDatabase(db: Database): Promise<void> {
  const pool = db.$pool;
  let open = pool.totalCount;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      open -= 1;
      if (open <= 0) resolve();
    });
  });
  // Errors of connections that are closing anyway are of no interest any more.
  pool.on('error', () => undefined);
  await pool.end();
  await allClosed;
}
