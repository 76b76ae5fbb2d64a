/**
 * Live tenant subscriptions of the PostgreSQL event store: read pages until caught up with the
 * read guard, then wait for a wake-up (LISTEN/NOTIFY, or the store-wide poll, both through
 * AppendNotifications). An idle subscription sends no statement of its own.
 */
import { Observable } from 'rxjs';
import type { Database } from '../../database/connection.js';
import type { Position, RecordedEvent } from '../event-store.js';
import type { AppendNotifications } from './notifications.js';
import { hasEventsAfter, readTenantPage } from './reads.js';

/** What a subscription needs from its store. */
export interface TenantSubscriptionContext {
  readonly db: Database;
  readonly notifications: AppendNotifications;
  /** Events per read query. */
  readonly batchSize: number;
  /** Poll interval while committed events are held back by an older running transaction (ms). */
  readonly heldBackPollMs: number;
  /** The store's open subscriptions, each by the function that completes it when the store closes. */
  readonly closers: Set<() => void>;
}

/** A tenant's events after `after`, caught up and then followed live, each delivered once in position order. */
export function subscribeToTenant(context: TenantSubscriptionContext, tenant: string, after: Position): Observable<RecordedEvent> {
  const { db, notifications, batchSize, closers } = context;
  return new Observable<RecordedEvent>((subscriber) => {
    let cursor = after;
    let closed = false;
    let woken = true;
    let wake: (() => void) | undefined;
    const wakeups = notifications.wakeups(tenant).subscribe(() => {
      woken = true;
      wake?.();
    });
    const close = (): void => {
      closed = true;
      wakeups.unsubscribe();
      wake?.();
      subscriber.complete();
    };
    closers.add(close);

    const follow = async (): Promise<void> => {
      while (!closed) {
        woken = false;
        const events = await readTenantPage(db, tenant, cursor, batchSize);
        for (const event of events) {
          if (closed) return;
          cursor = event.position;
          subscriber.next(event);
        }
        if (events.length === batchSize) continue;
        // Caught up as far as the guard allows. Committed events behind an older running
        // transaction bring no further notification, so those alone are polled for, quickly;
        // otherwise only a wake-up (a notification or the store-wide poll) reads again.
        const heldBack = await hasEventsAfter(db, tenant, cursor);
        if (woken || closed) continue;
        await new Promise<void>((resolve) => {
          const timer = heldBack ? setTimeout(resolve, context.heldBackPollMs) : undefined;
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
      closers.delete(close);
      wakeups.unsubscribe();
      wake?.();
    };
  });
}
