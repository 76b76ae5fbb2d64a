import type { Database } from './connection.js';

type Connection = Awaited<ReturnType<Database['connect']>>;

/**
 * Releases a direct connection, whatever state it is in. pg-promise's done() throws at once
 * ("released or lost connection") when the connection already broke, which in an error handler
 * would crash the process.
 */
export async function releaseConnection(connection: Connection): Promise<void> {
  try {
    await connection.done();
  } catch {
    // Already lost or released: nothing left to release.
  }
}
