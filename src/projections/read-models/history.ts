import { isVirtualLocation } from '../../domain/locations.js';
import type { ReadModel } from './read-model.js';
import { movesOfEvent, notStock, onEveryMove, type MovingEvent } from './stock-events.js';
import { addDelta, applyTotalsInMemory, writeTotals, type TotalDelta, type TotalsTable } from './totals.js';

/** A batch's changes to daily history: net change per (article, real location, business day). */
export type HistoryChanges = Map<string, TotalDelta>;

const dailyTable: TotalsTable = { table: 'stock_daily', keys: ['sku', 'location', 'day'], lastKeyType: 'date', total: 'net_change' };

function move(changes: HistoryChanges, event: MovingEvent): void {
  const { sku } = event.data;
  // The business day, not the recording time: back-dated movements land on their own day.
  const day = event.metadata.occurredAt.slice(0, 10);
  for (const { from, to, quantity } of movesOfEvent(event)) {
    if (!isVirtualLocation(from)) addDelta(changes, sku, from, day, -quantity);
    if (!isVirtualLocation(to)) addDelta(changes, sku, to, day, quantity);
  }
}

/** Daily stock history for charts: the net change of on hand per article, real location and day; days that net to zero have no row. */
export const history: ReadModel<HistoryChanges> = {
  name: 'history',
  tables: ['stock_daily'],
  changes: () => new Map(),
  evolve: {
    ...notStock,
    ...onEveryMove(move),
  },
  write: (t, s, changes) => writeTotals(t, s, dailyTable, changes.values()),
  applyInMemory: (tables, changes) => applyTotalsInMemory(tables, dailyTable, changes.values()),
};
