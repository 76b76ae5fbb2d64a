import { expect } from '@jest/globals';
import type { EventMetadata, EventType } from '../../../src/events/schemas.js';
import { evolveWith, type EventData, type MemoryTables, type ProjectionEvent, type ReadModel, type Row } from '../../../src/projections/read-models/read-model.js';

/** Rows of a read model's tables by table name; a table left out is expected empty. */
type Rows = Readonly<Record<string, readonly Row[]>>;

/** A row as text with its columns in name order: rows compare as a set, whatever their order. */
const canonical = (row: Row): string => JSON.stringify(Object.keys(row).sort().map((column) => [column, row[column]]));

const sorted = (rows: readonly Row[]): Row[] => [...rows].sort((a, b) => canonical(a).localeCompare(canonical(b)));

/** The rows of every table of `model` after applying `batches` of events, each batch's changes gathered first as the projector does. */
function rowsAfter<Changes>(model: ReadModel<Changes>, batches: ReadonlyArray<readonly ProjectionEvent[]>): Record<string, Row[]> {
  const tables: MemoryTables = new Map();
  for (const batch of batches) {
    const changes = model.changes();
    for (const event of batch) evolveWith(model, changes, event);
    model.applyInMemory(tables, changes);
  }
  return Object.fromEntries(model.tables.map((table) => [table, sorted([...(tables.get(table)?.values() ?? [])])]));
}

/**
 * Given/then for a read model, without a database (after emmett's projection specifications):
 * `projectionSpec(balances).given(events).then({ balances: [...], lots: [...] })`. The rows are
 * those of the read schema's tables, by column name, compared as a set per table. Every
 * specification checks two ways of applying the same events: in one batch (as a rebuild does)
 * and one event per batch (as live projection may), which must agree.
 */
export function projectionSpec<Changes>(model: ReadModel<Changes>) {
  return {
    given: (...events: ProjectionEvent[]) => ({
      then: (expected: Rows): void => {
        const wanted = Object.fromEntries(model.tables.map((table) => [table, sorted(expected[table] ?? [])]));
        expect(Object.keys(expected).filter((table) => !model.tables.includes(table))).toEqual([]);
        expect(rowsAfter(model, [events])).toEqual(wanted);
        expect(rowsAfter(model, events.map((event) => [event]))).toEqual(wanted);
      },
    }),
  };
}

/** When the events happen (business time) and are recorded, unless a fixture says otherwise. */
export const occurredAt = '2026-03-02T10:00:00.000Z';
export const recordedAt = new Date('2026-03-02T10:00:01.000Z');

/**
 * A maker of decoded events in commit order: each call takes the next position (1, 2, ...).
 * `metadata` overrides the defaults (user alice, source api, business time `occurredAt`).
 */
export function eventsInOrder() {
  let position = 0;
  return <K extends EventType>(type: K, data: EventData<K>, metadata: Partial<EventMetadata> = {}): ProjectionEvent => {
    position += 1;
    const event = {
      id: `event-${position}`,
      position: String(position),
      type,
      data,
      metadata: { tenant: 'isd', user: 'alice', source: 'api', correlationId: `c-${position}`, occurredAt, schemaVersion: 1, ...metadata },
      recordedAt,
    };
    // The mapped union cannot be built from a generic K without a cast; the parameters are typed per K.
    return event as unknown as ProjectionEvent;
  };
}
