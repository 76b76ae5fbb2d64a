/**
 * Appends whose events carry their recording time (EventToAppend.recordedAt: history imported
 * from another store). They keep every promise of es_append (expected revisions, all-or-nothing
 * across streams, ids stored once, positions from the writing transaction's xid8), in one
 * transaction of two set-based statements (append-recorded.sql.ts: read and lock, then write),
 * and store the given time.
 *
 * es_append() cannot take the time without a migration; when one is due, give es_append_many a
 * recorded-at array and fold this module back into append.ts.
 */
import type { ITask } from 'pg-promise';
import type { Database } from '../../database/connection.js';
import { DuplicateEventIds, InvalidAppend, WrongExpectedRevision, type AppendResult, type ExpectedRevision, type StreamAppend } from '../event-store.js';
import { recordedAppendStateSql, writeRecordedAppendSql } from './append-recorded.sql.js';

/** One stream's append with its events' data and metadata already as JSON text. */
export type RecordedAppend = StreamAppend & { readonly data: readonly string[]; readonly metadata: readonly string[] };

/** The most events one transaction can position (16 bits of offset below the xid). */
export const maxEventsPerTransaction = 65_535;

/** Another writer created one of the streams between the lock and the insert: run the transaction again. */
class StreamCreatedMeanwhile extends Error {}

/**
 * A named, prepared statement: node-postgres sends the arrays as parameters. Formatted into the
 * query text by pg-promise instead, a batch of 5,000 events became megabytes of SQL for the
 * server to parse, and the import ran at a quarter of its rate (bench/stockctl).
 */
function statement(name: string, text: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  return { name, text, values };
}

function expectedHolds(expected: ExpectedRevision, actual: bigint | undefined): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return actual === undefined;
  if (expected === 'exists') return actual !== undefined;
  return actual === expected;
}

/** A stream to write: its events' first revision. */
interface Write {
  readonly append: RecordedAppend;
  readonly first: bigint;
  readonly created: boolean;
}

/**
 * Appends to the streams of `tenant` in one transaction, keeping each event's recordedAt (now()
 * where it has none), and answers one result per append in the order given. Throws the port's
 * typed errors; the duplicate-id race (two writers of the same ids) surfaces as es_append's does,
 * a unique violation of es_events_event_id_key, for append.ts to retry.
 */
export async function appendRecorded(db: Database, tenant: string, appends: readonly RecordedAppend[]): Promise<AppendResult[]> {
  const order = [...appends].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  const total = order.reduce((sum, append) => sum + append.events.length, 0);
  if (total > maxEventsPerTransaction) throw new InvalidAppend(`at most ${maxEventsPerTransaction} events per transaction`);
  const byStream = await inRecordedTransaction(db, 'es-append-recorded', (t) => appendInTransaction(t, tenant, order));
  return appends.map((append) => byStream.get(append.stream) as AppendResult);
}

/** What the store holds of a batch: its ids already stored, and its streams' revisions (locked). */
export interface StoredState {
  readonly stored: ReadonlyMap<string, { readonly revision: string; readonly position: string; readonly stream: string }>;
  readonly current: ReadonlyMap<string, bigint>;
}

/** Reads, and locks, what the store holds of a batch's ids and streams (the first statement). */
export async function readStoredState(t: ITask<unknown>, ids: readonly string[], streams: readonly string[]): Promise<StoredState> {
  const state = await t.one<{ stored: string; streams: string }>(statement('es-recorded-state', recordedAppendStateSql(), [ids, streams]));
  return {
    stored: new Map((JSON.parse(state.stored) as Array<[string, string, string, string]>).map(([id, revision, position, stream]) => [id, { revision, position, stream }])),
    current: new Map((JSON.parse(state.streams) as Array<[string, string]>).map(([stream, revision]) => [stream, BigInt(revision)])),
  };
}

/** Events to write, one element per event in write order; data and metadata already JSON text. */
export interface EventRows {
  readonly streams: string[];
  readonly revisions: string[];
  readonly ids: string[];
  readonly types: string[];
  readonly data: string[];
  readonly metadata: string[];
  readonly recordedAt: Array<string | null>;
}

