import type { Subscription } from 'rxjs';
import type { Database } from '../database/connection.js';
import type { EventStore, Position } from '../eventstore/event-store.js';
import type { Logger } from '../logger.js';
import { BuildSlots } from './build-slots.js';
import { releaseLeaseSql, tenantsAndLivePointersSql, tryLeasesSql } from './daemon.sql.js';
import { LeaseHolder, type LeaseConnection } from './lease-connection.js';
import { ProjectionFailed, type ReadSchemas } from './read-schemas.js';
import { followSchema } from './schema-follower.js';
import { OlderVersionRefused, SwitchDeferred } from './switch-refusals.js';
import { isTransientDatabaseError } from './transient-error.js';

/**
 * serve: keep every tenant's live schema current; a tenant whose live schema is of another
 * version (or that has none) gets one of this version built beside it and switched to.
 * prepare: build this version's schemas and keep them current without making them live, while a
 * process of the old version serves (`stockctl projections prepare`).
 */
export type DaemonMode = 'serve' | 'prepare';

/** What the daemon is doing for one tenant. */
export interface TenantProjection {
  readonly tenant: string;
  readonly state: 'waiting-for-lease' | 'building' | 'following' | 'failed' | 'superseded';
  readonly schema?: string;
  readonly error?: string;
}

/** Tuning of the daemon. */
export interface DaemonOptions {
  readonly mode?: DaemonMode;
  /**
   * How often a lease held elsewhere is tried again, and tenants are looked for that no
   * notification announced (ms). New tenants are taken at once: see {@link ProjectorDaemon.follow}.
   */
  readonly leaseRetryMs?: number;
  /** At most this many events per applied batch while following. */
  readonly batchSize?: number;
  /** At most this many tenants built or caught up at once (default 4); the rest of the pool stays free for requests. */
  readonly concurrentBuilds?: number;
  /** At most one store checkpoint recorded per tenant in this time (ms, default 1000): see store-checkpoints.ts. */
  readonly checkpointEveryMs?: number;
}

/** A row of the scan: a tenant and its live pointer, if it has one. */
interface ScannedTenant {
  readonly tenant: string;
  readonly live_schema: string | null;
  readonly live_version: string | null;
}

interface Worker {
  state: TenantProjection['state'];
  schema?: string;
  error?: string;
  subscription?: Subscription;
  busy?: Promise<void>;
  /** A lease attempt for this tenant is under way (a scan's or a notification's): no second one. */
  claiming?: boolean;
}

/**
 * The projector daemon: follows every tenant's events into its read schema. Exactly one daemon
 * works on a (tenant, version) at a time: it holds a session advisory lock for it on a connection
 * of its own, so when its process dies the lock goes with the connection and another daemon takes
 * the tenant over on its next try (every `leaseRetryMs`). A tenant it has not seen yet is taken at
 * once: the process that registers it says so ({@link ProjectorDaemon.follow}), and every daemon
 * listens on its lease connection for the event store's per-tenant NOTIFY after appends, so a
 * tenant's first events start its projector in any process. Even two appliers would not apply an
 * event twice: each batch locks the schema's checkpoint and skips what is at or below it.
 * A tenant whose events cannot be applied stops alone, its status naming the event and the error.
 * A scan costs two statements, however many tenants there are: one reads every tenant with its
 * live pointer (compared in memory with what each worker follows), one tries every lease wanted.
 */
