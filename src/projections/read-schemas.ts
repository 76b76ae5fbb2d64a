import type { ITask } from 'pg-promise';
import { pgp, type Database } from '../database/connection.js';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../eventstore/event-store.js';
import type { Logger } from '../logger.js';
import { EventApplier } from './event-application.js';
import { readModelDdl, readModelIndexDdl, readModelTablesDdl } from './read-model.sql.js';
import * as registry from './read-schema-registry.js';
import type { ReadSchema } from './read-schema-registry.js';
import * as sql from './read-schemas.sql.js';
import { readSchemaName } from './schema-name.js';
import type { SchemaPool } from './schema-pool.js';
import { switchLiveSchema, switchLiveSchemaSoon, type SwitchHost, type SwitchLimits } from './schema-switch.js';
import { OlderVersionRefused } from './switch-refusals.js';
import { projectionVersion } from './version.js';

/** How long a catch-up waits for committed events that an older running transaction holds back (ms). */
const catchUpPatienceMs = 5000;

// The registry's view of a schema, and the applier's refusal, where the callers of ReadSchemas have always found them.
export type { ReadSchema } from './read-schema-registry.js';
export { ProjectionFailed } from './event-application.js';

/** A read schema that is no longer there (dropped by the GC after a switch): callers look the live one up again. */
export class ReadSchemaGone extends Error {
  readonly code = 'read-schema-gone';
  constructor(
    readonly schema: string,
    options: { cause: unknown },
  ) {
    super(`read schema ${schema} is gone`, options);
    this.name = 'ReadSchemaGone';
  }
}

/** Where a catch-up left a schema: events applied, and the schema's checkpoint. */
export interface CaughtUp {
  readonly applied: number;
  readonly position: Position;
}

/** Progress of a build: events applied so far of the total to apply, and the head it is heading for. */
export interface BuildProgress {
  readonly events: number;
  readonly total: number;
  readonly position: Position;
  readonly head: Position;
}

/**
 * The read schemas of every tenant: creating them, applying events to them (each batch with its
 * checkpoint in one transaction), rebuilding them blue/green and switching the live pointer.
 * DDL only ever runs against a schema being created or built; a live schema's tables are never altered.
 */
export class ReadSchemas {
  readonly version: string;
  private readonly applier: EventApplier;
  private readonly switchHost: SwitchHost;

  /**
   * `ddl` is the read model's DDL (tests change it as a new release would); the version is its
   * hash unless given. With a `pool` of spare schemas of this version, a new tenant's live schema
   * is a spare renamed (schema-pool.ts) instead of one built while the tenant registers.
   */
  constructor(
    private readonly db: Database,
    private readonly store: EventStore,
    private readonly logger: Logger,
    version?: string,
    private readonly ddl: (schema: string) => string = readModelDdl,
    private readonly pool?: SchemaPool,
  ) {
    this.version = version ?? projectionVersion(ddl);
    if (pool && pool.version !== this.version) throw new Error(`the schema pool holds version ${pool.version}, not ${this.version}`);
    this.applier = new EventApplier(db, logger);
    this.switchHost = {
      db,
      store,
      logger,
      version: this.version,
      catchUp: (tenant, schema, options) => this.catchUp(tenant, schema, options),
      completeIndexes: (schema) => this.completeIndexes(schema),
      indexCheck: (schema) => this.indexCheck(schema),
      registryWritten: (schema) => this.applier.registryWritten(schema),
    };
  }

  /** The schema a tenant's queries read, or undefined before the tenant has one. */
  async live(tenant: string): Promise<ReadSchema | undefined> {
    const schema = await registry.findLiveSchema(this.db, tenant);
    if (!schema) return undefined;
    // The registry's position may be up to a second old; the schema's own checkpoint is exact.
    return { ...schema, position: await this.checkpoint(schema.schema) };
  }

  /**
   * What a projector daemon of this version chooses a tenant's target from (daemon.ts): the live
   * schema and whether its version came after this one, this version's prepared and last served
   * schemas; one round trip.
   */
  async deployTarget(tenant: string): Promise<registry.DeployTarget> {
    return await registry.findDeployTarget(this.db, tenant, this.version);
  }

  /** Every registered schema of a tenant, newest first (positions as last recorded, at most ~1 s old). */
  async list(tenant: string): Promise<ReadSchema[]> {
    return await registry.listTenantSchemas(this.db, tenant);
  }

  /** Gives a tenant without one an empty live schema of the current version at once (a new tenant can work immediately). */
  async ensureLive(tenant: string): Promise<ReadSchema> {
    const existing = await this.live(tenant);
    if (existing) return existing;
    await this.db.tx('create-live-schema', async (t) => {
      await this.createLiveIn(t, tenant);
    });
    return (await this.live(tenant)) as ReadSchema;
  }

