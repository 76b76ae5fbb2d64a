import { movesOf, type Move, type StockEvent } from '../../domain/stock/events.js';
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
export const notStock = {
  ArticleRegistered: ignored,
  ArticleUpdated: ignored,
  ArticleArchived: ignored,
  LocationCreated: ignored,
  LocationBlocked: ignored,
  LocationUnblocked: ignored,
  MovementRecorded: ignored,
  MovementReversed: ignored,
  ReservationPlaced: ignored,
  ReservationReleased: ignored,
  UserRoleChanged: ignored,
  UserDisabled: ignored,
  UserEnabled: ignored,
  UserDeleted: ignored,
  UserPasswordChanged: ignored,
  UserPasswordReset: ignored,
  UserSessionsEnded: ignored,
} as const;
