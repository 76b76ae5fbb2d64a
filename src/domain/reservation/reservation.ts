import { assertNever, type Decider } from '../decider.js';
import { UnknownReservation } from '../errors.js';

/**
 * A reservation reference (an order, `SO-77`) and the articles reserved under it
 * (`reservation-<reference>`). The quantities live in each article's stock stream; this stream
 * tells a release which articles to look at.
 */
export type ReservationCommand =
  | { readonly type: 'PlaceReservation'; readonly data: { readonly reference: string; readonly movementId: string; readonly skus: readonly string[] } }
  | { readonly type: 'ReleaseReservation'; readonly data: { readonly reference: string; readonly movementId: string } };

export type ReservationEvent =
  | { readonly type: 'ReservationPlaced'; readonly data: { readonly reference: string; readonly movementId: string; readonly skus: readonly string[] } }
  | { readonly type: 'ReservationReleased'; readonly data: { readonly reference: string; readonly movementId: string } };

export interface ReservationState {
  /** Every article ever reserved under the reference. */
  readonly skus: ReadonlySet<string>;
}

/** The reservation decider: which articles a reference has reserved. */
export const reservationDecider: Decider<ReservationCommand, ReservationEvent, ReservationState> = {
  initialState: () => ({ skus: new Set() }),
  decide(command, state) {
    switch (command.type) {
      case 'PlaceReservation':
        return [{ type: 'ReservationPlaced', data: command.data }];
      case 'ReleaseReservation':
        if (state.skus.size === 0) throw new UnknownReservation(command.data.reference);
        return [{ type: 'ReservationReleased', data: command.data }];
      default:
        return assertNever(command);
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'ReservationPlaced':
        return { skus: new Set([...state.skus, ...event.data.skus]) };
      case 'ReservationReleased':
        return state;
      default:
        return assertNever(event);
    }
  },
};
