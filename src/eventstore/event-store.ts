/**
 * The EventStore port: what the rest of StockControl needs from an event store.
 *
 * Glossary
 * - tenant: one customer company, named by its slug; its events are exactly the streams with
 *   prefix `<tenant>:`, and no read of one tenant ever returns another's.
 * - stream: the ordered events of one aggregate, named `<tenant>:<category>-<id>`
 *   (see stream-name.ts), e.g. `isd:stock-BOLT-M8`.
 * - revision: an event's 0-based place in its stream; a stream's revision is that of its last
 *   event. A stream that does not exist has none (`no_stream`).
 * - expected revision: what a writer believed the stream's revision to be when it decided; an
 *   append whose belief is wrong stores nothing and throws {@link WrongExpectedRevision}.
 * - position: an event's place in the store's global order, as an opaque token (a decimal string).
 *   Tokens compare with {@link comparePositions}; a reader never finds a new event below a
 *   position it has already read.
 * - event id: a uuid chosen by the writer; appending ids already stored stores nothing again.
 * - head: the newest position readers can reach now ({@link EventStore.headPosition}); the last
 *   committed position can be ahead of it while an older transaction is still running.
 * - checkpoint (of a subscription): a position the store has scanned past with nothing more of
 *   the tenant's to deliver up to it ({@link SubscribeTenantOptions.onCheckpoint}). It may lie
 *   beyond the tenant's last event, among other tenants' events, and is as good a place to resume
 *   from as the last event delivered.
 *
 * Adapters live in folders named after their storage: postgres/ is the default, kurrentdb/ puts
 * the events in KurrentDB (`EVENT_STORE=kurrentdb`). Every adapter must pass the contract suite
 * in test/contract/event-store/.
 */
import type { Observable } from 'rxjs';

/** An opaque, ordered token for a place in the global order. `'0'` is before every event. */
export type Position = string;

/** The position before the first event. */
export const startPosition: Position = '0';

