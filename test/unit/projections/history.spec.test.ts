import { describe, it } from '@jest/globals';
import { history } from '../../../src/projections/read-models/history.js';
import { eventsInOrder, projectionSpec } from './projection-spec.js';

const units = (n: number): number => n * 1000;
const line = { movementId: 'm-1', line: 0, sku: 'BOLT' };
const on = (day: string) => ({ occurredAt: `${day}T09:30:00.000Z` });

describe('history read model (stock_daily)', () => {
  const spec = projectionSpec(history);

  it('sums the net change per article, real location and business day; virtual locations have no history', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: units(10) }, on('2026-03-01')),
        event('StockReceived', { ...line, to: 'A-01', quantity: units(5) }, on('2026-03-01')),
        event('StockTransferred', { ...line, from: 'A-01', to: 'B-02', quantity: units(4) }, on('2026-03-02')),
        event('StockShipped', { ...line, from: 'B-02', quantity: units(1) }, on('2026-03-02')),
      )
      .then({
        stock_daily: [
          { sku: 'BOLT', location: 'A-01', day: '2026-03-01', net_change: units(15) },
          { sku: 'BOLT', location: 'A-01', day: '2026-03-02', net_change: -units(4) },
          { sku: 'BOLT', location: 'B-02', day: '2026-03-02', net_change: units(3) },
        ],
      });
  });

  it('books a back-dated movement on its business day, and a day that nets to zero has no row', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: units(2) }, on('2026-03-05')),
        event('StockAdjusted', { ...line, location: 'A-01', delta: -units(2), reason: 'lost' }, on('2026-03-05')),
        event('StockCounted', { ...line, location: 'A-01', counted: units(1), expected: 0, difference: units(1) }, on('2026-02-20')),
        event('StockReturned', { ...line, to: 'A-01', quantity: units(1), reason: 'other' }, on('2026-02-20')),
        event('StockMovementReversed', { ...line, reversedMovementId: 'm-0', from: 'A-01', to: '@customer', quantity: units(1), reason: 'x' }, on('2026-02-21')),
      )
      .then({
        stock_daily: [
          { sku: 'BOLT', location: 'A-01', day: '2026-02-20', net_change: units(2) },
          { sku: 'BOLT', location: 'A-01', day: '2026-02-21', net_change: -units(1) },
        ],
      });
  });

  it('is not changed by reservations, the catalog or user administration', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReserved', { ...line, reference: 'SO-1', location: 'A-01', quantity: units(1) }),
        event('LocationBlocked', { code: 'A-01' }),
        event('UserSessionsEnded', { username: 'bob', userId: 'u-2', sessionsEnded: 3 }),
      )
      .then({});
  });
});
