import { describe, expect, it } from '@jest/globals';
import { fold } from '../../../src/domain/decider.js';
import { UnknownReservation } from '../../../src/domain/errors.js';
import { reservationDecider, type ReservationEvent } from '../../../src/domain/reservation/reservation.js';
import { spec } from './given-when-then.js';

const reservation = spec(reservationDecider);

const placed = (movementId: string, skus: string[]): ReservationEvent => ({ type: 'ReservationPlaced', data: { reference: 'SO-77', movementId, skus } });

describe('PlaceReservation', () => {
  it('records the articles reserved under a reference', () => {
    reservation
      .given([])
      .when({ type: 'PlaceReservation', data: { reference: 'SO-77', movementId: 'mv-1', skus: ['BOLT-M8', 'NUT-M8'] } })
      .then([placed('mv-1', ['BOLT-M8', 'NUT-M8'])]);
  });

  it('adds to a reference that already reserved, and the state collects every article once', () => {
    reservation
      .given([placed('mv-1', ['BOLT-M8'])])
      .when({ type: 'PlaceReservation', data: { reference: 'SO-77', movementId: 'mv-2', skus: ['BOLT-M8', 'WASHER-8'] } })
      .then([placed('mv-2', ['BOLT-M8', 'WASHER-8'])]);
    const state = fold(reservationDecider, [placed('mv-1', ['BOLT-M8']), placed('mv-2', ['BOLT-M8', 'WASHER-8'])]);
    expect([...state.skus].sort()).toEqual(['BOLT-M8', 'WASHER-8']);
  });
});

describe('ReleaseReservation', () => {
  it('releases a reference that reserved articles', () => {
    reservation
      .given([placed('mv-1', ['BOLT-M8'])])
      .when({ type: 'ReleaseReservation', data: { reference: 'SO-77', movementId: 'mv-2' } })
      .then([{ type: 'ReservationReleased', data: { reference: 'SO-77', movementId: 'mv-2' } }]);
  });

  it('keeps the articles after a release, so a later release still finds what to look at', () => {
    const state = fold(reservationDecider, [placed('mv-1', ['BOLT-M8']), { type: 'ReservationReleased', data: { reference: 'SO-77', movementId: 'mv-2' } }]);
    expect([...state.skus]).toEqual(['BOLT-M8']);
  });

  it('refuses a reference that never reserved anything', () => {
    reservation.given([]).when({ type: 'ReleaseReservation', data: { reference: 'SO-404', movementId: 'mv-2' } }).thenThrows(UnknownReservation, { reference: 'SO-404' });
  });
});
