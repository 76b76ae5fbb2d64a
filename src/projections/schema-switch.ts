import type { Database } from '../database/connection.js';
import { pgp } from '../database/connection.js';
import type { EventStore, Position, RecordedEvent } from '../eventstore/event-store.js';
import type { Logger } from '../logger.js';
import { changesOf, ProjectionFailed } from './event-application.js';
import * as registry from './read-schema-registry.js';
import * as sql from './read-schemas.sql.js';
import { OlderVersionRefused, SwitchDeferred } from './switch-refusals.js';
import { isTransientDatabaseError } from './transient-error.js';
import { writeChangeSet } from './write-change-set.js';

/*
 * The switch of a tenant's live read schema (ReadSchemas.switchTo, and a rebuild's): one bounded
 * transaction that applies the events the schema lacks and moves the live pointer.
 */

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

/** What a switch needs of the read schemas it works for (ReadSchemas). */
export interface SwitchHost {
  readonly db: Database;
  readonly store: EventStore;
  readonly logger: Logger;
  readonly version: string;
  /** Applies the events the schema lacks, outside any switch (ReadSchemas.catchUp: marks it failed at an event it refuses). */
  catchUp(tenant: string, schema: string, options?: { batchSize?: number }): Promise<number>;
  /** Gives the schema the ledger's indexes it was built without (ReadSchemas.completeIndexes). */
  completeIndexes(schema: string): Promise<void>;
  /** The statement whose first row's `complete` says whether the schema has those indexes. */
  indexCheck(schema: string): string;
  /** The switch wrote the registry's position of the schema (EventApplier.registryWritten). */
  registryWritten(schema: string): void;
}

/** switchLiveSchema, tried again after a pause while it is deferred (a tenant writing hard, its locks busy): a rebuild's switch. */
export async function switchLiveSchemaSoon(host: SwitchHost, tenant: string, schema: string, force: boolean): Promise<Position> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await switchLiveSchema(host, tenant, schema, { force });
    } catch (error) {
      if (!(error instanceof SwitchDeferred) || tries >= rebuildSwitchTries) throw error;
      host.logger.info({ tenant, schema, tries }, 'read schema switch deferred; trying again');
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
export async function switchLiveSchema(host: SwitchHost, tenant: string, schema: string, options: { force?: boolean; limits?: Partial<SwitchLimits> } = {}): Promise<Position> {
  const force = options.force === true;
  const limits = { ...defaultSwitchLimits, ...options.limits };
  let last = 'behind';
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await trySwitch(host, tenant, schema, limits, force);
    if (outcome.kind === 'switched') return outcome.position;
    last = outcome.kind;
    if (attempt >= limits.attempts) break;
    if (outcome.kind === 'behind') await host.catchUp(tenant, schema, { batchSize: 5000 });
    else if (outcome.kind === 'unindexed') await host.completeIndexes(schema);
  }
  const reason = last === 'timed-out' ? `its locks were not had within ${limits.lockTimeoutMs} ms` : `it was still more than ${limits.backlog} events behind`;
  throw new SwitchDeferred(tenant, schema, `${reason} after ${limits.attempts} attempts`);
}

async function trySwitch(host: SwitchHost, tenant: string, schema: string, limits: SwitchLimits, force: boolean): Promise<{ kind: 'switched'; position: Position } | { kind: 'behind' | 'unindexed' | 'timed-out' }> {
  let applying = false;
  try {
    return await host.db.tx('switch-live-schema', async (t) => {
      const timeouts = pgp.as.format(sql.switchTimeouts(), [`${limits.lockTimeoutMs}ms`, `${limits.statementTimeoutMs}ms`]);
      const locks = [...registry.switchLockStatements(tenant, host.version), pgp.as.format(sql.selectCheckpointForUpdate(), [schema]), host.indexCheck(schema)];
      const [, , pointer, checkpoint, indexes] = await t.multi([timeouts, ...locks].join(';\n'));
      const live = pointer?.[0] as registry.LivePointerRow | undefined;
      // Here, under the pointer's lock, and not only before a build: a newer version may have gone
      // live while this one was building (a deploy's new processes), and this switch must not undo it.
      if (live?.live_is_newer === true && !force) throw new OlderVersionRefused(tenant, host.version, live.version);
      const previous = live?.schema_name;
      const from = (checkpoint?.[0] as { position: string }).position;
      const since: RecordedEvent[] = [];
      for await (const event of host.store.readTenant(tenant, { after: from, batchSize: limits.backlog + 1 })) {
        since.push(event);
        if (since.length > limits.backlog) return { kind: 'behind' as const };
      }
      // Caught up first, indexed second: a schema built from zero gets its indexes after its rows.
      const complete = (indexes?.[0] as { complete?: boolean } | undefined)?.complete !== false;
      if (!complete) return { kind: 'unindexed' as const };
      applying = true;
      const changes = changesOf(schema, since, from);
      const position = changes.lastPosition ?? from;
      if (changes.lastPosition !== undefined) await writeChangeSet(t, schema, changes);
      applying = false;
      const alongside = changes.lastPosition === undefined ? [] : [pgp.as.format(sql.updateCheckpoint(), [schema, position])];
      await registry.switchLivePointer(t, { schema, tenant, version: host.version, position, previous }, alongside);
      host.registryWritten(schema);
      return { kind: 'switched' as const, position };
    });
  } catch (error) {
    // Rolled back at a time bound: nothing of it stays; the caller tries again (see SwitchLimits).
    if (switchTimeoutStates.has((error as { code?: unknown }).code as string)) return { kind: 'timed-out' };
    if (applying && (error instanceof ProjectionFailed || !isTransientDatabaseError(error))) {
      // The events refused: applied again outside the switch, event by event where a batch is
      // refused, the schema is marked failed at the event at fault, and that is what the caller gets.
      await host.catchUp(tenant, schema);
    }
    throw error;
  }
}
