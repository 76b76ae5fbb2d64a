import { describe, it } from '@jest/globals';
import { ledger } from '../../../src/projections/read-models/ledger.js';
import { eventsInOrder, occurredAt, projectionSpec, recordedAt } from './projection-spec.js';

const line = { movementId: 'm-1', line: 0, sku: 'BOLT' };

/** A ledger row with the fixtures' defaults: what a spec does not name is what every event here has. */
const row = (columns: Record<string, unknown>) => ({
  movement_id: 'm-1',
  line: 0,
  sku: 'BOLT',
  lot: null,
  serials: null,
  reference: null,
  occurred_at: occurredAt,
  recorded_at: recordedAt,
  user_name: 'alice',
  ...columns,
});

describe('ledger read model', () => {
  const spec = projectionSpec(ledger);

  it('has one row per move with its kind, business time and user, keyed by position and seq', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReceived', { ...line, to: 'A-01', quantity: 5000, lot: 'L1', reference: 'PO-7' }, { occurredAt: '2026-01-15T08:00:00.000Z', user: 'bob' }),
        event('StockTransferred', { ...line, line: 1, from: 'A-01', to: 'B-02', quantity: 2000, lot: 'L1' }),
        event('StockShipped', { ...line, from: 'B-02', quantity: 1000, lot: 'L1', reference: 'SO-1' }),
        event('StockReturned', { ...line, to: 'R-01', quantity: 1000, lot: 'L1', reason: 'wrong-item', reference: 'SO-1' }),
        event('StockAdjusted', { ...line, location: 'R-01', delta: -1000, lot: 'L1', reason: 'damaged' }),
        event('StockMovementReversed', { ...line, movementId: 'm-9', reversedMovementId: 'm-1', from: 'B-02', to: 'A-01', quantity: 1000, lot: 'L1', reason: 'mistake' }),
      )
      .then({
        ledger: [
          row({ position: '1', seq: 0, kind: 'received', from_location: '@supplier', to_location: 'A-01', quantity: 5000, lot: 'L1', reference: 'PO-7', occurred_at: '2026-01-15T08:00:00.000Z', user_name: 'bob' }),
          row({ position: '2', seq: 0, line: 1, kind: 'transferred', from_location: 'A-01', to_location: 'B-02', quantity: 2000, lot: 'L1' }),
          row({ position: '3', seq: 0, kind: 'shipped', from_location: 'B-02', to_location: '@customer', quantity: 1000, lot: 'L1', reference: 'SO-1' }),
          row({ position: '4', seq: 0, kind: 'returned', from_location: '@customer', to_location: 'R-01', quantity: 1000, lot: 'L1', reference: 'SO-1' }),
          row({ position: '5', seq: 0, kind: 'adjusted', from_location: 'R-01', to_location: '@loss', quantity: 1000, lot: 'L1' }),
          row({ position: '6', seq: 0, movement_id: 'm-9', kind: 'reversed', from_location: 'B-02', to_location: 'A-01', quantity: 1000, lot: 'L1' }),
        ],
      });
  });

  it('gives a count that finds and misses serials two rows of one position, and a count that matches none', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockCounted', { ...line, location: 'A-01', counted: 1000, expected: 1000, difference: 0, serialsFound: ['S9'], serialsMissing: ['S2'] }),
        event('StockCounted', { ...line, location: 'A-01', counted: 1000, expected: 1000, difference: 0 }),
      )
      .then({
        ledger: [
          row({ position: '1', seq: 0, kind: 'counted', from_location: '@count', to_location: 'A-01', quantity: 1000, serials: ['S9'] }),
          row({ position: '1', seq: 1, kind: 'counted', from_location: 'A-01', to_location: '@count', quantity: 1000, serials: ['S2'] }),
        ],
      });
  });

  it('has no rows for reservations (they move nothing), movement records, the catalog or user administration', () => {
    const event = eventsInOrder();
    spec
      .given(
        event('StockReserved', { ...line, reference: 'SO-1', location: 'A-01', quantity: 1000 }),
        event('StockReservationReleased', { ...line, reference: 'SO-1', location: 'A-01', quantity: 1000 }),
        event('MovementReversed', { movementId: 'm-1', reversedBy: 'm-9' }),
        event('ReservationReleased', { reference: 'SO-1', movementId: 'm-2' }),
        event('ArticleUpdated', { sku: 'BOLT', changes: { name: 'Bolt M8' } }),
        event('UserDeleted', { username: 'bob', userId: 'u-2', sessionsEnded: 0, role: 'clerk' }),
      )
      .then({});
  });
});
