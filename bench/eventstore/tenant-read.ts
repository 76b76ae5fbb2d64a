/**
 * Reading a whole large tenant: the setup that loads it, and timed full passes through
 * store.readTenant and through plain queries of the same rows as baselines.
 */
import type { Database } from '../../src/database/connection.js';
import type { EventStore } from '../../src/eventstore/event-store.js';
import { measureCpu, type CpuUse } from '../cpu-time.js';
import { runConcurrently } from '../measure.js';
import { stockReceivedToAppend, stockStream } from './stock-movement.js';

/** How the tenant to read is loaded. */
export interface TenantLoad {
  readonly tenant: string;
  readonly events: number;
  readonly streams: number;
  /** Events per es_append call: large, because loading is setup, not what is measured. */
  readonly eventsPerAppend: number;
  readonly concurrency: number;
}

/**
 * Appends `load.events` events to `load.streams` streams, `eventsPerAppend` at a time with
 * `concurrency` appends in flight; `onProgress` hears the number of events stored so far. Then
 * vacuums es_events, so that the first timed read does not pay for setting hint bits on every page.
 */
export async function loadTenant(store: EventStore, db: Database, load: TenantLoad, onProgress: (stored: number) => void): Promise<void> {
  const appends = Math.ceil(load.events / load.eventsPerAppend);
  let stored = 0;
  await runConcurrently(appends, load.concurrency, async (call) => {
    const article = call % load.streams;
    const count = Math.min(load.eventsPerAppend, load.events - call * load.eventsPerAppend);
    const events = Array.from({ length: count }, (_, offset) => stockReceivedToAppend(article, call * load.eventsPerAppend + offset));
    await store.append(stockStream(load.tenant, article), events, { expectedRevision: 'any' });
    stored += count;
    onProgress(stored);
  });
  await db.none('vacuum (analyze) es_events');
}

/** A way of reading every event of a tenant once; resolves with the number of events read. */
export interface TenantReader {
  readonly label: string;
  readonly batchSize: number | undefined;
  read(): Promise<number>;
}

/** store.readTenant in pages of `batchSize`, consumed by a `for await` that counts the events. */
export function storeReader(store: EventStore, tenant: string, batchSize: number): TenantReader {
  return {
    label: 'store.readTenant',
    batchSize,
    read: async () => {
      let count = 0;
      for await (const event of store.readTenant(tenant, { batchSize })) {
        if (event.revision >= 0n) count += 1;
      }
      return count;
    },
  };
}

// The table is qualified everywhere: a bare `order by position` would sort by the output column
// `position::text` (a text sort of every row of the tenant, per page) instead of using the index.
const plainPageSql = (columns: string): string => `
  select ${columns} from es_events e
   where e.tenant = $1 and e.position > $2::bigint
   order by e.position limit $3`;

/** recorded_at as the store reads it (see eventColumns in reads.sql.ts): epoch milliseconds. */
const recordedMs = '(extract(epoch from e.recorded_at) * 1000)::float8';

/** The store's columns, decoded by node-postgres as the store gets them (jsonb parsed to objects). */
const storeColumns = `e.position::text, e.stream_name, e.revision::text, e.event_id, e.type, e.data, e.metadata, ${recordedMs}`;

/** The same columns with the JSON left as text: what the rows cost without JSON.parse in Node. */
const textColumns = `e.position::text, e.stream_name, e.revision::text, e.event_id, e.type, e.data::text, e.metadata::text, ${recordedMs}`;

/**
 * The baseline: the same rows paged by position with a plain query and array rows, one page after
 * another, without the store's read guard, prefetch or RecordedEvent objects.
 */
export function plainPagingReader(db: Database, tenant: string, batchSize: number, json: 'parsed' | 'as text'): TenantReader {
  const text = plainPageSql(json === 'parsed' ? storeColumns : textColumns);
  return {
    label: json === 'parsed' ? 'plain query paging by position' : 'plain query paging, JSON left as text',
    batchSize,
    read: async () => {
      let count = 0;
      let after = '0';
      for (;;) {
        const result = await db.result({ text, values: [tenant, after, batchSize], rowMode: 'array' } as never);
        const rows = result.rows as unknown as Array<[string, ...unknown[]]>;
        count += rows.length;
        const last = rows.at(-1);
        if (!last || rows.length < batchSize) return count;
        after = last[0];
      }
    },
  };
}

/**
 * The server's share alone: one query that walks the same rows in position order and runs every
 * column's output function (as sending it would) but sends back only a count. octet_length, not
 * length, so that no UTF-8 character counting is added to the server's real work.
 */
export function serverOnlyReader(db: Database, tenant: string): TenantReader {
  return {
    label: 'server only: scan + render rows, nothing sent',
    batchSize: undefined,
    read: async () => {
      const row = await db.one<{ count: string }>(
        `select count(*) as count,
                sum(octet_length(e.position::text) + octet_length(e.stream_name) + octet_length(e.revision::text)
                  + octet_length(e.event_id::text) + octet_length(e.type) + octet_length(e.data::text)
                  + octet_length(e.metadata::text) + octet_length(${recordedMs}::text)) as bytes
           from (select * from es_events where tenant = $1 order by position) e`,
        [tenant],
      );
      return Number(row.count);
    },
  };
}

/** A reader's result: the best of its passes (the machine is shared, so the best is the least disturbed). */
export interface ReadMeasurement {
  readonly label: string;
  readonly batchSize: number | undefined;
  readonly events: number;
  readonly bestMs: number;
  readonly passesMs: readonly number[];
  /** CPU of Node and of the local server during the best pass. */
  readonly bestCpu: CpuUse;
}

/**
 * Times `passes` full reads by every reader, the readers taking turns within each pass so that
 * a disturbance on the machine does not fall on one reader only. A reader that reads a different
 * number of events than `expected` is an error: its figure would be meaningless.
 */
export async function measureReads(
  readers: readonly TenantReader[],
  passes: number,
  expected: number,
  serverPid: number | undefined,
  onPass: (reader: TenantReader, pass: number, cpu: CpuUse) => void,
): Promise<ReadMeasurement[]> {
  const runs = readers.map(() => [] as CpuUse[]);
  for (let pass = 1; pass <= passes; pass += 1) {
    for (const [index, reader] of readers.entries()) {
      const { result: count, cpu } = await measureCpu(serverPid, () => reader.read());
      if (count !== expected) throw new Error(`${reader.label} read ${count} events, expected ${expected}`);
      runs[index]?.push(cpu);
      onPass(reader, pass, cpu);
    }
  }
  return readers.map((reader, index) => {
    const cpus = runs[index] ?? [];
    const best = cpus.reduce((fastest, cpu) => (cpu.wallMs < fastest.wallMs ? cpu : fastest));
    return {
      label: reader.label,
      batchSize: reader.batchSize,
      events: expected,
      bestMs: best.wallMs,
      passesMs: cpus.map((cpu) => cpu.wallMs),
      bestCpu: best,
    };
  });
}
