import { Observable } from 'rxjs';
import type { Database } from '../../database/connection.js';
import { releaseConnection } from '../../database/release-connection.js';
import type { Logger } from '../../logger.js';
import { listenSql, notifyChannel, notifySql } from './notifications.sql.js';
import { StorePoll, type PollWakeup } from './store-poll.js';

type Listener = Awaited<ReturnType<Database['connect']>>;

/** The least time between two NOTIFY statements of this process (ms): at most 50 a second, each waking other processes' subscribers (this process wakes its own at once). */
const notifyIntervalMs = 20;

/** A subscriber's wake-up call. */
type Wake = () => void;

/**
 * Wake-ups for tenant subscriptions, sent and received.
 *
 * Receiving: one LISTEN connection per process, shared by every tenant subscription. It is opened
 * when the first subscriber arrives and closed when the last one leaves; a broken connection is
 * reopened, and then every subscriber is woken because notifications may have been lost meanwhile.
 * Under it, one store-wide poll per process (store-poll.ts) every `idlePollMs` names the tenants
 * with events no notification may have announced, and wakes only their subscribers. A wake-up
 * reaches a tenant's subscribers through a map by tenant: its cost does not grow with the others.
 *
 * Sending: after an append commits, its writer wakes this process's subscribers at once and
 * sends NOTIFY for the tenant, coalesced: appends that commit in the same turn of the event loop
 * share one statement, one notification per tenant. A notification is only a hint to read now; a
 * lost one (the process died right after its commit) costs a subscriber up to one poll interval.
 */
export class AppendNotifications {
  /** Each tenant's subscribers; a tenant without any has no entry. */
  private readonly subscribers = new Map<string, Set<Wake>>();
  private subscriberCount = 0;
  private readonly pending = new Set<string>();
  private readonly poll: StorePoll;
  private flushing = false;
  private listener: Listener | undefined;
  private connecting: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    idlePollMs = 1000,
  ) {
    this.poll = new StorePoll(db, logger, idlePollMs, (wakeup) => this.wakePolled(wakeup));
  }

  /** Emits each time events of `tenant` may have been committed. */
  wakeups(tenant: string): Observable<void> {
    return new Observable<void>((subscriber) => {
      const wake: Wake = () => subscriber.next();
      let tenantSubscribers = this.subscribers.get(tenant);
      if (!tenantSubscribers) {
        tenantSubscribers = new Set();
        this.subscribers.set(tenant, tenantSubscribers);
      }
      const own = tenantSubscribers;
      own.add(wake);
      this.subscriberCount += 1;
      this.ensureListening();
      if (!this.closed) this.poll.start();
      return () => {
        own.delete(wake);
        if (own.size === 0 && this.subscribers.get(tenant) === own) this.subscribers.delete(tenant);
        this.subscriberCount -= 1;
        if (this.subscriberCount === 0) {
          this.poll.stop();
          void this.stopListening();
        }
      };
    });
  }

  /** Wakes the subscribers of one tenant; a copy, for a wake-up may unsubscribe. */
  private wakeTenant(tenant: string): void {
    const tenantSubscribers = this.subscribers.get(tenant);
    if (!tenantSubscribers || this.closed) return;
    for (const wake of [...tenantSubscribers]) wake();
  }

  private wakeEveryone(): void {
    for (const tenant of [...this.subscribers.keys()]) this.wakeTenant(tenant);
  }

  private wakePolled(wakeup: PollWakeup): void {
    if (wakeup === 'everyone') this.wakeEveryone();
    else for (const tenant of wakeup.tenants) this.wakeTenant(tenant);
  }

  /** Tells every subscriber of `tenant`, here and in other processes, that it has new events. */
  appended(tenant: string): void {
    this.wakeTenant(tenant);
    this.pending.add(tenant);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => void this.flush());
    }
  }

  private async flush(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      const tenants = [...this.pending];
      this.pending.clear();
      try {
        await this.db.any({ name: 'es-notify', text: notifySql(), values: [tenants] });
      } catch (error) {
        this.logger.warn({ err: error, tenants }, 'could not NOTIFY subscribers of other processes; their store-wide poll finds the events');
      }
      // Each NOTIFY is a transaction that waits for its commit under a server-wide lock: under
      // load, one per tenant every few milliseconds is plenty for a wake-up.
      if (this.pending.size > 0) await new Promise((resolve) => setTimeout(resolve, notifyIntervalMs));
    }
    this.flushing = false;
  }

  /** Stops listening for good. */
  async close(): Promise<void> {
    this.closed = true;
    this.poll.stop();
    await this.stopListening();
  }

  private ensureListening(): void {
    if (this.listener || this.connecting || this.closed) return;
    this.connecting = this.listen()
      .catch((error: unknown) => {
        this.logger.warn({ err: error }, 'could not LISTEN for appended events; retrying in 1 s');
        setTimeout(() => this.ensureListening(), 1000).unref();
      })
      .finally(() => {
        this.connecting = undefined;
      });
  }

  private async listen(): Promise<void> {
    const listener = await this.db.connect({ direct: true });
    listener.client.on('notification', (message) => {
      if (message.channel === notifyChannel && message.payload) this.wakeTenant(message.payload);
    });
    listener.client.on('error', (error) => {
      this.logger.warn({ err: error }, 'the LISTEN connection failed; reconnecting');
      if (this.listener === listener) this.listener = undefined;
      void releaseConnection(listener);
      if (this.subscriberCount > 0) this.ensureListening();
    });
    try {
      await listener.none(listenSql(), [notifyChannel]);
    } catch (error) {
      // The caller retries in a second: this connection must not be left open behind it.
      await releaseConnection(listener);
      throw error;
    }
    if (this.closed || this.subscriberCount === 0) {
      await listener.done();
      return;
    }
    this.listener = listener;
    // Anything committed while there was no listener would otherwise wait for the store-wide poll.
    this.wakeEveryone();
  }

  private async stopListening(): Promise<void> {
    await this.connecting;
    // A subscriber may have arrived while this waited: it needs the connection.
    if (this.subscriberCount > 0 && !this.closed) return;
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await releaseConnection(listener);
  }
}
