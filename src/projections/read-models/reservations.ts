import { ignored, type ReadModel } from './read-model.js';
import { notStock } from './stock-events.js';
import { addDelta, applyTotalsInMemory, writeTotals, type TotalDelta, type TotalsTable } from './totals.js';

/** A batch's changes to reservations: quantity deltas per (reference, article, location or '' for anywhere). */
export type ReservationChanges = Map<string, TotalDelta>;

const reservationsTable: TotalsTable = { table: 'reservations', keys: ['reference', 'sku', 'location'], lastKeyType: 'text', total: 'quantity' };

/**
 * Open reservations per reference, article and location: placed, released, and consumed by the
 * shipments made for their reference; a reservation back at zero disappears.
 */
export const reservations: ReadModel<ReservationChanges> = {
  name: 'reservations',
  tables: ['reservations'],
  changes: () => new Map(),
  evolve: {
    ...notStock,
    StockReserved: (changes, { data }) => addDelta(changes, data.reference, data.sku, data.location ?? '', data.quantity),
    StockReservationReleased: (changes, { data }) => addDelta(changes, data.reference, data.sku, data.location ?? '', -data.quantity),
    StockShipped: (changes, { data }) => {
      if (data.reference === undefined) return;
      for (const part of data.reservationConsumed ?? []) addDelta(changes, data.reference, data.sku, part.location ?? '', -part.quantity);
    },
    StockReceived: ignored,
    StockTransferred: ignored,
    StockReturned: ignored,
    StockAdjusted: ignored,
    StockCounted: ignored,
    StockMovementReversed: ignored,
  },
  write: (t, s, changes) => writeTotals(t, s, reservationsTable, changes.values()),
  applyInMemory: (tables, changes) => applyTotalsInMemory(tables, reservationsTable, changes.values()),
};
