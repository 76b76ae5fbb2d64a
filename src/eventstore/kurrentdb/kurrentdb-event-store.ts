import { KurrentDBClient } from '@kurrent/kurrentdb-client';
import type { Observable } from 'rxjs';
import type { Logger } from '../../logger.js';
import {
  InvalidAppend,
  startPosition,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type Position,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeTenantOptions,
} from '../event-store.js';
import { appendToStreams, type AppendContext } from './append.js';
import { EventIdLedger } from './event-id-ledger.js';
import { countTenantEvents, headPosition, positionAt, readStreamEvents, readStreamIds, readTenantEvents, streamRevision } from './reads.js';
import { subscribeToTenant, type TenantSubscriptionContext } from './tenant-subscription.js';

/** Tuning of the KurrentDB adapter. */
export interface KurrentDbEventStoreOptions {
  /** Events per page of the plain reads (the idempotency ledger's, countEvents). */
  readonly batchSize?: number;
  /** Event ids the idempotency ledger keeps in memory across streams (see event-id-ledger.ts). */
  readonly ledgerCapacity?: number;
  /** Checkpoint interval of tenant subscriptions, as the client takes it. */
  readonly checkpointInterval?: number;
  /** Wait before a dropped subscription is resubscribed (ms). */
  readonly resubscribeDelayMs?: number;
}

/**
 * The event store on KurrentDB (25.1+; EventStoreDB 24 for everything but appendMany, which it
 * refuses) through `@kurrent/kurrentdb-client`. Read schemas and the control plane stay in
 * PostgreSQL; only events live here. It wires the parts, each in its own module: appends
 * (append.ts, with the idempotency ledger of event-id-ledger.ts), reads (reads.ts), live
 * subscriptions (tenant-subscription.ts); positions are commit positions (positions.ts).
 *
 * Positions are taken at commit, so no reader can pass an event that commits later: the readable
 * head and the last committed position are the same.
 */
export class KurrentDbEventStore implements EventStore {
  private readonly appends: AppendContext;
  private readonly subscriptions: TenantSubscriptionContext;
  private readonly batchSize: number;

  constructor(
    private readonly client: KurrentDBClient,
    logger: Logger,
    options: KurrentDbEventStoreOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 1000;
    const ledger = new EventIdLedger((stream, from) => readStreamIds(client, this.batchSize, stream, from), options.ledgerCapacity);
    this.appends = { client, ledger, positionAt: (stream, revision) => positionAt(client, stream, revision) };
    this.subscriptions = {
      client,
      logger,
      checkpointInterval: options.checkpointInterval ?? 1,
      resubscribeDelayMs: options.resubscribeDelayMs ?? 1000,
      closers: new Set(),
    };
  }

  /** Connects to the server of `connectionString` (`kurrentdb://host:port?tls=false`, or a cluster's `kurrentdb+discover://…`). */
  static connect(connectionString: string, logger: Logger, options: KurrentDbEventStoreOptions = {}): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString), logger, options);
  }

  async append(stream: string, events: readonly EventToAppend[], options: { expectedRevision: ExpectedRevision }): Promise<AppendResult> {
    const [result] = await this.appendMany([{ stream, events, expectedRevision: options.expectedRevision }]);
    if (!result) throw new InvalidAppend('append returned no result');
    return result;
  }

  async appendMany(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    return await appendToStreams(this.appends, appends);
  }

  readStream(stream: string, options: ReadStreamOptions = {}): AsyncIterable<RecordedEvent> {
    return readStreamEvents(this.client, this.batchSize, stream, options);
  }

  readTenant(tenant: string, options: { after?: Position; batchSize?: number } = {}): AsyncIterable<RecordedEvent> {
    return readTenantEvents(this.client, options.batchSize ?? this.batchSize, tenant, options.after ?? startPosition);
  }

  subscribeTenant(tenant: string, options: SubscribeTenantOptions = {}): Observable<RecordedEvent> {
    return subscribeToTenant(this.subscriptions, tenant, options.after ?? startPosition, options.onCheckpoint);
  }

  async headPosition(tenant?: string): Promise<Position> {
    return await headPosition(this.client, tenant);
  }

  async lastCommittedPosition(tenant: string): Promise<Position> {
    return await headPosition(this.client, tenant);
  }

  async countEvents(tenant: string, range: { after?: Position; upTo?: Position } = {}): Promise<number> {
    return await countTenantEvents(this.client, tenant, this.batchSize, range.after, range.upTo);
  }

  async streamRevision(stream: string): Promise<bigint | undefined> {
    return await streamRevision(this.client, stream);
  }

  async close(): Promise<void> {
    const { closers } = this.subscriptions;
    for (const close of [...closers]) close();
    closers.clear();
    await this.client.dispose();
  }
}
