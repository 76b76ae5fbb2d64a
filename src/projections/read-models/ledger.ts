import { writeLedger, type LedgerRow } from '../write-ledger.js';
import { ignored, memoryTable, type ReadModel } from './read-model.js';
import { movesOfEvent, notStock, type MovingEvent, type MovingEventType } from './stock-events.js';

/** The ledger's rows of one event: one per move, `kind` naming the movement. */
function rows(kind: string): (changes: LedgerRow[], event: MovingEvent) => void {
  return (changes, event) => {
    const { data, metadata } = event;
    const reference = 'reference' in data ? (data.reference ?? null) : null;
    const moves = movesOfEvent(event);
    for (let seq = 0; seq < moves.length; seq += 1) {
      const { from, to, quantity, lot, serials } = moves[seq] as (typeof moves)[number];
      changes.push({
        position: event.position,
        seq,
        movementId: data.movementId,
        line: data.line,
        kind,
        sku: data.sku,
        from,
        to,
        quantity,
        lot: lot ?? null,
        serials: serials ?? null,
        reference,
        occurredAt: metadata.occurredAt,
        recordedAt: event.recordedAt,
        user: metadata.user,
      });
    }
  };
}

/** The ledger's kind of each moving event (the API's movement kinds). */
const kinds: Record<MovingEventType, string> = {
  StockReceived: 'received',
  StockTransferred: 'transferred',
  StockShipped: 'shipped',
  StockReturned: 'returned',
  StockAdjusted: 'adjusted',
  StockCounted: 'counted',
  StockMovementReversed: 'reversed',
};

/**
 * The movement ledger: one row per move of every movement line, with its business time, so that
 * balances as of any date are a sum over it. Reservations move nothing and have no rows.
 */
export const ledger: ReadModel<LedgerRow[]> = {
  name: 'ledger',
  tables: ['ledger'],
  changes: () => [],
  evolve: {
    ...notStock,
    StockReceived: rows(kinds.StockReceived),
    StockTransferred: rows(kinds.StockTransferred),
    StockShipped: rows(kinds.StockShipped),
    StockReturned: rows(kinds.StockReturned),
    StockAdjusted: rows(kinds.StockAdjusted),
    StockCounted: rows(kinds.StockCounted),
    StockMovementReversed: rows(kinds.StockMovementReversed),
    StockReserved: ignored,
    StockReservationReleased: ignored,
  },
  write: async (t, s, changes) => {
    if (changes.length > 0) await writeLedger(t, s, changes);
  },
  applyInMemory(tables, changes) {
    const table = memoryTable(tables, 'ledger');
    for (const row of changes) {
      table.set(`${row.position.padStart(20, '0')}\u0000${String(row.seq).padStart(4, '0')}`, {
        position: row.position,
        seq: row.seq,
        movement_id: row.movementId,
        line: row.line,
        kind: row.kind,
        sku: row.sku,
        from_location: row.from,
        to_location: row.to,
        quantity: row.quantity,
        lot: row.lot,
        serials: row.serials,
        reference: row.reference,
        occurred_at: row.occurredAt,
        recorded_at: row.recordedAt,
        user_name: row.user,
      });
    }
  },
};
