/**
 * Appends of the PostgreSQL event store: one es_append() call for one stream, one
 * es_append_many() call for several, so one round trip and one transaction however many streams.
 * es_append_many() (migration 0008) also takes the events' recording times and HistoryImport's
 * batches, so every append, plain, with recordedAt or imported history, is checked by the same
 * SQL: no second implementation of expected revisions, stored ids or positions here.
 */
import type { Database } from '../../database/connection.js';
import {
  DuplicateEventIds,
  InvalidAppend,
  WrongExpectedRevision,
  type AppendResult,
  type EventToAppend,
  type ExpectedRevision,
  type HistoryEvent,
  type StreamAppend,
} from '../event-store.js';
import { parseStreamName } from '../stream-name.js';
import { appendEntriesSql, appendSql } from './append.sql.js';

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
}

type PreparedAppend = StreamAppend & { readonly params: unknown[] };

/** One result row of es_append_many(). */
interface AppendManyRow {
  stream_name: string;
  revision: string;
  position: string;
  duplicate: boolean;
  already_stored: number;
}

/** The most events one transaction can position (16 bits of offset below the xid). */
const maxEventsPerTransaction = 65_535;

function expectedText(expected: ExpectedRevision): string {
  if (typeof expected === 'bigint') {
    if (expected < 0n) throw new InvalidAppend(`expected revision must not be negative: ${expected}`);
    return expected.toString();
  }
  return expected;
}

/** The parameters of es_append() for one stream's append; validates the stream name and events. */
export function appendParameters(stream: string, events: readonly EventToAppend[], expectedRevision: ExpectedRevision): unknown[] {
  const parsed = parseStreamName(stream);
  if (!parsed) throw new InvalidAppend(`not a stream name: ${JSON.stringify(stream)}`);
  if (events.length === 0) throw new InvalidAppend(`no events to append to ${stream}`);
  return [
    parsed.tenant,
    stream,
    expectedText(expectedRevision),
    events.map((event) => event.id),
    events.map((event) => event.type),
    events.map((event) => JSON.stringify(event.data ?? null)),
    events.map((event) => JSON.stringify(event.metadata ?? {})),
  ];
}

/**
 * Appends to one or more streams of one tenant, all or nothing, and answers one result per
 * append in the order given. Throws the port's typed errors.
 */
export async function appendToStreams(db: Database, appends: readonly StreamAppend[]): Promise<AppendResult[]> {
  const prepared = prepare(appends);
  const rows = await withRetry(() => appendPrepared(db, prepared), (stream) => appends.find((append) => append.stream === stream)?.expectedRevision);
  const byStream = new Map(rows.map((row) => [row.stream_name, toResult(row)]));
  return prepared.map((append) => byStream.get(append.stream) as AppendResult);
}

/**
 * Appends `events` of one tenant in the order given, each at its own revision (the port's
 * HistoryImport.appendHistory): each run of one stream's consecutive events is an entry of one
 * es_append_many() call in history mode, which leaves out (and counts) the events an earlier run
 * stored where they belong.
 */
export async function appendHistory(db: Database, events: readonly HistoryEvent[]): Promise<{ appended: number; alreadyStored: number }> {
  if (events.length === 0) return { appended: 0, alreadyStored: 0 };
  if (events.length > maxEventsPerTransaction) throw new InvalidAppend(`at most ${maxEventsPerTransaction} events per transaction`);
  const tenants = new Set(events.map((event) => parseStreamName(event.stream)?.tenant));
  const [tenant] = tenants;
  if (tenants.size !== 1 || tenant === undefined) throw new InvalidAppend('a history batch is of one tenant, with valid stream names');
  if (new Set(events.map((event) => event.id)).size !== events.length) throw new InvalidAppend('an event id appears twice in one history batch');
  const entries: Array<{ stream: string; expected: string; count: number }> = [];
  let previous: HistoryEvent | undefined;
  for (const event of events) {
    const entry = entries.at(-1);
    if (entry && previous?.stream === event.stream && previous.revision + 1n === event.revision) {
      entry.count += 1;
    } else {
      if (event.revision < 0n) throw new InvalidAppend(`a revision must not be negative: ${event.revision}`);
      entries.push({ stream: event.stream, expected: event.revision === 0n ? 'no_stream' : (event.revision - 1n).toString(), count: 1 });
    }
    previous = event;
  }
  const expectedOf = (stream: string): ExpectedRevision | undefined => {
    const entry = entries.find((candidate) => candidate.stream === stream);
    return entry ? revisionOf(entry.expected) : undefined;
  };
  const rows = await withRetry(
    () =>
      appendManyRows(db, [
        tenant,
        entries.map((entry) => entry.stream),
        entries.map((entry) => entry.expected),
        entries.map((entry) => entry.count),
        events.map((event) => event.id),
        events.map((event) => event.type),
        jsonArray(events.map((event) => JSON.stringify(event.data ?? null))),
        jsonArray(events.map((event) => JSON.stringify(event.metadata ?? {}))),
        events.map((event) => event.recordedAt.toISOString()),
        true,
      ]),
    expectedOf,
  );
  const alreadyStored = rows.reduce((sum, row) => sum + row.already_stored, 0);
  return { appended: events.length - alreadyStored, alreadyStored };
}

