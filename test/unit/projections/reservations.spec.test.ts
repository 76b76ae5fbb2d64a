import { describe, it } from '@jest/globals';
import { reservations } from '../../../src/projections/read-models/reservations.js';
import { eventsInOrder, projectionSpec } from './projection-spec.js';

const units = (n: number): number => n * 1000;
const line = { movementId: 'm-1', line: 0, sku: 'BOLT' };

describe('reservations read model', () => {
  const spec = projectionSpec(reservations);

  it('keeps what is reserved per reference, article and location, "anywhere" as the empty location', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReserved', { ...line, reference: 'SO-1', location: 'A-01', quantity: units(5) }),
        event('StockReserved', { ...line, reference: 'SO-1', quantity: units(2) }),
        event('StockReserved', { ...line, reference: 'SO-2', location: 'A-01', quantity: units(1) }),
        event('StockReservationReleased', { ...line, reference: 'SO-1', quantity: units(1) }),
      )
      .then({
        reservations: [
          { reference: 'SO-1', sku: 'BOLT', location: 'A-01', quantity: units(5) },
          { reference: 'SO-1', sku: 'BOLT', location: '', quantity: units(1) },
          { reference: 'SO-2', sku: 'BOLT', location: 'A-01', quantity: units(1) },
        ],
      });
  });

  it('lets a shipment for a reference consume its reservation, and a reservation at zero disappears', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReserved', { ...line, reference: 'SO-1', location: 'A-01', quantity: units(5) }),
        event('StockReserved', { ...line, reference: 'SO-1', quantity: units(2) }),
        event('StockShipped', {
          ...line,
          from: 'A-01',
          quantity: units(6),
          reference: 'SO-1',
          reservationConsumed: [{ location: 'A-01', quantity: units(5) }, { quantity: units(1) }],
        }),
      )
      .then({ reservations: [{ reference: 'SO-1', sku: 'BOLT', location: '', quantity: units(1) }] });
  });

  it('is not changed by a shipment without a reference, nor by stock moves, the catalog or user administration', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReserved', { ...line, reference: 'SO-1', location: 'A-01', quantity: units(5) }),
        event('StockShipped', { ...line, from: 'A-01', quantity: units(5), reservationConsumed: [{ location: 'A-01', quantity: units(5) }] }),
        event('StockReceived', { ...line, to: 'A-01', quantity: units(1), reference: 'SO-1' }),
        event('ReservationPlaced', { reference: 'SO-1', movementId: 'm-1', skus: ['BOLT'] }),
        event('LocationCreated', { code: 'A-01', type: 'storage' }),
        event('UserRoleChanged', { username: 'bob', userId: 'u-2', sessionsEnded: 0, from: 'clerk', to: 'admin' }),
      )
      .then({ reservations: [{ reference: 'SO-1', sku: 'BOLT', location: 'A-01', quantity: units(5) }] });
  });
});
