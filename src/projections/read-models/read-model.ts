import type { ITask } from 'pg-promise';
import type { z } from 'zod';
import type { EventMetadata, EventType, eventDataSchemas } from '../../events/schemas.js';

/** The data of an event of type K at its current schema version: what decodeEvent returns. */
export type EventData<K extends EventType> = z.output<(typeof eventDataSchemas)[K]>;

/** A decoded event as read models see it, tagged by type so that a switch or a handler map narrows it. */
export type ProjectionEvent<K extends EventType = EventType> = {
  [T in K]: {
    readonly id: string;
    readonly position: string;
    readonly type: T;
    readonly data: EventData<T>;
    readonly metadata: EventMetadata;
    readonly recordedAt: Date;
  };
}[K];

/** Marks an event type a read model has nothing to do with: listed, so that leaving one out is a compile error. */
export const ignored = 'ignored';

/**
 * How a read model's batch of changes evolves with each event type: a handler or `ignored` for
 * every member of the union, so that adding an event type without deciding what each read model
 * does with it fails `npm run typecheck`. `Events` is the union (ProjectionEvent in the product;
 * the type-level test widens it with a made-up type).
 */
export type EventHandlers<Changes, Events extends { readonly type: string } = ProjectionEvent> = {
  readonly [K in Events['type']]: ((changes: Changes, event: Extract<Events, { readonly type: K }>) => void) | typeof ignored;
};

/** A row of a table kept in memory, by column name as in the read schema's DDL. */
export type Row = Readonly<Record<string, unknown>>;

/** Tables kept in memory by the specifications: rows by their primary key (as text). */
export type MemoryTables = Map<string, Map<string, Row>>;

/**
 * A read model: the tables it owns, how a batch of events changes them (pure, in memory), and how
 * those changes are written, in SQL for a read schema and in memory for its specification. The
 * same changes serve live projection (small batches) and rebuilds (large batches), so `evolve`
 * sums what it can (deltas of totals) and `write` sends each table's rows in one statement.
 */
export interface ReadModel<Changes> {
  readonly name: string;
  /** The tables of read-model.sql.ts this read model writes. */
  readonly tables: readonly string[];
  /** An empty batch of changes. */
  readonly changes: () => Changes;
  /** What each event type does to a batch of changes (exhaustive). */
  readonly evolve: EventHandlers<Changes>;
  /** Writes a batch into a read schema inside the caller's transaction (`s` is the escaped schema name). */
  readonly write: (t: ITask<unknown>, s: string, changes: Changes) => Promise<void>;
  /** Applies a batch to tables kept in memory exactly as `write` does to the schema's: what a specification reads. */
  readonly applyInMemory: (tables: MemoryTables, changes: Changes) => void;
}

/** The event types a read model handles (the others it lists as ignored). */
export function handledEvents(model: { readonly evolve: EventHandlers<never> }): EventType[] {
  return (Object.entries(model.evolve) as Array<[EventType, unknown]>).filter(([, handler]) => handler !== ignored).map(([type]) => type);
}

/** Adds one event's changes to a batch: the handler of its type, if the read model has one. */
export function evolveWith<Changes>(model: ReadModel<Changes>, changes: Changes, event: ProjectionEvent): void {
  const handler = model.evolve[event.type];
  // TypeScript cannot tie the handler looked up by `event.type` to that event's member of the
  // union; the handler map's type guarantees it.
  if (handler !== ignored) (handler as (changes: Changes, event: ProjectionEvent) => void)(changes, event);
}

/**
 * A `write` for read models whose changes are their few events in order (catalog, locations):
 * each event's statement, sent as one multi-statement query, so one round trip however many (a
 * rebuild's first batch has them all).
 */
export function writeInOrder<E>(statement: (s: string, event: E) => string): (t: ITask<unknown>, s: string, changes: readonly E[]) => Promise<void> {
  return async (t, s, changes) => {
    if (changes.length > 0) await t.none(changes.map((event) => statement(s, event)).join(';\n'));
  };
}

/** The table `name` of in-memory tables, created empty on first use. */
export function memoryTable(tables: MemoryTables, name: string): Map<string, Row> {
  let table = tables.get(name);
  if (!table) {
    table = new Map();
    tables.set(name, table);
  }
  return table;
}
