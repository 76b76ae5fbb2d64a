/**
 * Appends of the PostgreSQL event store: one es_append() call for one stream, one
 * es_append_many() call for several, so one round trip and one transaction however many streams.
 */
import type { Database } from '../../database/connection.js';
import {
  DuplicateEventIds,
  InvalidAppend,
  WrongExpectedRevision,
  type AppendResult,
  type EventToAppend,
  type ExpectedRevision,
  type StreamAppend,
} from '../event-store.js';
import { parseStreamName } from '../stream-name.js';
import { appendManySql, appendSql } from './append.sql.js';
import { appendRecorded } from './append-recorded.js';

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
}

type PreparedAppend = StreamAppend & { readonly params: unknown[] };

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
  try {
    return await appendPrepared(db, prepared);
  } catch (error) {
    // Two writers of the same event ids raced; the loser's retry finds them stored.
    if (!isDuplicateIdRace(error)) throw translate(error, appends);
    return await appendPrepared(db, prepared).catch((retryError: unknown) => {
      throw translate(retryError, appends);
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
async function appendPrepared(db: Database, prepared: readonly PreparedAppend[]): Promise<AppendResult[]> {
  if (prepared.some((append) => append.events.some((event) => event.recordedAt !== undefined))) {
    // History with its own recording times (an import): es_append() would stamp now().
    const recorded = prepared.map((append) => ({ ...append, data: append.params[5] as string[], metadata: append.params[6] as string[] }));
    return await appendRecorded(db, prepared[0]?.params[0] as string, recorded);
  }
  const [single] = prepared;
  if (prepared.length === 1 && single) {
    return [toResult(await db.one({ name: 'es-append', text: appendSql(), values: single.params }))];
  }
  // Streams are locked in name order so that two multi-stream appends cannot deadlock.
  const order = [...prepared].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
  const column = (index: number): unknown[] => order.flatMap((append) => append.params[index] as unknown[]);
  const rows = await db.many<{ stream_name: string; revision: string; position: string; duplicate: boolean }>({
    name: 'es-append-many',
    text: appendManySql(),
    values: [
      order[0]?.params[0],
      order.map((append) => append.stream),
      order.map((append) => append.params[2]),
      order.map((append) => append.events.length),
      column(3),
      column(4),
      column(5),
      column(6),
    ],
  });
  const byStream = new Map(rows.map((row) => [row.stream_name, toResult(row)]));
  return prepared.map((append) => byStream.get(append.stream) as AppendResult);
}

const isDuplicateIdRace = (error: unknown): boolean =>
  (error as PgError).code === '23505' && (error as PgError).constraint === 'es_events_event_id_key';

/** The store's typed errors for es_append's own error codes. */
function translate(error: unknown, appends: readonly StreamAppend[]): unknown {
  const pgError = error as PgError;
  if (pgError.code === 'SCW01') {
    const detail = JSON.parse(pgError.detail ?? '{}') as { stream?: string; actual?: string | null };
    const append = appends.find((candidate) => candidate.stream === detail.stream);
    const actual = detail.actual === null || detail.actual === undefined ? 'no_stream' : BigInt(detail.actual);
    return new WrongExpectedRevision(detail.stream ?? '', append?.expectedRevision ?? 'any', actual);
  }
  if (pgError.code === 'SCD01') return new DuplicateEventIds(pgError.detail ?? '');
  return error;
}
