import { Observable } from 'rxjs';
import type { Database } from '../../database/connection.js';
import type { Logger } from '../../logger.js';
import {
  DuplicateEventIds,
  InvalidAppend,
  WrongExpectedRevision,
  startPosition,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
} from '../event-store.js';
import { parseStreamName } from '../stream-name.js';
import { AppendNotifications } from './notifications.js';
import {
  appendManySql,
  appendSql,
  countEventsSql,
  hasEventsAfterSql,
  readStreamBatchSql,
  readTenantBatchSql,
  storeHeadSql,
  streamRevisionSql,
  tenantHeadSql,
  tenantLastCommittedSql,
} from './event-store.sql.js';

/** Tuning of the PostgreSQL adapter. */
export interface PostgresEventStoreOptions {
  /** Events per read query (readTenant, subscriptions, readStream); 5,000 read fastest in bench/eventstore. */
  readonly batchSize?: number;
  /** Poll interval when no notification arrives, a safety net only (ms). */
  readonly idlePollMs?: number;
  /** Poll interval while committed events are held back by an older running transaction (ms). */
  readonly heldBackPollMs?: number;
}

type EventRow = [string, string, string, string, string, unknown, Record<string, unknown>, number];

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    position: row[0],
    stream: row[1],
    revision: BigInt(row[2]),
    id: row[3],
    type: row[4],
    data: row[5],
    metadata: row[6],
    recordedAt: new Date(row[7]),
  };
}

function expectedText(expected: ExpectedRevision): string {
  if (typeof expected === 'bigint') {
    if (expected < 0n) throw new InvalidAppend(`expected revision must not be negative: ${expected}`);
    return expected.toString();
  }
  return expected;
}

interface PgError {
  code?: string;
  detail?: string;
  constraint?: string;
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

const isDuplicateIdRace = (error: unknown): boolean =>
  (error as PgError).code === '23505' && (error as PgError).constraint === 'es_events_event_id_key';

/**
 * The event store on PostgreSQL: the default adapter, and the one behind the embedded database.
 * Appends are one call of es_append() each; reads page through es_events under the read guard
 * described in event-store.sql.ts; subscriptions wake on LISTEN/NOTIFY.
 */
export class PostgresEventStore implements EventStore {
  private readonly notifications: AppendNotifications;
  private readonly batchSize: number;
  private readonly idlePollMs: number;
  private readonly heldBackPollMs: number;
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly db: Database,
    logger: Logger,
    options: PostgresEventStoreOptions = {},
  ) {
    this.notifications = new AppendNotifications(db, logger);
    this.batchSize = options.batchSize ?? 5000;
    this.idlePollMs = options.idlePollMs ?? 1000;
    this.heldBackPollMs = options.heldBackPollMs ?? 10;
  }

  async append(stream: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appendMany([{ stream, events, expectedRevision: options.expectedRevision }]);
    if (!result) throw new InvalidAppend('append returned no result');
    return result;
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const prepared = this.prepare(appends);
    let results: AppendResult[];
    try {
      results = await this.appendPrepared(prepared);
    } catch (error) {
      // Two writers of the same event ids raced; the loser's retry finds them stored.
      if (!isDuplicateIdRace(error)) throw this.translate(error, appends);
      results = await this.appendPrepared(prepared).catch((retryError: unknown) => {
        throw this.translate(retryError, appends);
      });
    }
    const tenant = parseStreamName(appends[0]?.stream ?? '')?.tenant;
    if (tenant && results.some((result) => !result.duplicate)) this.notifications.appended(tenant);
    return results;
  }

  private prepare(appends: readonly StreamAppend[]): Array<StreamAppend & { params: unknown[] }> {
    if (appends.length === 0) throw new InvalidAppend('appendMany needs at least one stream');
    const streams = new Set(appends.map((append) => append.stream));
    if (streams.size !== appends.length) throw new InvalidAppend('a stream appears twice in one appendMany');
    const tenants = new Set(appends.map((append) => parseStreamName(append.stream)?.tenant));
    if (tenants.size > 1) throw new InvalidAppend('one appendMany writes to one tenant only');
    const ids = appends.flatMap((append) => append.events.map((event) => event.id));
    if (new Set(ids).size !== ids.length) throw new InvalidAppend('an event id appears twice in one appendMany');
    return appends.map((append) => ({ ...append, params: appendParameters(append.stream, append.events, append.expectedRevision) }));
  }

