/**
 * The baselines the stockctl figures are read against, measured in the same run because the
 * shared VM drifts: the same events read through the port and nothing done with them, and read
 * by plain SQL (jsonb as text, nothing parsed) and written to /dev/null. An audit step's rate over
 * these says what it costs beyond reading, whatever the machine's load.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Database } from '../../src/database/connection.js';
import type { EventStore } from '../../src/eventstore/event-store.js';

/**
 * $1 tenant, $2 after position, $3 limit: the export's columns, jsonb as text. ORDER BY names the
 * table's column: a bare `position` meant the output column `position::text`, so each page sorted
 * every later event as text (a parallel scan and an external sort, PostgreSQL ~60 µs per event
 * read; EXPLAIN ANALYZE of a 200,000-event tenant, 2026-12-05), and this "baseline" measured that
 * sort, not reading.
 */
const rawPageSql = `select position::text, stream_name, revision::text, event_id::text, type, data::text, metadata::text, recorded_at::text
  from es_events where tenant = $1 and position > $2::bigint order by es_events.position limit $3`;

/** Reads every event of `tenant` through the port and drops it; resolves with the count. */
export async function readThroughPort(store: EventStore, tenant: string): Promise<number> {
  let count = 0;
  for await (const event of store.readTenant(tenant, { batchSize: 10_000 })) if (event.position) count += 1;
  return count;
}

/** Reads every event of `tenant` by plain SQL, 10,000 rows a page, and writes each as a line to /dev/null. */
export async function readRawToDevNull(db: Database, tenant: string): Promise<number> {
  const output = createWriteStream('/dev/null');
  let after = '0';
  let count = 0;
  for (;;) {
    const result = await db.result({ text: rawPageSql, values: [tenant, after, 10_000], rowMode: 'array' } as never);
    const rows = result.rows as unknown as string[][];
    if (rows.length === 0) break;
    if (!output.write(rows.map((row) => row.join('\t')).join('\n') + '\n')) await once(output, 'drain');
    count += rows.length;
    after = rows.at(-1)?.[0] ?? after;
  }
  output.end();
  await once(output, 'finish');
  return count;
}

/** The optional capabilities of the PostgreSQL adapter, by method name. */
type Capability = 'appendHistory' | 'readTenantText' | 'readTenantJsonLines';

/**
 * `store` without the named optional capabilities: the path an adapter without them takes,
 * measured beside the fast one in the same run.
 */
export function without(store: EventStore, hidden: readonly Capability[]): EventStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      if ((hidden as readonly (string | symbol)[]).includes(property)) return undefined;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** `store` with every optional capability hidden: the port alone. */
export function portOnly(store: EventStore): EventStore {
  return without(store, ['appendHistory', 'readTenantText', 'readTenantJsonLines']);
}
