import { movesOf, type Move, type StockEvent } from '../../domain/stock/events.js';
import { articleEvents, locationEvents, recordEvents, userEvents } from './ignored-events.js';
import { ignored, type ProjectionEvent } from './read-model.js';

/** Event types that move stock from one location to another (every stock event but reservations). */
export type MovingEventType = Exclude<StockEvent['type'], 'StockReserved' | 'StockReservationReleased'>;

/** An event that moves stock. */
export type MovingEvent = ProjectionEvent<MovingEventType>;

/** The last event asked about and its moves: every stock read model asks in turn about the same event. */
let last: { readonly event: MovingEvent; readonly moves: readonly Move[] } | undefined;

/**
 * The moves of a stock event (the domain's double entry, see movesOf), computed once for the
 * read models that ask one after the other (events are immutable, and so are the moves given out).
 */
export function movesOfEvent(event: MovingEvent): readonly Move[] {
  if (last?.event !== event) last = { event, moves: movesOf(event) };
  return last.moves;
}

/**
 * The handlers of event types no stock table reads: the catalog's, the movement and reservation
 * records (their lines are in the stock events), and user administration. Spread into a handler
 * map, they are still listed one by one in its type: a new event type is not among them.
 */
export const notStock = { ...articleEvents, ...locationEvents, ...recordEvents, ...userEvents } as const;

/**
 * The stock-event handlers of a read model that does the same with every moving event and
 * nothing with reservations (history, serials, balances but for its receipts): spread into its
 * handler map, and override what differs.
 */
export function onEveryMove<Changes>(handler: (changes: Changes, event: MovingEvent) => void) {
  return {
    StockReceived: handler,
    StockTransferred: handler,
    StockShipped: handler,
    StockReturned: handler,
    StockAdjusted: handler,
    StockCounted: handler,
    StockMovementReversed: handler,
    StockReserved: ignored,
    StockReservationReleased: ignored,
  } as const;
}
