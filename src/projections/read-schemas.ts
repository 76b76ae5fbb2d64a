import type { ITask } from 'pg-promise';
import { pgp, type Database } from '../database/connection.js';
import { comparePositions, type EventStore, type Position, type RecordedEvent } from '../eventstore/event-store.js';
import { decodeEvent } from '../events/codec.js';
import type { Logger } from '../logger.js';
import { ChangeSet, type ProjectedEvent } from './change-set.js';
import { readModelDdl, readModelIndexDdl, readModelTablesDdl } from './read-model.sql.js';
import * as registry from './read-schema-registry.js';
import type { ReadSchema } from './read-schema-registry.js';
import * as sql from './read-schemas.sql.js';
import { readSchemaName } from './schema-name.js';
import type { SchemaPool } from './schema-pool.js';
import { OlderVersionRefused, SwitchDeferred } from './switch-refusals.js';
import { isTransientDatabaseError } from './transient-error.js';
import { projectionVersion } from './version.js';
import { writeChangeSet } from './write-change-set.js';

/** How long a catch-up waits for committed events that an older running transaction holds back (ms). */
const catchUpPatienceMs = 5000;

/**
 * The bounds of a switch's transaction. It holds the tenant's live pointer and, from its first
 * row lock on, a transaction id: the PostgreSQL event store reads only below the oldest running
 * writer (pg_snapshot_xmin), so while it runs every tenant's event readers wait. So it never runs
 * long: at most `backlog` events are applied inside it (a schema further behind is caught up
 * outside it first), its lock waits and statements are cut at the timeouts, and after `attempts`
 * tries that did not get there the switch is deferred (SwitchDeferred), the old schema live.
 */
export interface SwitchLimits {
  readonly backlog: number;
  readonly attempts: number;
  readonly lockTimeoutMs: number;
  readonly statementTimeoutMs: number;
}

const defaultSwitchLimits: SwitchLimits = { backlog: 1000, attempts: 4, lockTimeoutMs: 2000, statementTimeoutMs: 5000 };

/** A rebuild whose switch is deferred tries again after this pause (ms), at most `rebuildSwitchTries` times in all. */
const rebuildSwitchPauseMs = 1000;
const rebuildSwitchTries = 30;

/** lock_not_available (lock_timeout) and query_canceled (statement_timeout): a switch that hit its time bounds. */
const switchTimeoutStates = new Set(['55P03', '57014']);

// The registry's view of a schema, where the callers of ReadSchemas have always found it.
export type { ReadSchema } from './read-schema-registry.js';