export class ProjectorDaemon {
  private readonly workers = new Map<string, Worker>();
  private readonly leases: LeaseHolder;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  /** Lease attempts for tenants announced between scans. */
  private readonly announced = new Set<Promise<void>>();
  private stopped = false;
  private readonly mode: DaemonMode;
  private readonly leaseRetryMs: number;
  private readonly batchSize: number;
  private readonly buildSlots: BuildSlots;
  private readonly checkpointEveryMs: number;

  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly schemas: ReadSchemas,
    private readonly logger: Logger,
    options: DaemonOptions = {},
  ) {
    this.mode = options.mode ?? 'serve';
    this.leaseRetryMs = options.leaseRetryMs ?? 2000;
    this.batchSize = options.batchSize ?? 1000;
    this.buildSlots = new BuildSlots(options.concurrentBuilds ?? 4);
    this.checkpointEveryMs = options.checkpointEveryMs ?? 1000;
    this.leases = new LeaseHolder(db, logger, {
      // Every lease went with the connection: each tenant waits for its lease again.
      lost: () => {
        for (const worker of this.workers.values()) {
          worker.subscription?.unsubscribe();
          worker.state = 'waiting-for-lease';
        }
      },
      notified: (tenant) => this.follow(tenant),
    });
  }

  /** Starts following every tenant; resolves after the first round of lease attempts. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.scan();
    this.timer = setInterval(() => void this.scan(), this.leaseRetryMs);
    this.timer.unref();
  }

  /** Stops every tenant's projection and gives up the leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.scanning;
    await Promise.allSettled([...this.announced]);
    for (const worker of this.workers.values()) worker.subscription?.unsubscribe();
    await Promise.allSettled([...this.workers.values()].map((worker) => worker.busy));
    this.workers.clear();
    await this.leases.close();
  }

  /** What the daemon is doing for each tenant it knows. */
  status(): TenantProjection[] {
    return [...this.workers.entries()].map(([tenant, worker]) => ({
      tenant,
      state: worker.state,
      ...(worker.schema ? { schema: worker.schema } : {}),
      ...(worker.error ? { error: worker.error } : {}),
    }));
  }

  /**
   * Takes a tenant this daemon has not seen yet at once, rather than on the next scan: one that was
   * just registered, or whose first events were just appended. A tenant it knows already (followed
   * here, or waiting for a lease held elsewhere) is left to the scans.
   */
  follow(tenant: string): void {
    if (this.stopped || this.workers.has(tenant)) return;
    const attempt = this.leases
      .connection()
      .then((lease) => this.claim([tenant], lease))
      .catch((error: unknown) => this.logger.warn({ tenant, err: error }, 'projector: could not take a new tenant; the next scan tries again'))
      .finally(() => this.announced.delete(attempt));
    this.announced.add(attempt);
  }

  private async scan(): Promise<void> {
    if (this.scanning || this.stopped) return;
    this.scanning = this.scanOnce()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'projector: scan failed; trying again'))
      .finally(() => {
        this.scanning = undefined;
      });
    await this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const lease = await this.leases.connection();
    const tenants = await this.db.any<ScannedTenant>(tenantsAndLivePointersSql());
    const unclaimed: string[] = [];
    for (const scanned of tenants) {
      if (this.stopped) return;
      const worker = this.workers.get(scanned.tenant);
      if (worker && worker.state === 'following' && this.mode === 'serve') this.followLiveSwitch(scanned, worker);
      else unclaimed.push(scanned.tenant);
    }
    await this.claim(unclaimed, lease);
  }

  /** Tries to take the leases of those tenants that wait for one, in one statement; with a lease, builds or follows the tenant's schema. */
  private async claim(tenants: readonly string[], lease: LeaseConnection): Promise<void> {
    const wanted = new Map<string, Worker>();
    for (const tenant of tenants) {
      const worker = this.workers.get(tenant) ?? { state: 'waiting-for-lease' };
      this.workers.set(tenant, worker);
      if (worker.state !== 'waiting-for-lease' || worker.claiming || this.stopped) continue;
      worker.claiming = true;
      wanted.set(tenant, worker);
    }
    if (wanted.size === 0) return;
    try {
      const rows = await this.leases.run(() => lease.any<{ tenant: string; locked: boolean }>(tryLeasesSql(), [[...wanted.keys()], this.schemas.version]));
      // A lease taken while stopping is given up with the lease connection.
      if (this.stopped) return;
      for (const { tenant, locked } of rows) {
        const worker = wanted.get(tenant);
        if (!locked || !worker) continue;
        worker.state = 'building';
        worker.busy = this.run(tenant, worker);
      }
    } finally {
      for (const worker of wanted.values()) worker.claiming = false;
    }
  }

  /** A rebuild elsewhere (API, CLI) may have switched the live schema: follow the new one. */
  private followLiveSwitch(scanned: ScannedTenant, worker: Worker): void {
    const { tenant, live_schema: schema, live_version: version } = scanned;
    if (!schema || schema === worker.schema || version !== this.schemas.version) return;
    worker.subscription?.unsubscribe();
    worker.state = 'building';
    worker.busy = this.run(tenant, worker);
  }

  private async run(tenant: string, worker: Worker): Promise<void> {
    try {
      const target = await this.buildSlots.run(async (): Promise<{ schema: string; makeLive: boolean; after: Position } | undefined> => {
        if (this.stopped) return undefined;
        const found = await this.target(tenant);
        if (found === undefined) return undefined;
        worker.schema = found.schema;
        // A switch applies the events the schema lacks itself (a prepared schema lacks a few; one
        // far behind is caught up first, outside the switch's transaction).
        if (this.mode === 'serve' && found.makeLive && found.live !== found.schema) return { ...found, after: await this.schemas.switchTo(tenant, found.schema) };
        const { position } = await this.schemas.advance(tenant, found.schema, { batchSize: 5000 });
        // A prepared schema gets the ledger's indexes now, not at its switch while the tenant waits.
        if (this.mode === 'prepare') await this.schemas.completeIndexes(found.schema);
        return { ...found, after: position };
      });
      if (this.stopped) return;
      // The lease connection broke while this tenant was being built: its lease is gone (another
      // daemon may hold it now), so this one must not follow it; a later scan claims it again.
      if (worker.state !== 'building') return;
      if (target === undefined) {
        worker.state = 'superseded';
        this.logger.warn({ tenant, version: this.schemas.version }, 'projector: a newer version serves this tenant; this process leaves it alone');
        return;
      }
      const { schema, makeLive, after } = target;
      // The old side of a deploy follows its own schema as 'superseded': never switched to again.
      const following = makeLive || this.mode === 'prepare' ? 'following' : 'superseded';
      worker.state = following;
      followSchema(worker, following, {
        store: this.store,
        schemas: this.schemas,
        tenant,
        schema,
        after,
        batchSize: this.batchSize,
        checkpointEveryMs: this.checkpointEveryMs,
        fail: (error) => this.fail(tenant, worker, error),
      });
    } catch (error) {
      this.fail(tenant, worker, error);
    }
  }

  /**
   * The schema this daemon works on for a tenant, creating it when there is none, and whether it
   * is to be made live. When a newer version serves the tenant (this process is the old side of a
   * rolling deploy), it is this version's last live schema, which this version's processes still
   * read (served-schema.ts) and so must stay current, but never becomes live again; undefined
   * when there is none.
   */
  private async target(tenant: string): Promise<{ schema: string; makeLive: boolean; live?: string } | undefined> {
    if (this.mode === 'prepare') return { schema: await this.schemas.prepared(tenant), makeLive: false };
    const seen = await this.schemas.deployTarget(tenant);
    const live = seen.live;
    if (!live) {
      const created = (await this.schemas.ensureLive(tenant)).schema;
      return { schema: created, makeLive: true, live: created };
    }
    if (live.version === this.schemas.version) return { schema: live.schema, makeLive: true, live: live.schema };
    if (live.newer) return seen.ownServed === undefined ? undefined : { schema: seen.ownServed, makeLive: false };
    this.logger.info({ tenant, from: live.schema, version: this.schemas.version }, 'projector: building a read schema of this version');
    return { schema: seen.prepared ?? (await this.schemas.prepared(tenant)), makeLive: true, live: live.schema };
  }

  private fail(tenant: string, worker: Worker, error: unknown): void {
    worker.subscription?.unsubscribe();
    // A newer version went live between this daemon's choice and its switch (the next scan sees it
    // and follows this version's own schema as superseded), or the switch hit its bounds (the next
    // scan tries it again, the old schema serving meanwhile).
    const retry = error instanceof OlderVersionRefused || error instanceof SwitchDeferred || (!(error instanceof ProjectionFailed) && isTransientDatabaseError(error));
    if (retry) {
      // The database's trouble, not the events': give the tenant up (lease included) and take it
      // again on a later scan, from its checkpoint; another process may take it meanwhile.
      worker.state = 'waiting-for-lease';
      this.logger.warn({ tenant, err: error }, 'projector: the tenant could not be taken now; following it again on the next scan');
      const lease = this.leases.current();
      if (lease) {
        this.leases
          .run(() => lease.any(releaseLeaseSql(), [tenant, this.schemas.version]))
          .catch((unlockError: unknown) => this.logger.warn({ tenant, err: unlockError }, 'projector: could not release the lease; it ends with its connection'));
      }
      return;
    }
    worker.state = 'failed';
    worker.error = (error as Error)?.message ?? String(error);
    this.logger.error({ tenant, err: error }, 'projector: tenant stopped');
  }
}
