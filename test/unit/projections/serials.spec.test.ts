import { describe, it } from '@jest/globals';
import { serials } from '../../../src/projections/read-models/serials.js';
import { eventsInOrder, projectionSpec } from './projection-spec.js';

const line = { movementId: 'm-1', line: 0, sku: 'LAPTOP' };

describe('serials read model', () => {
  const spec = projectionSpec(serials);

  it('knows where each serial is now: received, moved, shipped to @customer', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: 3000, serials: ['S1', 'S2', 'S3'] }),
        event('StockTransferred', { ...line, from: 'A-01', to: 'B-02', quantity: 1000, serials: ['S1'] }),
        event('StockShipped', { ...line, from: 'A-01', quantity: 1000, serials: ['S2'] }),
      )
      .then({
        serials: [
          { sku: 'LAPTOP', serial: 'S1', location: 'B-02' },
          { sku: 'LAPTOP', serial: 'S2', location: '@customer' },
          { sku: 'LAPTOP', serial: 'S3', location: 'A-01' },
        ],
      });
  });

  it('follows counts (found from @count, missing to @count), adjustments, returns and reversals', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: 2000, serials: ['S1', 'S2'] }),
        event('StockCounted', { ...line, location: 'A-01', counted: 2000, expected: 2000, difference: 0, serialsFound: ['S9'], serialsMissing: ['S2'] }),
        event('StockAdjusted', { ...line, location: 'A-01', delta: -1000, serials: ['S1'], reason: 'lost' }),
        event('StockReturned', { ...line, to: 'R-01', quantity: 1000, serials: ['S7'], reason: 'damaged' }),
        event('StockMovementReversed', { ...line, reversedMovementId: 'm-0', from: 'R-01', to: '@customer', quantity: 1000, serials: ['S7'], reason: 'mistake' }),
      )
      .then({
        serials: [
          { sku: 'LAPTOP', serial: 'S1', location: '@loss' },
          { sku: 'LAPTOP', serial: 'S2', location: '@count' },
          { sku: 'LAPTOP', serial: 'S7', location: '@customer' },
          { sku: 'LAPTOP', serial: 'S9', location: 'A-01' },
        ],
      });
  });

  it('has no rows for articles moved without serials, reservations, the catalog or user administration', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: 2000 }),
        event('StockReserved', { ...line, reference: 'SO-1', quantity: 1000 }),
        event('ArticleArchived', { sku: 'LAPTOP' }),
        event('UserPasswordReset', { username: 'bob', userId: 'u-2', sessionsEnded: 2 }),
      )
      .then({});
  });
});
