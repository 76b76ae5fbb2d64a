import type { Observable } from 'rxjs';
import type { Database } from '../../database/connection.js';
import type { Logger } from '../../logger.js';
import {
  InvalidAppend,
  startPosition,
  type AppendResult,
  type EventJsonLinesPage,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadStreamOptions,
  type RecordedEvent,
  type RecordedEventText,
  type HistoryEvent,
  type HistoryImport,
  type StreamAppend,
  type TenantJsonLines,
  type TenantTextReads,
} from '../event-store.js';
import { parseStreamName } from '../stream-name.js';
import { appendHistory, appendToStreams } from './append.js';
import { AppendNotifications } from './notifications.js';
import { countTenantEvents, currentRevision, lastCommitted, readableHead, readStreamEvents, readTenantEvents, readTenantEventTexts, readTenantJsonLinePages } from './reads.js';
import { subscribeToTenant, type TenantSubscriptionContext } from './tenant-subscription.js';

/** Tuning of the PostgreSQL adapter. */
export interface PostgresEventStoreOptions {
  /** Events per read query (readTenant, subscriptions, readStream); 5,000 read fastest in bench/eventstore. */
  readonly batchSize?: number;
  /** Interval of the store-wide poll for events no notification announced, a safety net only (ms): one statement per process, not per subscription. */
  readonly idlePollMs?: number;
  /** Poll interval while committed events are held back by an older running transaction (ms). */
  readonly heldBackPollMs?: number;
}

/**
 * The event store on PostgreSQL: the default adapter, and the one behind the embedded database.
 * It wires the parts, each in its own module: appends (append.ts: one es_append() or
 * es_append_many() call each, history imports included), reads (reads.ts: pages of es_events
 * under the read guard described in reads.sql.ts), live subscriptions (tenant-subscription.ts)
 * and their LISTEN/NOTIFY wake-ups (notifications.ts) with one store-wide poll under them
 * (store-poll.ts).
 */
export class PostgresEventStore implements EventStore, TenantTextReads, TenantJsonLines, HistoryImport {
  private readonly notifications: AppendNotifications;
  private readonly subscriptions: TenantSubscriptionContext;

  constructor(
    private readonly db: Database,
    logger: Logger,
    options: PostgresEventStoreOptions = {},
  ) {
    this.notifications = new AppendNotifications(db, logger, options.idlePollMs ?? 1000);
    this.subscriptions = {
      db,
      notifications: this.notifications,
      batchSize: options.batchSize ?? 5000,
      heldBackPollMs: options.heldBackPollMs ?? 10,
      closers: new Set(),
    };
  }

  async append(stream: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appendMany([{ stream, events, expectedRevision: options.expectedRevision }]);
    if (!result) throw new InvalidAppend('append returned no result');
    return result;
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    const results = await appendToStreams(this.db, appends);
    const tenant = parseStreamName(appends[0]?.stream ?? '')?.tenant;
    if (tenant && results.some((result) => !result.duplicate)) this.notifications.appended(tenant);
    return results;
  }

  /** HistoryImport: another store's history in the order given, at its revisions (append.ts: es_append_many in history mode). */
  async appendHistory(events: readonly HistoryEvent[]): Promise<{ appended: number; alreadyStored: number }> {
    const result = await appendHistory(this.db, events);
    const tenant = parseStreamName(events[0]?.stream ?? '')?.tenant;
    if (tenant && result.appended > 0) this.notifications.appended(tenant);
    return result;
  }

  readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    return readStreamEvents(this.db, this.subscriptions.batchSize, stream, options);
  }

  readTenant(tenant: string, options: { after?: Position; batchSize?: number } = {}): AsyncIterable<RecordedEvent> {
    return readTenantEvents(this.db, tenant, options.after ?? startPosition, options.batchSize ?? this.subscriptions.batchSize);
  }

  /** TenantTextReads: data and metadata as jsonb text, for export. */
  readTenantText(tenant: string, options: { after?: Position; batchSize?: number } = {}): AsyncIterable<RecordedEventText> {
    return readTenantEventTexts(this.db, tenant, options.after ?? startPosition, options.batchSize ?? this.subscriptions.batchSize);
  }

  /** TenantJsonLines: export lines built by PostgreSQL, a page at a time. */
  readTenantJsonLines(tenant: string, options: { after?: Position; upTo: Position; recordedUntil?: Date; batchSize?: number }): AsyncIterable<EventJsonLinesPage> {
    return readTenantJsonLinePages(this.db, tenant, {
      after: options.after ?? startPosition,
      upTo: options.upTo,
      recordedUntil: options.recordedUntil,
      batchSize: options.batchSize ?? this.subscriptions.batchSize,
    });
  }

  subscribeTenant(tenant: string, options: { after?: Position } = {}): Observable<RecordedEvent> {
    return subscribeToTenant(this.subscriptions, tenant, options.after ?? startPosition);
  }

  async headPosition(tenant?: string): Promise<Position> {
    return await readableHead(this.db, tenant);
  }

  async lastCommittedPosition(tenant: string): Promise<Position> {
    return await lastCommitted(this.db, tenant);
  }

  async countEvents(tenant: string, range: { after?: Position; upTo?: Position } = {}): Promise<number> {
    return await countTenantEvents(this.db, tenant, range.after, range.upTo);
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    return await currentRevision(this.db, stream);
  }

  async close(): Promise<void> {
    const { closers } = this.subscriptions;
    for (const close of [...closers]) close();
    closers.clear();
    await this.notifications.close();
  }
}