/** Orders two positions: negative when a comes first, 0 when equal, positive when b comes first. */
export function comparePositions(a: Position, b: Position): number {
  const difference = BigInt(a) - BigInt(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/** What the writer expects of the stream: its revision, or that it does not / does exist, or anything. */
export type ExpectedRevision = 'no_stream' | 'exists' | 'any' | bigint;

/** An event to append. The id makes appends idempotent: an id already stored is not stored again. */
export interface EventToAppend {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /**
   * When the event was first recorded, for history copied from another store (stockctl import):
   * the store records it with this time, so readers see the original recordedAt. Absent (every
   * command): the store's own clock. An adapter whose server stamps the time itself keeps the
   * given one beside the event and reads it back as recordedAt.
   */
  readonly recordedAt?: Date;
}

/** An event as stored. */
export interface RecordedEvent {
  readonly id: string;
  readonly stream: string;
  readonly revision: bigint;
  readonly position: Position;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly recordedAt: Date;
}

/** An event as stored, its data and metadata as the JSON text the store holds, not parsed. */
export interface RecordedEventText extends Omit<RecordedEvent, 'data' | 'metadata'> {
  readonly dataJson: string;
  readonly metadataJson: string;
}

/**
 * An optional capability of an adapter: tenant reads that hand data and metadata over as the JSON
 * text the store holds, for work that only copies them (export), where parsing and writing them
 * again is most of the cost. The text is JSON of the same values, not necessarily the bytes
 * JSON.stringify would write (PostgreSQL's jsonb text has spaces). Same order, guard and pages
 * as {@link EventStore.readTenant}. Test with {@link hasTenantTextReads}.
 */
export interface TenantTextReads {
  readTenantText(tenant: string, options?: { after?: Position; batchSize?: number }): AsyncIterable<RecordedEventText>;
}

/** Whether `store` has the {@link TenantTextReads} capability. */
export function hasTenantTextReads(store: EventStore): store is EventStore & TenantTextReads {
  return typeof (store as Partial<TenantTextReads>).readTenantText === 'function';
}

/** One page of {@link TenantJsonLines.readTenantJsonLines}. */
export interface EventJsonLinesPage {
  /** The events' JSON lines joined by '\n' (no newline after the last); '' for none. */
  readonly lines: string;
  readonly count: number;
  /** Positions of the page's first and last event ('0' when it has none). */
  readonly firstPosition: Position;
  readonly lastPosition: Position;
}

/**
 * An optional capability of an adapter: a tenant's events as JSON lines the store writes itself,
 * one per event, `{"id":…,"stream":…,"revision":"<decimal>","position":"<decimal>","type":…,
 * "data":…,"metadata":…,"recordedAt":"<ISO 8601, ms>"}`: strings escaped as JSON.stringify does,
 * data and metadata as the store's JSON text (the line {@link TenantTextReads} gives, built without
 * a value per column reaching Node). Pages in position order below the same read guard as
 * {@link EventStore.readTenant}, up to `upTo` (inclusive) and stopping before the first event
 * recorded (to the millisecond) after `recordedUntil`. Test with {@link hasTenantJsonLines}.
 */
export interface TenantJsonLines {
  readTenantJsonLines(tenant: string, options: { after?: Position; upTo: Position; recordedUntil?: Date; batchSize?: number }): AsyncIterable<EventJsonLinesPage>;
}

/** Whether `store` has the {@link TenantJsonLines} capability. */
export function hasTenantJsonLines(store: EventStore): store is EventStore & TenantJsonLines {
  return typeof (store as Partial<TenantJsonLines>).readTenantJsonLines === 'function';
}

/** An event copied from another store, with the revision it has there and must keep. */
export interface HistoryEvent extends EventToAppend {
  readonly stream: string;
  readonly revision: bigint;
  readonly recordedAt: Date;
}

/**
 * An optional capability of an adapter: appending a tenant's history copied from another store
 * (import) in the order given, each event at its own revision, so that a batch needs no cut where
 * streams interleave (appendMany takes each stream once, in an order of the adapter's choosing).
 * All or nothing. Events already stored under the same id, stream and revision (a rerun) are
 * left out and counted; an id stored elsewhere is {@link DuplicateEventIds}; an event that does
 * not continue its stream is {@link WrongExpectedRevision}. Test with {@link hasHistoryImport};
 * without it, import goes through appendMany.
 */
export interface HistoryImport {
  appendHistory(events: readonly HistoryEvent[]): Promise<{ readonly appended: number; readonly alreadyStored: number }>;
}

/** Whether `store` has the {@link HistoryImport} capability. */
export function hasHistoryImport(store: EventStore): store is EventStore & HistoryImport {
  return typeof (store as Partial<HistoryImport>).appendHistory === 'function';
}

/** The outcome of an append. */
export interface AppendResult {
  /** The stream's revision after the append. */
  readonly revision: bigint;
  /** The position of the last event appended. */
  readonly position: Position;
  /** True when every event id was already stored: nothing was written (a retried append). */
  readonly duplicate: boolean;
}

/** One stream's part of an {@link EventStore.appendMany}. */
export interface StreamAppend {
  readonly stream: string;
  readonly events: readonly EventToAppend[];
  readonly expectedRevision: ExpectedRevision;
}

/** Where {@link EventStore.subscribeTenant} starts, and whom it tells how far it has scanned. */
export interface SubscribeTenantOptions {
  /** Deliver the events after this position (default: from the start). */
  readonly after?: Position;
  /**
   * Called with a checkpoint (see the glossary): a position up to which every event of the tenant
   * has already been passed to the subscriber, in the order of delivery, so a subscriber that has
   * applied what it was given may resume from there. Checkpoints only grow, and the next event
   * delivered lies after the checkpoint. A store whose tenant reads cost nothing for other tenants'
   * events need never call it: PostgreSQL does not (a tenant's catch-up is a range of its own index,
   * whatever lies between); KurrentDB passes on its server's checkpoints, sent while a filtered
   * `$all` subscription scans past other tenants' events, so a quiet tenant's projector resumes
   * near the end of the log instead of rescanning it from its own last event.
   */
  readonly onCheckpoint?: (position: Position) => void;
}

/** Range of {@link EventStore.readStream}: revisions from..to inclusive, recorded at or before `until`. */
export interface ReadStreamOptions {
  readonly from?: bigint;
  readonly to?: bigint;
  readonly until?: Date;
}

/** The event store port; see the glossary at the top of this file for its terms. */
export interface EventStore {
  /** Appends to one stream if it is at the expected revision; else throws {@link WrongExpectedRevision}. */
  append(stream: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult>;
  /** Appends to several streams of one tenant atomically: all of them or none. */
  appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** The events of one stream in revision order; nothing for a stream that does not exist. */
  readStream(stream: string, options?: ReadStreamOptions): AsyncIterable<RecordedEvent>;
  /** One tenant's events after `after`, in position order, fetched `batchSize` at a time. */
  readTenant(tenant: string, options?: { after?: Position; batchSize?: number }): AsyncIterable<RecordedEvent>;
  /**
   * Catches up on a tenant's events after `after`, then follows new ones as they are committed;
   * tells `onCheckpoint` how far it has scanned where the store has such checkpoints.
   */
  subscribeTenant(tenant: string, options?: SubscribeTenantOptions): Observable<RecordedEvent>;
  /** The position of the tenant's (or, without a tenant, the store's) newest readable event. */
  headPosition(tenant?: string): Promise<Position>;
  /**
   * The position of the tenant's newest committed event. It can be ahead of headPosition while
   * an older transaction is still running: readers reach it once that one ends. Waiting for it
   * (X-Min-Position) therefore covers everything committed so far.
   */
  lastCommittedPosition(tenant: string): Promise<Position>;
  /** How many of the tenant's events lie after `after` and at or before `upTo` (for progress reports). */
  countEvents(tenant: string, range?: { after?: Position; upTo?: Position }): Promise<number>;
  /** The current revision of a stream, or undefined when it does not exist. */
  streamRevision(stream: string): Promise<bigint | undefined>;
  /** Releases connections and ends subscriptions. */
  close(): Promise<void>;
}

/** The stream was not at the revision the writer expected: someone else wrote first. */
export class WrongExpectedRevision extends Error {
  readonly code = 'wrong-expected-revision';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | 'no_stream',
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedRevision';
  }
}

/** Some, but not all, of the event ids of an append are already stored: a reused id, not a retry. */
export class DuplicateEventIds extends Error {
  readonly code = 'duplicate-event-ids';
  constructor(readonly stream: string) {
    super(`stream ${stream}: some of the event ids are already stored under other appends`);
    this.name = 'DuplicateEventIds';
  }
}

/** A malformed append (no events, a bad stream name, streams of several tenants in one appendMany). */
export class InvalidAppend extends Error {
  readonly code = 'invalid-append';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidAppend';
  }
}

/**
 * The event store's server cannot be reached at the moment (refused, broken or timed-out
 * connection, no leader): the request may be retried as it is later. `databaseUnavailable` is the
 * flag isConnectionError (src/projections/transient-error.ts) honours, so the API answers it 503
 * `unavailable` as it does a lost PostgreSQL, and projectors treat it as transient.
 */
export class EventStoreUnavailable extends Error {
  readonly code = 'event-store-unavailable';
  readonly databaseUnavailable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailable';
  }
}
