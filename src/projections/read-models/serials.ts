import { textArray } from '../array-literal.js';
import { memoryTable, type ReadModel } from './read-model.js';
import { movesOfEvent, notStock, onEveryMove, type MovingEvent } from './stock-events.js';

/** A batch's changes to serials: the last location each serial moved to. */
export type SerialChanges = Map<string, { readonly sku: string; readonly serial: string; readonly location: string }>;

function move(changes: SerialChanges, event: MovingEvent): void {
  const { sku } = event.data;
  for (const { to, serials = [] } of movesOfEvent(event)) {
    for (const serial of serials) changes.set(`${sku}\u0000${serial}`, { sku, serial, location: to });
  }
}

/** Serials: where each serial number of an article is now (a virtual location once it has left). */
export const serials: ReadModel<SerialChanges> = {
  name: 'serials',
  tables: ['serials'],
  changes: () => new Map(),
  evolve: {
    ...notStock,
    ...onEveryMove(move),
  },
  async write(t, s, changes) {
    const rows = [...changes.values()];
    if (rows.length === 0) return;
    await t.none({
      text: `insert into ${s}.serials (sku, serial, location) select * from unnest($1::text[], $2::text[], $3::text[])
             on conflict (sku, serial) do update set location = excluded.location`,
      values: [textArray(rows.map((r) => r.sku)), textArray(rows.map((r) => r.serial)), textArray(rows.map((r) => r.location))],
    });
  },
  applyInMemory(tables, changes) {
    const table = memoryTable(tables, 'serials');
    for (const [id, { sku, serial, location }] of changes) table.set(id, { sku, serial, location });
  },
};
