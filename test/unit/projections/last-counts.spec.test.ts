import { describe, it } from '@jest/globals';
import { lastCounts } from '../../../src/projections/read-models/last-counts.js';
import { eventsInOrder, projectionSpec } from './projection-spec.js';

const line = { movementId: 'm-1', line: 0, sku: 'BOLT' };
const count = { ...line, location: 'A-01', counted: 5000, expected: 5000, difference: 0, serialsFound: [], serialsMissing: [] };

describe('last-counts read model', () => {
  const spec = projectionSpec(lastCounts);

  it('records the business time of the latest count per article and location, whatever the count found', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockCounted', count, { occurredAt: '2026-03-01T08:00:00.000Z' }),
        event('StockCounted', { ...count, counted: 4000, difference: -1000 }, { occurredAt: '2026-03-02T09:30:00.000Z' }),
        event('StockCounted', { ...count, location: 'B-02', lot: 'L1' }, { occurredAt: '2026-03-03T10:00:00.000Z' }),
        event('StockCounted', { ...count, sku: 'NUT' }, { occurredAt: '2026-03-04T11:00:00.000Z' }),
      )
      .then({
        last_counts: [
          { sku: 'BOLT', location: 'A-01', counted_at: '2026-03-02T09:30:00.000Z' },
          { sku: 'BOLT', location: 'B-02', counted_at: '2026-03-03T10:00:00.000Z' },
          { sku: 'NUT', location: 'A-01', counted_at: '2026-03-04T11:00:00.000Z' },
        ],
      });
  });

  it('keeps the later count when an earlier one is recorded after it (back-dated)', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockCounted', count, { occurredAt: '2026-03-05T12:00:00.000Z' }),
        event('StockCounted', count, { occurredAt: '2026-03-01T12:00:00.000+02:00' }),
      )
      .then({ last_counts: [{ sku: 'BOLT', location: 'A-01', counted_at: '2026-03-05T12:00:00.000Z' }] });
  });

  it('has no rows for other movements: a receipt, a transfer or an adjustment is no count', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: 2000 }),
        event('StockTransferred', { ...line, from: 'A-01', to: 'B-02', quantity: 1000 }),
        event('StockAdjusted', { ...line, location: 'A-01', delta: -1000, reason: 'lost' }),
        event('ArticleArchived', { sku: 'BOLT' }),
      )
      .then({});
  });
});
