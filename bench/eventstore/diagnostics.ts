/**
 * Diagnostic variants of the single-event append at concurrency 16, to show what limits it:
 * es_append() called directly (without the store's NOTIFY after commit), and the store with
 * synchronous_commit off. Neither is how the product runs; they turn "what limits it" from a guess
 * into a measurement.
 */
import { openDatabase, type Database } from '../../src/database/connection.js';
import type { Logger } from '../../src/logger.js';
import { appendSql } from '../../src/eventstore/postgres/append.sql.js';
import { appendParameters } from '../../src/eventstore/postgres/append.js';
import { PostgresEventStore } from '../../src/eventstore/postgres/postgres-event-store.js';
import { measure, measureSingleAppends, randomStream, type AppendMeasurement, type AppendTarget, type WaitWatch } from './appends.js';
import { stockReceivedToAppend, stockStream } from './stock-movement.js';

/** One-event appends by calling es_append() with the store's parameters and statement, and nothing else. */
export async function measureDirectAppends(
  db: Database,
  target: AppendTarget,
  operations: number,
  concurrency: number,
  watch?: WaitWatch,
): Promise<AppendMeasurement> {
  const append = (index: number): Promise<unknown> => {
    const article = randomStream(target.streams);
    const values = appendParameters(stockStream(target.tenant, article), [stockReceivedToAppend(article, index)], 'any');
    return db.one({ name: 'es-append', text: appendSql(), values });
  };
  return await measure('es_append() called directly, no NOTIFY', 1, operations, concurrency, append, watch);
}

/** store.append on connections with synchronous_commit off: no commit waits for its WAL flush. */
export async function measureAsyncCommitAppends(
  url: string,
  serverPid: number | undefined,
  logger: Logger,
  target: AppendTarget,
  operations: number,
  concurrency: number,
): Promise<AppendMeasurement> {
  const asyncUrl = new URL(url);
  asyncUrl.searchParams.set('options', '-c synchronous_commit=off');
  const applicationName = 'stockcontrol-bench-async-commit';
  const db = openDatabase(asyncUrl.toString(), { max: concurrency + 4, applicationName });
  const store = new PostgresEventStore(db, logger);
  try {
    const measured = await measureSingleAppends(store, target, operations, concurrency, { db, applicationName, serverPid });
    return { ...measured, label: 'store.append, synchronous_commit off' };
  } finally {
    await store.close();
    await db.$pool.end();
  }
}