/** Empty rows to fill. */
export function eventRows(): EventRows {
  return { streams: [], revisions: [], ids: [], types: [], data: [], metadata: [], recordedAt: [] };
}

/**
 * Writes the rows (the second statement) with the streams' new revisions, `created` for streams
 * the state found missing; answers the first position. Another writer's stream created meanwhile
 * throws, for the caller's transaction to roll back and run again.
 */
export async function writeEventRows(t: ITask<unknown>, tenant: string, rows: EventRows, created: ReadonlyMap<string, bigint>, moved: ReadonlyMap<string, bigint>): Promise<bigint> {
  const written = await t.one<{ created: number; first: string }>(
    statement('es-recorded-write', writeRecordedAppendSql(), [
      tenant,
      [...created.keys()],
      [...created.values()].map(String),
      [...moved.keys()],
      [...moved.values()].map(String),
      rows.streams,
      rows.revisions,
      rows.ids,
      rows.types,
      // JSON text already: joined, they are one JSON array each.
      `[${rows.data.join(',')}]`,
      `[${rows.metadata.join(',')}]`,
      rows.recordedAt,
    ]),
  );
  if (written.created < created.size) throw new StreamCreatedMeanwhile();
  return BigInt(written.first);
}

/** Runs `work` in a transaction, again (up to 3 times) when another writer created a stream meanwhile. */
export async function inRecordedTransaction<T>(db: Database, tag: string, work: (t: ITask<unknown>) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.tx(tag, work);
    } catch (error) {
      if (!(error instanceof StreamCreatedMeanwhile) || attempt === 3) throw error;
    }
  }
}

async function appendInTransaction(t: ITask<unknown>, tenant: string, order: readonly RecordedAppend[]): Promise<Map<string, AppendResult>> {
  const results = new Map<string, AppendResult>();
  const ids = order.flatMap((append) => append.events.map((event) => event.id));
  const { stored, current } = await readStoredState(t, ids, order.map((append) => append.stream));

  const writes: Write[] = [];
  for (const append of order) {
    const known = append.events.filter((event) => stored.has(event.id)).length;
    const last = stored.get(append.events.at(-1)?.id ?? '');
    if (known === append.events.length && last) {
      // Every id is stored: a retried append, which records nothing (as es_append answers it).
      results.set(append.stream, { revision: BigInt(last.revision), position: last.position, duplicate: true });
      continue;
    }
    if (known > 0) throw new DuplicateEventIds(append.stream);
    const actual = current.get(append.stream);
    if (!expectedHolds(append.expectedRevision, actual)) throw new WrongExpectedRevision(append.stream, append.expectedRevision, actual ?? 'no_stream');
    writes.push({ append, first: actual === undefined ? 0n : actual + 1n, created: actual === undefined });
  }
  if (writes.length === 0) return results;

  const lastRevision = (write: Write): bigint => write.first + BigInt(write.append.events.length) - 1n;
  const rows = eventRows();
  const ends: number[] = [];
  for (const write of writes) {
    write.append.events.forEach((event, index) => {
      rows.streams.push(write.append.stream);
      rows.revisions.push((write.first + BigInt(index)).toString());
      rows.ids.push(event.id);
      rows.types.push(event.type);
      rows.data.push(write.append.data[index] ?? 'null');
      rows.metadata.push(write.append.metadata[index] ?? '{}');
      rows.recordedAt.push(event.recordedAt ? event.recordedAt.toISOString() : null);
    });
    ends.push(rows.streams.length);
  }
  const created = new Map(writes.filter((write) => write.created).map((write) => [write.append.stream, lastRevision(write)]));
  const moved = new Map(writes.filter((write) => !write.created).map((write) => [write.append.stream, lastRevision(write)]));
  const first = await writeEventRows(t, tenant, rows, created, moved);
  writes.forEach((write, index) => {
    results.set(write.append.stream, { revision: lastRevision(write), position: (first + BigInt(ends[index] ?? 0) - 1n).toString(), duplicate: false });
  });
  return results;
}
