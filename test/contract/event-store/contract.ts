/**
 * The event-store contract: every adapter of the EventStore port must pass it unchanged. An
 * adapter's test file calls {@link describeEventStoreContract} with its {@link EventStoreAdapter};
 * what only one adapter has (its SQL, its server) is tested in that file, not here.
 *
 * One module per requirement of DESIGN.md's Event store section (optimistic concurrency,
 * idempotency, no skipped events, live subscriptions), plus single-stream appends and reads,
 * appendMany, tenant reads, and appends that keep their recording time (imports).
 */
import { afterAll, beforeAll, describe } from '@jest/globals';
import { ContractSubject, type EventStoreAdapter } from './adapter.js';
import { describeAppendAndReadStream } from './append-and-read-stream.js';
import { describeAppendMany } from './append-many.js';
import { describeIdempotency } from './idempotency.js';
import { describeLiveSubscriptions } from './live-subscriptions.js';
import { describeNoSkippedEvents } from './no-skipped-events.js';
import { describeOptimisticConcurrency } from './optimistic-concurrency.js';
import { describeRecordedAt } from './recorded-at.js';
import { describeTenantReads } from './tenant-reads.js';

/** Declares the whole contract suite for `adapter`, opened once for all its tests. */
export function describeEventStoreContract(adapter: EventStoreAdapter): void {
  describe(`EventStore contract: ${adapter.name}`, () => {
    const subject = new ContractSubject(adapter);
    beforeAll(async () => {
      await subject.open();
    });
    afterAll(async () => {
      await subject.cleanup();
    });

    describeAppendAndReadStream(subject);
    describeOptimisticConcurrency(subject);
    describeIdempotency(subject);
    describeAppendMany(subject);
    describeTenantReads(subject);
    describeLiveSubscriptions(subject);
    describeNoSkippedEvents(subject);
    describeRecordedAt(subject);
  });
}
