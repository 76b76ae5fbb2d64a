import type { ITask } from 'pg-promise';
import { pgp, type Database } from '../database/connection.js';
import { comparePositions, type Position, type RecordedEvent } from '../eventstore/event-store.js';
import { decodeEvent } from '../events/codec.js';
import type { Logger } from '../logger.js';
import { ChangeSet, type ProjectedEvent } from './change-set.js';
import * as registry from './read-schema-registry.js';
import * as sql from './read-schemas.sql.js';
import { isTransientDatabaseError } from './transient-error.js';
import { writeChangeSet } from './write-change-set.js';

/*
 * Applying a tenant's events to a read schema (for ReadSchemas: catch-ups, builds, the projector's
 * batches; and the changes a switch writes in its own transaction).
 */

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

function toProjected(recorded: RecordedEvent): ProjectedEvent {
  const decoded = decodeEvent(recorded);
  return { id: recorded.id, position: recorded.position, type: decoded.type, data: decoded.data, metadata: decoded.metadata, recordedAt: recorded.recordedAt };
}

/** The changes of the events after `after` (the schema's checkpoint); an event that cannot be projected throws ProjectionFailed. */
export function changesOf(schema: string, events: readonly RecordedEvent[], after: Position): ChangeSet {
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

/** Applies batches of events to read schemas, each with its checkpoint in one transaction. */
export class EventApplier {
  private readonly registryWrittenAt = new Map<string, number>();

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {}

  /** A switch wrote the registry's position of `schema` just now: the next batches need not for a second. */
  registryWritten(schema: string): void {
    this.registryWrittenAt.set(schema, Date.now());
  }

  /**
   * Applies a batch of the tenant's events (in position order) to a schema: the rows and the
   * checkpoint in one transaction, events at or below the checkpoint skipped. A batch a statement
   * refuses is applied again one event at a time; the event at fault marks the schema failed
   * (with its id and the error) and throws ProjectionFailed.
   */
  async apply(schema: string, events: readonly RecordedEvent[]): Promise<number> {
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
    for (const event of events) applied += await this.apply(schema, [event]);
    return applied;
  }

  private async applyInTransaction(t: ITask<unknown>, schema: string, events: readonly RecordedEvent[]): Promise<number> {
    // Without waiting for the WAL flush (see apply), and the checkpoint locked: one round trip.
    const [, locked] = await t.multi([sql.asynchronousCommit(), pgp.as.format(sql.selectCheckpointForUpdate(), [schema])].join(';\n'));
    const changes = changesOf(schema, events, (locked?.[0] as { position: string }).position);
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
}
