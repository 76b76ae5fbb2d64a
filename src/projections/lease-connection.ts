import type { Database } from '../database/connection.js';
import { releaseConnection } from '../database/release-connection.js';
import { notifyChannel } from '../eventstore/postgres/notifications.sql.js';
import type { Logger } from '../logger.js';

/** A direct connection of the daemon's own (its leases are session advisory locks on it). */
export type LeaseConnection = Awaited<ReturnType<Database['connect']>>;

/**
 * The connection that holds a projector daemon's leases (daemon.ts); when it breaks, every lease
 * is gone and `lost` is called. It also LISTENs for the event store's notifications (one per
 * tenant with new events) and hands each tenant to `notified`, so that a daemon takes tenants it
 * has not seen yet at once.
 */
export class LeaseHolder {
  private lease: LeaseConnection | undefined;
  private connecting: Promise<LeaseConnection> | undefined;
  /** The lease connection's statements, one after the other (node-postgres queues them, deprecated). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
    private readonly events: { readonly lost: () => void; readonly notified: (tenant: string) => void },
  ) {}

  /** The lease connection, opened (and listening) on first use and again after it broke. */
  async connection(): Promise<LeaseConnection> {
    if (this.lease) return this.lease;
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return await this.connecting;
  }

  /** The lease connection if it is open now (no attempt to open one). */
  current(): LeaseConnection | undefined {
    return this.lease;
  }

  /** Runs a statement on the lease connection after the ones before it. */
  run<T>(statement: () => Promise<T>): Promise<T> {
    const result = this.queue.then(statement, statement);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Closes the lease connection: every lease goes with it. */
  async close(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (lease) await releaseConnection(lease);
  }

  private async open(): Promise<LeaseConnection> {
    const lease = await this.db.connect({ direct: true });
    lease.client.on('error', (error) => {
      this.logger.warn({ err: error }, 'projector: lease connection lost; stopping every tenant until the leases are taken again');
      if (this.lease === lease) this.lease = undefined;
      this.events.lost();
    });
    lease.client.on('notification', (message) => {
      if (message.channel === notifyChannel && message.payload) this.events.notified(message.payload);
    });
    try {
      await lease.none('LISTEN $1:name', [notifyChannel]);
    } catch (error) {
      await releaseConnection(lease);
      throw error;
    }
    this.lease = lease;
    return lease;
  }
}
