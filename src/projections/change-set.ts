import type { ITask } from 'pg-promise';
import { eventDataSchemas, type EventMetadata, type EventType } from '../events/schemas.js';
import { balances } from './read-models/balances.js';
import { catalog } from './read-models/catalog.js';
import { history } from './read-models/history.js';
import { lastCounts } from './read-models/last-counts.js';
import { ledger } from './read-models/ledger.js';
import { locations } from './read-models/locations.js';
import { evolveWith, handledEvents, type MemoryTables, type ProjectionEvent, type ReadModel } from './read-models/read-model.js';
import { reservations } from './read-models/reservations.js';
import { serials } from './read-models/serials.js';

/** An event as projectors see it: decoded (current schema version) with its place and metadata. */
export interface ProjectedEvent {
  readonly id: string;
  readonly position: string;
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
  readonly recordedAt: Date;
}

/** An event of a type no read model knows: it stops the projection rather than being skipped. */
export class UnknownEventType extends Error {
  readonly code = 'unknown-event-type';
  constructor(
    readonly eventId: string,
    readonly type: string,
  ) {
    super(`event ${eventId} has the type ${type}, which no read model knows`);
    this.name = 'UnknownEventType';
  }
}

/** Every read model of a read schema, in the order their changes are written. */
export const readModels = [catalog, locations, balances, reservations, serials, history, ledger, lastCounts] as const;

/** One read model's changes of the batch, behind functions that keep its type of changes to itself. */
interface PendingChanges {
  /** The event types the read model handles. */
  readonly handles: readonly EventType[];
  add(event: ProjectionEvent): void;
  write(t: ITask<unknown>, s: string): Promise<void>;
  applyInMemory(tables: MemoryTables): void;
}

function pendingChanges<Changes>(model: ReadModel<Changes>): PendingChanges {
  const changes = model.changes();
  return {
    handles: handledEvents(model),
    add: (event) => evolveWith(model, changes, event),
    write: (t, s) => model.write(t, s, changes),
    applyInMemory: (tables) => model.applyInMemory(tables, changes),
  };
}

const isEventType = (type: string): type is EventType => Object.hasOwn(eventDataSchemas, type);

/**
 * What a batch of events changes in a read schema, gathered in memory by each read model's
 * `evolve` so that it is written with a few bulk statements whatever the batch size. The same
 * code serves live projection (small batches) and rebuilds (large).
 */
export class ChangeSet {
  // One by one rather than mapped over readModels: each keeps its own type of changes.
  private readonly pending: readonly PendingChanges[] = [
    pendingChanges(catalog),
    pendingChanges(locations),
    pendingChanges(balances),
    pendingChanges(reservations),
    pendingChanges(serials),
    pendingChanges(history),
    pendingChanges(ledger),
    pendingChanges(lastCounts),
  ];
  /** The read models that handle each event type: a rebuild adds a million events, each asks only those. */
  private readonly handling = new Map<EventType, PendingChanges[]>();
  lastPosition: string | undefined;
  events = 0;

  constructor() {
    for (const changes of this.pending) {
      for (const type of changes.handles) this.handling.set(type, [...(this.handling.get(type) ?? []), changes]);
    }
  }

  /** Adds one event's changes to every read model's. */
  add(event: ProjectedEvent): void {
    // decodeEvent has checked the data against the schema of its type, so the type is all there
    // is left to check: one unknown here would otherwise be skipped by every read model.
    if (!isEventType(event.type)) throw new UnknownEventType(event.id, event.type);
    const known = event as ProjectionEvent;
    for (const changes of this.handling.get(known.type) ?? []) changes.add(known);
    this.lastPosition = event.position;
    this.events += 1;
  }

  /** Writes the batch into a read schema inside the caller's transaction (`s` is the escaped schema name). */
  async write(t: ITask<unknown>, s: string): Promise<void> {
    for (const changes of this.pending) await changes.write(t, s);
  }

  /** Applies the batch to tables kept in memory, as `write` does in SQL (for specifications). */
  applyInMemory(tables: MemoryTables): void {
    for (const changes of this.pending) changes.applyInMemory(tables);
  }
}
