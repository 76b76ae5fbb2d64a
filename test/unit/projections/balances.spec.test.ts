import { describe, it } from '@jest/globals';
import { balances } from '../../../src/projections/read-models/balances.js';
import { eventsInOrder, projectionSpec } from './projection-spec.js';

const units = (n: number): number => n * 1000;
const line = { movementId: 'm-1', line: 0, sku: 'BOLT' };

describe('balances read model (balances, lots)', () => {
  const spec = projectionSpec(balances);

  it('books a receipt against @supplier: an article sums to zero over every location', () => {
    const event = eventsInOrder();
    spec.given(event('StockReceived', { ...line, to: 'A-01', quantity: units(10) })).then({
      balances: [
        { sku: 'BOLT', location: '@supplier', lot: '', on_hand: -units(10) },
        { sku: 'BOLT', location: 'A-01', lot: '', on_hand: units(10) },
      ],
    });
  });

  it('keeps lots apart in real locations but not in virtual ones, and the expiry of a lot from its first receipt', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: units(4), lot: 'L1', expiresOn: '2027-01-31' }),
        event('StockReceived', { ...line, to: 'A-01', quantity: units(1), lot: 'L1', expiresOn: '2028-12-31' }),
        event('StockReceived', { ...line, to: 'A-01', quantity: units(2), lot: 'L2' }),
      )
      .then({
        balances: [
          { sku: 'BOLT', location: '@supplier', lot: '', on_hand: -units(7) },
          { sku: 'BOLT', location: 'A-01', lot: 'L1', on_hand: units(5) },
          { sku: 'BOLT', location: 'A-01', lot: 'L2', on_hand: units(2) },
        ],
        lots: [
          { sku: 'BOLT', lot: 'L1', expires_on: '2027-01-31' },
          { sku: 'BOLT', lot: 'L2', expires_on: null },
        ],
      });
  });

  it('drops a row that comes back to zero, as if it had never been', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: units(3) }),
        event('StockTransferred', { ...line, from: 'A-01', to: 'B-02', quantity: units(3) }),
        event('StockShipped', { ...line, from: 'B-02', quantity: units(1) }),
      )
      .then({
        balances: [
          { sku: 'BOLT', location: '@supplier', lot: '', on_hand: -units(3) },
          { sku: 'BOLT', location: 'B-02', lot: '', on_hand: units(2) },
          { sku: 'BOLT', location: '@customer', lot: '', on_hand: units(1) },
        ],
      });
  });

  it('moves adjustments through @loss, counts through @count, returns from @customer, and reversals back', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: units(10) }),
        event('StockAdjusted', { ...line, location: 'A-01', delta: -units(2), reason: 'damaged' }),
        event('StockCounted', { ...line, location: 'A-01', counted: units(9), expected: units(8), difference: units(1) }),
        event('StockReturned', { ...line, to: 'A-01', quantity: units(1), reason: 'unwanted' }),
        event('StockMovementReversed', { ...line, reversedMovementId: 'm-0', from: 'A-01', to: '@supplier', quantity: units(10), reason: 'wrong delivery' }),
      )
      .then({
        balances: [
          { sku: 'BOLT', location: '@loss', lot: '', on_hand: units(2) },
          { sku: 'BOLT', location: '@count', lot: '', on_hand: -units(1) },
          { sku: 'BOLT', location: '@customer', lot: '', on_hand: -units(1) },
        ],
      });
  });

  it('is not changed by reservations, the catalog, movement records or user administration', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('ArticleRegistered', { sku: 'BOLT', name: 'Bolt', unit: 'pcs', tracking: 'none' }),
        event('StockReserved', { ...line, reference: 'SO-1', location: 'A-01', quantity: units(1) }),
        event('StockReservationReleased', { ...line, reference: 'SO-1', location: 'A-01', quantity: units(1) }),
        event('MovementRecorded', { movementId: 'm-1', kind: 'reserved', lines: [] }),
        event('UserDisabled', { username: 'bob', userId: 'u-2', sessionsEnded: 1 }),
      )
      .then({});
  });
});