  /**
   * ensureLive inside the caller's transaction: tenant registration creates the tenant and its
   * empty live schema together, so a failure leaves neither behind.
   */
  async createLiveIn(t: ITask<unknown>, tenant: string): Promise<void> {
    if (await registry.lockTenantSchemasAndHasLive(t, tenant)) return;
    const schema = readSchemaName(tenant, this.version);
    // A spare renamed in this transaction: a rollback puts it back in the pool.
    if (this.pool && (await this.pool.claim(t, schema))) return await registry.registerFirstLiveSchema(t, { schema, tenant, version: this.version });
    await this.createSchema(t, tenant, schema, 'ready');
    await registry.insertLivePointer(t, tenant, this.version, schema);
  }

  /**
   * Applies the tenant's events after the schema's checkpoint up to the head as it is when called,
   * `batchSize` at a time. Each batch
   * and the new checkpoint commit together; events at or below the checkpoint are skipped, so two
   * appliers of one schema never apply an event twice. An event that cannot be applied marks the
   * schema failed (with the event id and the error) and throws ProjectionFailed.
   */
  async catchUp(tenant: string, schema: string, options: { batchSize?: number; onProgress?: (progress: BuildProgress) => void } = {}): Promise<number> {
    return (await this.advance(tenant, schema, options)).applied;
  }

