import type { Database } from '../../src/database/connection.js';

/** What a {@link countRoundTrips} window saw: every query text sent, in order. */
export interface RoundTrips {
  readonly queries: readonly string[];
  /** Transactions begun (pg-promise sends `begin` as a query of its own). */
  readonly transactions: number;
}

/**
 * Counts the queries (round trips: a multi-statement text is one) that `db`'s pg-promise
 * instance sends until stop() is called, through pg-promise's `query` event. The event is an
 * option of the one library instance of the process, so every pool and connection of it counts:
 * a test that uses this runs nothing else meanwhile.
 */
export function countRoundTrips(db: Database): { stop(): RoundTrips } {
  const options = db.$config.options as { query?: (event: { query: unknown }) => void };
  const previous = options.query;
  const queries: string[] = [];
  options.query = (event) => {
    // The event store's NOTIFY after an append is sent in the background: the appender's, not the counted work's.
    if (JSON.stringify(event.query).includes('pg_notify(')) return previous?.(event);
    queries.push(typeof event.query === 'string' ? event.query : JSON.stringify(event.query));
    previous?.(event);
  };
  return {
    stop() {
      options.query = previous;
      return { queries, transactions: queries.filter((text) => /^begin\b/i.test(text.trim())).length };
    },
  };
}