  /** One statement, so one round trip and one transaction, however many streams. */
  private async appendPrepared(prepared: ReadonlyArray<StreamAppend & { params: unknown[] }>): Promise<AppendResult[]> {
    const toResult = (row: { revision: string; position: string; duplicate: boolean }): AppendResult => ({
      revision: BigInt(row.revision),
      position: row.position,
      duplicate: row.duplicate,
    });
    const [single] = prepared;
    if (prepared.length === 1 && single) {
      return [toResult(await this.db.one({ name: 'es-append', text: appendSql, values: single.params }))];
    }
    // Streams are locked in name order so that two multi-stream appends cannot deadlock.
    const order = [...prepared].sort((a, b) => (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0));
    const column = (index: number): unknown[] => order.flatMap((append) => append.params[index] as unknown[]);
    const rows = await this.db.many<{ stream_name: string; revision: string; position: string; duplicate: boolean }>({
      name: 'es-append-many',
      text: appendManySql,
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

  /** The store's typed errors for es_append's own error codes. */
  private translate(error: unknown, appends: readonly StreamAppend[]): unknown {
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

  async *readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    let from = options.from ?? 0n;
    const to = options.to ?? 9_223_372_036_854_775_807n;
    const until = options.until ?? new Date('9999-12-31T00:00:00Z');
    for (;;) {
      const rows = await this.rows(readStreamBatchSql, [stream, from.toString(), to.toString(), until, this.batchSize]);
      for (const row of rows) yield toRecordedEvent(row);
      const last = rows.at(-1);
      if (rows.length < this.batchSize || !last) return;
      from = BigInt(last[2]) + 1n;
    }
  }

  async *readTenant(tenant: string, options: { after?: Position; batchSize?: number } = {}): AsyncIterable<RecordedEvent> {
    const batchSize = options.batchSize ?? this.batchSize;
    let next = this.rows(readTenantBatchSql, [tenant, options.after ?? startPosition, batchSize]);
    for (;;) {
      const rows = await next;
      const last = rows.at(-1);
      if (!last) return;
      // Fetch the next page while the caller works through this one.
      if (rows.length === batchSize) next = this.rows(readTenantBatchSql, [tenant, last[0], batchSize]);
      for (const row of rows) yield toRecordedEvent(row);
      if (rows.length < batchSize) return;
    }
  }

  subscribeTenant(tenant: string, options: { after?: Position } = {}): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      let cursor = options.after ?? startPosition;
      let closed = false;
      let woken = true;
      let wake: (() => void) | undefined;
      const wakeups = this.notifications.wakeups(tenant).subscribe(() => {
        woken = true;
        wake?.();
      });
      const close = (): void => {
        closed = true;
        wakeups.unsubscribe();
        wake?.();
        subscriber.complete();
      };
      this.closers.add(close);

      const follow = async (): Promise<void> => {
        while (!closed) {
          woken = false;
          const rows = await this.rows(readTenantBatchSql, [tenant, cursor, this.batchSize]);
          for (const row of rows) {
            if (closed) return;
            cursor = row[0];
            subscriber.next(toRecordedEvent(row));
          }
          if (rows.length === this.batchSize) continue;
          // Caught up as far as the guard allows. Committed events behind an older running
          // transaction bring no further notification, so those are polled for quickly.
          const heldBack = (await this.db.one<{ more: boolean }>(hasEventsAfterSql, [tenant, cursor])).more;
          if (woken || closed) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, heldBack ? this.heldBackPollMs : this.idlePollMs);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wake = undefined;
        }
      };
      follow().catch((error: unknown) => {
        if (!closed) subscriber.error(error);
      });

      return () => {
        closed = true;
        this.closers.delete(close);
        wakeups.unsubscribe();
        wake?.();
      };
    });
  }

  async headPosition(tenant?: string): Promise<Position> {
    const row =
      tenant === undefined
        ? await this.db.one<{ head: string }>(storeHeadSql)
        : await this.db.one<{ head: string }>(tenantHeadSql, [tenant]);
    return row.head;
  }

  async lastCommittedPosition(tenant: string): Promise<Position> {
    return (await this.db.one<{ head: string }>(tenantLastCommittedSql, [tenant])).head;
  }

  async countEvents(tenant: string, range: { after?: Position; upTo?: Position } = {}): Promise<number> {
    const upTo = range.upTo ?? '9223372036854775807';
    return (await this.db.one<{ n: number }>(countEventsSql, [tenant, range.after ?? startPosition, upTo])).n;
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    const row = await this.db.oneOrNone<{ revision: string }>(streamRevisionSql, [stream]);
    return row ? BigInt(row.revision) : undefined;
  }

  async close(): Promise<void> {
    for (const close of [...this.closers]) close();
    this.closers.clear();
    await this.notifications.close();
  }

  private async rows(text: string, values: unknown[]): Promise<EventRow[]> {
    const result = await this.db.result({ text, values, rowMode: 'array' } as never);
    return result.rows as unknown as EventRow[];
  }
}