  /** As catchUp, and says where the schema's checkpoint stands afterwards (the daemon follows from there). */
  async advance(tenant: string, schema: string, options: { batchSize?: number; onProgress?: (progress: BuildProgress) => void } = {}): Promise<CaughtUp> {
    const batchSize = options.batchSize ?? 1000;
    // Everything committed before this call; events still held back by an older running
    // transaction are waited for briefly (they become readable when it ends).
    // The two reads at once: neither depends on the other.
    const [head, from] = await Promise.all([this.store.lastCommittedPosition(tenant), this.checkpoint(schema)]);
    let applied = 0;
    let position = from;
    const total = options.onProgress ? await this.store.countEvents(tenant, { after: position, upTo: head }) : 0;
    let batch: RecordedEvent[] = [];
    const flush = async (): Promise<void> => {
      if (batch.length === 0) return;
      applied += await this.applier.apply(schema, batch);
      position = batch.at(-1)?.position ?? position;
      batch = [];
      options.onProgress?.({ events: applied, total, position, head });
    };
    const deadline = Date.now() + catchUpPatienceMs;
    while (comparePositions(position, head) < 0) {
      for await (const event of this.store.readTenant(tenant, { after: position, batchSize: Math.min(batchSize, 10_000) })) {
        // Up to the head as it was: under a steady stream of writes a catch-up must still end.
        if (comparePositions(event.position, head) > 0) break;
        batch.push(event);
        if (batch.length >= batchSize) await flush();
      }
      await flush();
      if (comparePositions(position, head) >= 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return { applied, position };
  }

  /**
   * Rebuilds a tenant's read schema beside the live one: a new schema of the current version
   * (a new generation if that version is the live one) is built from position zero in large
   * batches, caught up, and made live in one transaction that applies the last events too. Reads
   * go to the old schema until that commit; a crash before it leaves the old schema live. A tenant
   * a newer version serves is refused (OlderVersionRefused), before the build and again at the
   * switch, unless `force` (stockctl's --force).
   */
  async rebuild(tenant: string, options: { batchSize?: number; onProgress?: (progress: BuildProgress) => void; force?: boolean } = {}): Promise<ReadSchema> {
    const force = options.force === true;
    if (!force) await this.refuseIfNewerLive(tenant);
    const schema = await this.createNextSchema(tenant);
    this.logger.info({ tenant, schema }, 'building read schema');
    await this.catchUp(tenant, schema, { batchSize: options.batchSize ?? 20_000, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    await this.completeIndexes(schema);
    const position = await switchLiveSchemaSoon(this.switchHost, tenant, schema, force);
    this.logger.info({ tenant, schema }, 'read schema is live');
    return { tenant, version: this.version, schema, status: 'ready', position };
  }

  /**
   * Makes `schema` the tenant's live schema, with the events it still lacks, in one bounded
   * transaction (schema-switch.ts: what it does, its bounds, SwitchDeferred, and
   * OlderVersionRefused unless `force`). Returns the schema's checkpoint as it went live.
   */
  async switchTo(tenant: string, schema: string, options: { force?: boolean; limits?: Partial<SwitchLimits> } = {}): Promise<Position> {
    return await switchLiveSchema(this.switchHost, tenant, schema, options);
  }

  /**
   * Builds a scratch schema of the current version from position zero (for verify): registered as
   * 'building' so that GC leaves it alone while it is in use; the caller drops it with dropSchema().
   */
  async buildScratch(tenant: string, options: { batchSize?: number; onProgress?: (progress: BuildProgress) => void } = {}): Promise<string> {
    const schema = await this.createNextSchema(tenant);
    try {
      await this.catchUp(tenant, schema, { batchSize: options.batchSize ?? 20_000, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
    } catch (error) {
      await this.dropSchema(schema).catch(() => undefined);
      throw error;
    }
    return schema;
  }

  /** Drops a schema that is not live, and its registry row. Refuses the live schema of any tenant. */
  async dropSchema(schema: string): Promise<void> {
    await this.db.tx('drop-read-schema', (t) => registry.dropUnlessLive(t, schema));
  }

  /** The position a schema has applied; throws ReadSchemaGone when the schema was dropped. */
  async checkpoint(schema: string): Promise<Position> {
    try {
      return (await this.db.one<{ position: string }>(sql.selectCheckpoint(), [schema])).position;
    } catch (error) {
      // 42P01 undefined_table: the schema, and so its checkpoint table, was dropped.
      if ((error as { code?: unknown }).code === '42P01') throw new ReadSchemaGone(schema, { cause: error });
      throw error;
    }
  }

  /**
   * The schema of the current version that a `prepare` run builds and keeps current without
   * making it live: the one registered for this version (building or ready, not retired), or a
   * new one.
   */
  async prepared(tenant: string): Promise<string> {
    const existing = await registry.findPreparedSchema(this.db, tenant, this.version);
    if (existing !== undefined) return existing;
    return await this.createNextSchema(tenant);
  }

  /**
   * Whether `version` came after this one: its first read schema (of any tenant) was registered
   * later. During a rolling deploy an older process must not switch tenants back to its version.
   */
  async isNewerVersion(version: string): Promise<boolean> {
    return await registry.isLaterVersion(this.db, version, this.version);
  }

  /**
   * Throws OlderVersionRefused when the tenant's live schema is of a version newer than this one:
   * a rebuild here would switch the tenant back to the older read model (checked again at the switch).
   */
  async refuseIfNewerLive(tenant: string): Promise<void> {
    const { live } = await this.deployTarget(tenant);
    if (live?.newer === true) throw new OlderVersionRefused(tenant, this.version, live.version);
  }

  /** This version's newest schema of the tenant that has been live (see served-schema.ts). */
  async ownServed(tenant: string): Promise<string | undefined> {
    return await registry.findOwnServedSchema(this.db, tenant, this.version);
  }

  /** Applies a batch of the tenant's events (in position order) to a schema; see catchUp for the guarantees. */
  async apply(schema: string, events: readonly RecordedEvent[]): Promise<number> {
    return await this.applier.apply(schema, events);
  }

  /**
   * Moves a schema's checkpoint forward to `position`, a place the event store has scanned past
   * with nothing of the tenant's to apply up to it (a store checkpoint, see store-checkpoints.ts);
   * the caller has applied every event at or before it. Never moves it backwards.
   */
  async advanceCheckpoint(schema: string, position: Position): Promise<void> {
    // Like a batch's commit, it need not wait for the WAL flush: a lost checkpoint costs a rescan.
    await this.db.tx('advance-checkpoint', async (t) => {
      await t.none(sql.asynchronousCommit());
      await t.none(sql.advanceCheckpoint(), [schema, position]);
    });
  }

  /**
   * Creates a new 'building' schema of this version for a tenant: the next generation after the
   * highest one registered (GC may have dropped older ones), under the tenant's lock so that two
   * builds never pick the same name.
   */
  private async createNextSchema(tenant: string): Promise<string> {
    return await this.db.tx('create-read-schema', async (t) => {
      await registry.lockTenantSchemas(t, tenant);
      const names = await registry.versionSchemaNames(t, tenant, this.version);
      const generationOf = (name: string): number => Number(/_g(\d+)$/.exec(name)?.[1] ?? 0);
      const generation = names.length === 0 ? 0 : Math.max(...names.map(generationOf)) + 1;
      const schema = readSchemaName(tenant, this.version, generation);
      await this.createSchema(t, tenant, schema, 'building', true);
      return schema;
    });
  }

  /**
   * Creates the indexes a schema built from zero was created without (see createNextSchema):
   * `prepare` runs it once the schema has caught up, a rebuild before its switch, so that the
   * switch finds them there. Idempotent (`if not exists`); never run on a live schema.
   */
  async completeIndexes(schema: string): Promise<void> {
    if (this.ddl !== readModelDdl) return;
    // A schema that has them is left alone: an index build "if not exists" would still take the
    // ledger's lock first, and `prepare` may find this version's schema live already (a rerun).
    const { complete } = await this.db.one<{ complete: boolean }>(sql.selectLedgerIndexesComplete(), [schema]);
    if (complete) return;
    const started = Date.now();
    await this.db.none(readModelIndexDdl(schema));
    this.logger.info({ schema, ms: Date.now() - started }, 'read schema indexes ready');
  }

  /** The statement that tells whether the schema has the ledger's indexes (always true for a DDL given by a test). */
  private indexCheck(schema: string): string {
    return this.ddl === readModelDdl ? pgp.as.format(sql.selectLedgerIndexesComplete(), [schema]) : sql.selectIndexesAssumedComplete();
  }

  /**
   * A schema that is filled from position zero before anyone reads it is created without the
   * ledger's secondary indexes (the default DDL only; a DDL given by a test is used as it is).
   */
  private async createSchema(t: ITask<unknown>, tenant: string, schema: string, status: ReadSchema['status'], deferIndexes = false): Promise<void> {
    await t.none(deferIndexes && this.ddl === readModelDdl ? readModelTablesDdl(schema) : this.ddl(schema));
    await registry.registerSchema(t, { schema, tenant, version: this.version, status });
  }
}
