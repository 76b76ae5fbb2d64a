/**
 * Appends whose events carry their recording time (EventToAppend.recordedAt: history imported
 * from another store). They keep every promise of es_append (expected revisions, all-or-nothing
 * across streams, ids stored once, positions from the writing transaction's xid8), in one
 * transaction of set-based statements (append-recorded.sql.ts), and store the given time.
 *
 * es_append() cannot take the time without a migration; when one is due, give es_append_many a
 * recorded-at array and fold this module back into append.ts.
 */
import type { ITask } from 'pg-promise';
import type { Database } from '../../database/connection.js';
import { DuplicateEventIds, InvalidAppend, WrongExpectedRevision, type AppendResult, type ExpectedRevision, type StreamAppend } from '../event-store.js';
import { insertRecordedEventsSql, insertStreamsSql, lockStreamsSql, storedIdsSql, transactionBaseSql, updateStreamsSql } from './append-recorded.sql.js';

/** One stream's append with its events' data and metadata already as JSON text. */
export type RecordedAppend = StreamAppend & { readonly data: readonly string[]; readonly metadata: readonly string[] };

/** The most events one transaction can position (16 bits of offset below the xid). */
const maxEventsPerTransaction = 65_535;

/** Another writer created one of the streams between the lock and the insert: run the transaction again. */
class StreamCreatedMeanwhile extends Error {}

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
  for (let attempt = 1; ; attempt += 1) {
    try {
      const byStream = await db.tx('es-append-recorded', (t) => appendInTransaction(t, tenant, order));
      return appends.map((append) => byStream.get(append.stream) as AppendResult);
    } catch (error) {
      if (!(error instanceof StreamCreatedMeanwhile) || attempt === 3) throw error;
    }
  }
}

async function appendInTransaction(t: ITask<unknown>, tenant: string, order: readonly RecordedAppend[]): Promise<Map<string, AppendResult>> {
  const results = new Map<string, AppendResult>();
  const ids = order.flatMap((append) => append.events.map((event) => event.id));
  const storedRows = await t.any<{ event_id: string; revision: string; position: string }>(storedIdsSql(), [ids]);
  const stored = new Map(storedRows.map((row) => [row.event_id, row]));
  const locked = await t.any<{ stream_name: string; revision: string }>(lockStreamsSql(), [order.map((append) => append.stream)]);
  const current = new Map(locked.map((row) => [row.stream_name, BigInt(row.revision)]));

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

  const lastRevision = (write: Write): string => (write.first + BigInt(write.append.events.length) - 1n).toString();
  const created = writes.filter((write) => write.created);
  if (created.length > 0) {
    const inserted = await t.any<{ stream_name: string }>(insertStreamsSql(), [tenant, created.map((write) => write.append.stream), created.map(lastRevision)]);
    if (inserted.length < created.length) throw new StreamCreatedMeanwhile();
  }
  const existing = writes.filter((write) => !write.created);
  if (existing.length > 0) await t.none(updateStreamsSql(), [existing.map((write) => write.append.stream), existing.map(lastRevision)]);

  const { next } = await t.one<{ next: string }>(transactionBaseSql());
  const streams: string[] = [];
  const revisions: string[] = [];
  const eventIds: string[] = [];
  const types: string[] = [];
  const data: string[] = [];
  const metadata: string[] = [];
  const recordedAt: Array<string | null> = [];
  for (const write of writes) {
    write.append.events.forEach((event, index) => {
      streams.push(write.append.stream);
      revisions.push((write.first + BigInt(index)).toString());
      eventIds.push(event.id);
      types.push(event.type);
      data.push(write.append.data[index] ?? 'null');
      metadata.push(write.append.metadata[index] ?? '{}');
      recordedAt.push(event.recordedAt ? event.recordedAt.toISOString() : null);
    });
    results.set(write.append.stream, { revision: BigInt(lastRevision(write)), position: (BigInt(next) + BigInt(streams.length) - 1n).toString(), duplicate: false });
  }
  await t.none(insertRecordedEventsSql(), [next, tenant, streams, revisions, eventIds, types, data, metadata, recordedAt]);
  return results;
}
