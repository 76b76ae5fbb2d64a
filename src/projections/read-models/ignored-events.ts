import { ignored } from './read-model.js';

/*
 * Groups of event types that a read model may have nothing to do with, for its handler map.
 * Spread into the map, each type is still a key of the map's type, so a read model that forgets
 * a group, or an event type that is in no group and no handler, fails `npm run typecheck`.
 * Adding a new type to a group is a decision for every read model that spreads it.
 */

/** The catalog's events. */
export const articleEvents = { ArticleRegistered: ignored, ArticleUpdated: ignored, ArticleArchived: ignored } as const;

/** The locations' events. */
export const locationEvents = { LocationCreated: ignored, LocationBlocked: ignored, LocationUnblocked: ignored } as const;

/** Every stock movement event (the stock read models read them; the others do not). */
export const stockEvents = {
  StockReceived: ignored,
  StockTransferred: ignored,
  StockReserved: ignored,
  StockReservationReleased: ignored,
  StockShipped: ignored,
  StockReturned: ignored,
  StockAdjusted: ignored,
  StockCounted: ignored,
  StockMovementReversed: ignored,
} as const;

/** The movement and reservation records: their lines are in the stock events. */
export const recordEvents = { MovementRecorded: ignored, MovementReversed: ignored, ReservationPlaced: ignored, ReservationReleased: ignored } as const;

/** User administration, audited in the event store but read by no read model. */
export const userEvents = {
  UserRoleChanged: ignored,
  UserDisabled: ignored,
  UserEnabled: ignored,
  UserDeleted: ignored,
  UserPasswordChanged: ignored,
  UserPasswordReset: ignored,
  UserSessionsEnded: ignored,
} as const;
