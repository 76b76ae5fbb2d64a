import { pgp } from '../../database/connection.js';
import { articleEvents, recordEvents, stockEvents, userEvents } from './ignored-events.js';
import { memoryTable, writeInOrder, type ProjectionEvent, type ReadModel } from './read-model.js';

type LocationEvent = ProjectionEvent<'LocationCreated' | 'LocationBlocked' | 'LocationUnblocked'>;

/** A batch's changes to locations: its location events in order (they are few). */
export type LocationChanges = LocationEvent[];

const record = (changes: LocationChanges, event: LocationEvent): void => {
  changes.push(event);
};

/** The SQL of one location event, formatted (`s` is the escaped schema name). */
function statement(s: string, event: LocationEvent): string {
  switch (event.type) {
    case 'LocationCreated': {
      const l = event.data;
      return pgp.as.format(`insert into ${s}.locations (code, name, parent, type) values ($1, $2, $3, $4) on conflict (code) do nothing`, [
        l.code,
        l.name ?? null,
        l.parent ?? null,
        l.type,
      ]);
    }
    case 'LocationBlocked':
    case 'LocationUnblocked':
      return pgp.as.format(`update ${s}.locations set blocked = $2 where code = $1`, [event.data.code, event.type === 'LocationBlocked']);
    default: {
      const never: never = event;
      return never;
    }
  }
}

/** The warehouse's locations: created once (a tree by `parent`), blocked and unblocked. */
export const locations: ReadModel<LocationChanges> = {
  name: 'locations',
  tables: ['locations'],
  changes: () => [],
  evolve: {
    LocationCreated: record,
    LocationBlocked: record,
    LocationUnblocked: record,
    ...articleEvents,
    ...stockEvents,
    ...recordEvents,
    ...userEvents,
  },
  write: writeInOrder(statement),
  applyInMemory(tables, changes) {
    const table = memoryTable(tables, 'locations');
    for (const event of changes) {
      const { code } = event.data;
      const row = table.get(code);
      if (event.type === 'LocationCreated') {
        if (!row) table.set(code, { code, name: event.data.name ?? null, parent: event.data.parent ?? null, type: event.data.type, blocked: false });
      } else if (row) table.set(code, { ...row, blocked: event.type === 'LocationBlocked' });
    }
  },
};