/** Runs `append`, once more when two writers of the same event ids raced; typed errors out. */
async function withRetry<T>(append: () => Promise<T>, expectedOf: (stream: string) => ExpectedRevision | undefined): Promise<T> {
  try {
    return await append();
  } catch (error) {
    // Two writers of the same event ids raced; the loser's retry finds them stored.
    if (!isDuplicateIdRace(error)) throw translate(error, expectedOf);
    return await append().catch((retryError: unknown) => {
      throw translate(retryError, expectedOf);
    });
  }
}

function prepare(appends: readonly StreamAppend[]): PreparedAppend[] {
  if (appends.length === 0) throw new InvalidAppend('appendMany needs at least one stream');
  const streams = new Set(appends.map((append) => append.stream));
  if (streams.size !== appends.length) throw new InvalidAppend('a stream appears twice in one appendMany');
  const tenants = new Set(appends.map((append) => parseStreamName(append.stream)?.tenant));
  if (tenants.size > 1) throw new InvalidAppend('one appendMany writes to one tenant only');
  const ids = appends.flatMap((append) => append.events.map((event) => event.id));
  if (new Set(ids).size !== ids.length) throw new InvalidAppend('an event id appears twice in one appendMany');
  return appends.map((append) => ({ ...append, params: appendParameters(append.stream, append.events, append.expectedRevision) }));
}

function toResult(row: { revision: string; position: string; duplicate: boolean }): AppendResult {
  return { revision: BigInt(row.revision), position: row.position, duplicate: row.duplicate };
}

/** One statement, so one round trip and one transaction, however many streams. */
async function appendPrepared(db: Database, prepared: readonly PreparedAppend[]): Promise<Array<Pick<AppendManyRow, 'stream_name' | 'revision' | 'position' | 'duplicate'>>> {
  const recorded = prepared.some((append) => append.events.some((event) => event.recordedAt !== undefined));
  const [single] = prepared;
  if (prepared.length === 1 && single && !recorded) {
    const row = await db.one<{ revision: string; position: string; duplicate: boolean }>({ name: 'es-append', text: appendSql(), values: single.params });
    return [{ stream_name: single.stream, ...row }];
  }
  // Streams are locked in name order so that two multi-stream appends cannot deadlock.
  const order = [...prepared].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  const column = (index: number): unknown[] => order.flatMap((append) => append.params[index] as unknown[]);
  return await appendManyRows(db, [
    order[0]?.params[0],
    order.map((append) => append.stream),
    order.map((append) => append.params[2]),
    order.map((append) => append.events.length),
    column(3),
    column(4),
    jsonArray(column(5) as string[]),
    jsonArray(column(6) as string[]),
    // History with its own recording times (an import); null: the store's clock for every event.
    recorded ? order.flatMap((append) => append.events.map((event) => event.recordedAt?.toISOString() ?? null)) : null,
    false,
  ]);
}

/**
 * Events' JSON texts as one JSON array: es_append_many takes data and metadata so, because an
 * array parameter quotes and escapes every element on both sides (measured: about 10 µs of Node
 * CPU an event on an import).
 */
function jsonArray(texts: readonly string[]): string {
  return `[${texts.join(',')}]`;
}

/**
 * A named, prepared statement: node-postgres sends the arrays as parameters. Formatted into the
 * query text by pg-promise instead, a batch of 5,000 events became megabytes of SQL for the
 * server to parse, and the import ran at a quarter of its rate (bench/stockctl).
 */
async function appendManyRows(db: Database, values: unknown[]): Promise<AppendManyRow[]> {
  return await db.many<AppendManyRow>({ name: 'es-append-many', text: appendEntriesSql(), values });
}

const isDuplicateIdRace = (error: unknown): boolean =>
  (error as PgError).code === '23505' && (error as PgError).constraint === 'es_events_event_id_key';

function revisionOf(text: string): ExpectedRevision {
  return text === 'no_stream' || text === 'exists' || text === 'any' ? text : BigInt(text);
}

/** The store's typed errors for es_append's own error codes. */
function translate(error: unknown, expectedOf: (stream: string) => ExpectedRevision | undefined): unknown {
  const pgError = error as PgError;
  if (pgError.code === 'SCW01') {
    const detail = JSON.parse(pgError.detail ?? '{}') as { stream?: string; actual?: string | null; expected?: string };
    const stream = detail.stream ?? '';
    const actual = detail.actual === null || detail.actual === undefined ? 'no_stream' : BigInt(detail.actual);
    // es_append_many (0008) names the revision it checked; es_append does not.
    const expected = detail.expected === undefined ? expectedOf(stream) : revisionOf(detail.expected);
    return new WrongExpectedRevision(stream, expected ?? 'any', actual);
  }
  if (pgError.code === 'SCD01') return new DuplicateEventIds(pgError.detail ?? '');
  return error;
}