/** A projection stopped at an event it could not apply; the tenant's other schemas and other tenants go on. */
export class ProjectionFailed extends Error {
  readonly code = 'projection-failed';
  constructor(
    readonly schema: string,
    readonly eventId: string,
    options: { cause: unknown },
  ) {
    super(`read schema ${schema} stopped at event ${eventId}: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
    this.name = 'ProjectionFailed';
  }
}

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

function toProjected(recorded: RecordedEvent): ProjectedEvent {
  const decoded = decodeEvent(recorded);
  return { id: recorded.id, position: recorded.position, type: decoded.type, data: decoded.data, metadata: decoded.metadata, recordedAt: recorded.recordedAt };
}

/**
 * The read schemas of every tenant: creating them, applying events to them (each batch with its
 * checkpoint in one transaction), rebuilding them blue/green and switching the live pointer.
 * DDL only ever runs against a schema being created or built; a live schema's tables are never altered.
 */
export class ReadSchemas {
  readonly version: string;
  private readonly registryWrittenAt = new Map<string, number>();

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
      applied += await this.applyBatch(schema, batch);
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
    const position = await this.switchSoon(tenant, schema, force);
    this.logger.info({ tenant, schema }, 'read schema is live');
    return { tenant, version: this.version, schema, status: 'ready', position };
  }

  /** switchTo, tried again after a pause while it is deferred (a tenant writing hard, its locks busy). */
  private async switchSoon(tenant: string, schema: string, force: boolean): Promise<Position> {
    for (let tries = 1; ; tries += 1) {
      try {
        return await this.switchTo(tenant, schema, { force });
      } catch (error) {
        if (!(error instanceof SwitchDeferred) || tries >= rebuildSwitchTries) throw error;
        this.logger.info({ tenant, schema, tries }, 'read schema switch deferred; trying again');
        await new Promise((resolve) => setTimeout(resolve, rebuildSwitchPauseMs));
      }
    }
  }

  /**
   * Makes `schema` the tenant's live schema, with the events it still lacks, in one transaction:
   * the tenant's locks and the schema's checkpoint in one round trip, the events after it read and
   * applied, then the new checkpoint and the registry's switch (ready, pointer, the old schema
   * retired) in one more. A schema more than `limits.backlog` events behind, or without the
   * ledger's indexes, is caught up or indexed outside the transaction first, so the tenant's
   * pointer is never held for long; a schema that keeps falling behind, or locks not had within
   * the timeout, defer the switch (SwitchDeferred, see SwitchLimits). A crash before the commit
   * leaves the old schema live; an event the schema refuses marks it failed (catchUp names the
   * event) and throws ProjectionFailed. A tenant whose live schema is of a newer version is
   * refused with OlderVersionRefused, decided under the pointer's lock, unless `force`. Returns
   * the schema's checkpoint as it went live.
   */
  async switchTo(tenant: string, schema: string, options: { force?: boolean; limits?: Partial<SwitchLimits> } = {}): Promise<Position> {
    const force = options.force === true;
    const limits = { ...defaultSwitchLimits, ...options.limits };
    let last = 'behind';
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.trySwitch(tenant, schema, limits, force);
      if (outcome.kind === 'switched') return outcome.position;
      last = outcome.kind;
      if (attempt >= limits.attempts) break;
      if (outcome.kind === 'behind') await this.catchUp(tenant, schema, { batchSize: 5000 });
      else if (outcome.kind === 'unindexed') await this.completeIndexes(schema);
    }
    const reason = last === 'timed-out' ? `its locks were not had within ${limits.lockTimeoutMs} ms` : `it was still more than ${limits.backlog} events behind`;
    throw new SwitchDeferred(tenant, schema, `${reason} after ${limits.attempts} attempts`);
  }

  private async trySwitch(tenant: string, schema: string, limits: SwitchLimits, force: boolean): Promise<{ kind: 'switched'; position: Position } | { kind: 'behind' | 'unindexed' | 'timed-out' }> {
    let applying = false;
    try {
      return await this.db.tx('switch-live-schema', async (t) => {
        const timeouts = pgp.as.format(sql.switchTimeouts(), [`${limits.lockTimeoutMs}ms`, `${limits.statementTimeoutMs}ms`]);
        const locks = [...registry.switchLockStatements(tenant, this.version), pgp.as.format(sql.selectCheckpointForUpdate(), [schema]), this.indexCheck(schema)];
        const [, , pointer, checkpoint, indexes] = await t.multi([timeouts, ...locks].join(';\n'));
        const live = pointer?.[0] as registry.LivePointerRow | undefined;
        // Here, under the pointer's lock, and not only before a build: a newer version may have gone
        // live while this one was building (a deploy's new processes), and this switch must not undo it.
        if (live?.live_is_newer === true && !force) throw new OlderVersionRefused(tenant, this.version, live.version);
        const previous = live?.schema_name;
        const from = (checkpoint?.[0] as { position: string }).position;
        const since: RecordedEvent[] = [];
        for await (const event of this.store.readTenant(tenant, { after: from, batchSize: limits.backlog + 1 })) {
          since.push(event);
          if (since.length > limits.backlog) return { kind: 'behind' as const };
        }
        // Caught up first, indexed second: a schema built from zero gets its indexes after its rows.
        const complete = (indexes?.[0] as { complete?: boolean } | undefined)?.complete !== false;
        if (!complete) return { kind: 'unindexed' as const };
        applying = true;
        const changes = this.changesOf(schema, since, from);
        const position = changes.lastPosition ?? from;
        if (changes.lastPosition !== undefined) await writeChangeSet(t, schema, changes);
        applying = false;
        const alongside = changes.lastPosition === undefined ? [] : [pgp.as.format(sql.updateCheckpoint(), [schema, position])];
        await registry.switchLivePointer(t, { schema, tenant, version: this.version, position, previous }, alongside);
        this.registryWrittenAt.set(schema, Date.now());
        return { kind: 'switched' as const, position };
      });
    } catch (error) {
      // Rolled back at a time bound: nothing of it stays; the caller tries again (see SwitchLimits).
      if (switchTimeoutStates.has((error as { code?: unknown }).code as string)) return { kind: 'timed-out' };
      if (applying && (error instanceof ProjectionFailed || !isTransientDatabaseError(error))) {
        // The events refused: applied again outside the switch, event by event where a batch is
        // refused, the schema is marked failed at the event at fault, and that is what the caller gets.
        await this.catchUp(tenant, schema);
      }
      throw error;
    }
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
    return await this.applyBatch(schema, events);
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

  private async applyBatch(schema: string, events: readonly RecordedEvent[]): Promise<number> {
    try {
      return await this.db.tx('apply-events', async (t) => {
        // A read schema is rebuilt from the events at will, and its rows and checkpoint commit
        // together: a crash may lose the last few hundred ms of projection commits, never their
        // atomicity, and the projector re-applies them from the checkpoint. So these commits do
        // not wait for the WAL flush (bench/lag: appends stalled ~200 ms on WALWrite behind it);
        // applyInTransaction sets that with its first statement.
        return await this.applyInTransaction(t, schema, events);
      });
    } catch (error) {
      // A lost connection or the like is not the events' fault: nothing was applied, nothing is marked.
      if (!(error instanceof ProjectionFailed) && isTransientDatabaseError(error)) throw error;
      // A statement refused the batch as a whole: apply it one event at a time, so that the schema
      // stops exactly before the event at fault and its status names that event (a poison event).
      if (!(error instanceof ProjectionFailed) && events.length > 1) return await this.applyOneByOne(schema, events);
      const failed = error instanceof ProjectionFailed ? error : new ProjectionFailed(schema, events[0]?.id ?? '', { cause: error });
      await registry.markSchemaFailed(this.db, schema, failed.eventId || null, failed.message);
      this.logger.error({ schema, eventId: failed.eventId, err: error }, 'projection stopped');
      throw failed;
    }
  }

  private async applyOneByOne(schema: string, events: readonly RecordedEvent[]): Promise<number> {
    let applied = 0;
    for (const event of events) applied += await this.applyBatch(schema, [event]);
    return applied;
  }

  private async applyInTransaction(t: ITask<unknown>, schema: string, events: readonly RecordedEvent[]): Promise<number> {
    // Without waiting for the WAL flush (see applyBatch), and the checkpoint locked: one round trip.
    const [, locked] = await t.multi([sql.asynchronousCommit(), pgp.as.format(sql.selectCheckpointForUpdate(), [schema])].join(';\n'));
    const changes = this.changesOf(schema, events, (locked?.[0] as { position: string }).position);
    if (changes.events === 0 || changes.lastPosition === undefined) return 0;
    await writeChangeSet(t, schema, changes);
    const checkpoint = pgp.as.format(sql.updateCheckpoint(), [schema, changes.lastPosition]);
    // The registry's copy of the position is for status pages: refreshed at most once a second,
    // so that following a busy tenant does not write the control plane with every batch; when it
    // is, it goes with the checkpoint in one round trip.
    const now = Date.now();
    if (now - (this.registryWrittenAt.get(schema) ?? 0) >= 1000) {
      this.registryWrittenAt.set(schema, now);
      await registry.recordSchemaPosition(t, schema, changes.lastPosition, [checkpoint]);
    } else {
      await t.none(checkpoint);
    }
    return changes.events;
  }

  /** The changes of the events after `after` (the schema's checkpoint); an event that cannot be projected throws ProjectionFailed. */
  private changesOf(schema: string, events: readonly RecordedEvent[], after: Position): ChangeSet {
    const changes = new ChangeSet();
    for (const event of events) {
      if (comparePositions(event.position, after) <= 0) continue;
      try {
        changes.add(toProjected(event));
      } catch (error) {
        throw new ProjectionFailed(schema, event.id, { cause: error });
      }
    }
    return changes;
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
