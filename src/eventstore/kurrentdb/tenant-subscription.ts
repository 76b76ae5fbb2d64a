/**
 * Live tenant subscriptions of the KurrentDB adapter: one filtered `$all` subscription per
 * subscriber (prefix `<tenant>:`), which the server runs as catch-up and then live.
 *
 * The server also sends checkpoints while it scans past other tenants' and system events (the
 * client's `checkpointInterval` multiplies the server's search window of events considered). A dropped
 * subscription (server restart, leader change) is resubscribed from the later of the last event
 * delivered and the last checkpoint, so a quiet tenant does not have the server rescan the log it
 * had already passed; events at or below the last one delivered are never delivered again.
 * Checkpoints beyond the last event delivered are also passed on to the subscriber's
 * `onCheckpoint` (the projector records them, so that a restart resumes there too), each only
 * once every event the client received before it has been delivered.
 */
import { streamNameFilter, type AllStreamSubscription, type KurrentDBClient, type Position as LogPosition } from '@kurrent/kurrentdb-client';
import { Observable } from 'rxjs';
import type { Logger } from '../../logger.js';
import type { Position, RecordedEvent, SubscribeTenantOptions } from '../event-store.js';
import { tenantStreamPrefix } from '../stream-name.js';
import { isUnreachable, translateClientError } from './errors.js';
import { cursorOf, isAfter } from './positions.js';
import { toRecordedEvent } from './recorded-events.js';

/** What a subscription needs from its store. */
export interface TenantSubscriptionContext {
  readonly client: KurrentDBClient;
  readonly logger: Logger;
  /** Checkpoint interval as the client takes it (a multiplier of the server's 32-event window). */
  readonly checkpointInterval: number;
  /** Wait before resubscribing after the server could not be reached (ms). */
  readonly resubscribeDelayMs: number;
  /** The store's open subscriptions, each by the function that completes it when the store closes. */
  readonly closers: Set<() => void>;
}

/** A tenant's events after `after`, caught up and then followed live, each delivered once in position order. */
export function subscribeToTenant(context: TenantSubscriptionContext, tenant: string, after: Position, onCheckpoint?: SubscribeTenantOptions['onCheckpoint']): Observable<RecordedEvent> {
  const { client, closers } = context;
  return new Observable<RecordedEvent>((subscriber) => {
    let delivered = after;
    // Where a resubscription starts: the exact place of the last event or checkpoint.
    let resumeAt = cursorOf(after);
    let resumeToken = after;
    let closed = false;
    let current: AllStreamSubscription | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;

    const stop = (): void => {
      closed = true;
      if (retry) clearTimeout(retry);
      const subscription = current;
      current = undefined;
      subscription?.unsubscribe().catch(() => undefined);
    };
    const close = (): void => {
      stop();
      subscriber.complete();
    };
    closers.add(close);

    const start = (): void => {
      const subscription = client.subscribeToAll({
        fromPosition: resumeAt,
        filter: streamNameFilter({
          prefixes: [tenantStreamPrefix(tenant)],
          checkpointInterval: context.checkpointInterval,
          checkpointReached: async (reached: AllStreamSubscription, position: LogPosition) => {
            // A checkpoint's prepare position may be 0 (KurrentDB issue #3989): its commit says how
            // far the scan got. (On the stand-in, whose events of one write share a commit position,
            // the commit is the conservative token: a resumption re-reads that write, never skips it.)
            const token = position.commit.toString();
            if (!isAfter(token, resumeToken)) return;
            // Events received before the checkpoint may still wait in the client stream's buffer
            // ('data' comes on a later tick); the client awaits this callback before it reads on.
            while (reached.readableLength > 0 && !closed) await new Promise((resolve) => setImmediate(resolve));
            if (closed || current !== reached || !isAfter(token, resumeToken)) return;
            resumeAt = position;
            resumeToken = token;
            onCheckpoint?.(token);
          },
        }),
      });
      current = subscription;
      subscription.on('data', (resolved) => {
        if (closed) return;
        const event = toRecordedEvent(resolved);
        if (!event || !isAfter(event.position, delivered)) return;
        delivered = event.position;
        if (isAfter(event.position, resumeToken) && resolved.event?.position) {
          resumeAt = resolved.event.position;
          resumeToken = event.position;
        }
        subscriber.next(event);
      });
      subscription.on('error', (error: unknown) => {
        if (closed || current !== subscription) return;
        current = undefined;
        if (isUnreachable(error)) {
          context.logger.warn({ err: error, tenant }, 'KurrentDB subscription dropped; resubscribing');
          retry = setTimeout(start, context.resubscribeDelayMs);
          return;
        }
        closed = true;
        closers.delete(close);
        subscriber.error(translateClientError(error, `subscribe to tenant ${tenant}`));
      });
    };
    start();

    return () => {
      closers.delete(close);
      stop();
    };
  });
}
