import { describe, expect, it } from '@jest/globals';
import type { StockLine } from '../../src/projections/queries.js';
import { shareOutReservations } from '../../src/projections/reserved-stock.js';

const line = (location: string, lot: string | null, onHand: number, reservedAtLocation: number): StockLine => ({
  sku: 'MILK',
  location,
  lot,
  expiresOn: null,
  lastCountedAt: null,
  onHand,
  reserved: reservedAtLocation,
});

describe('sharing reservations out over stock lines (FEFO)', () => {
  it('gives a location reservation to its first-expiring lots, and an anywhere reservation to what is left', () => {
    // FEFO order as stockLinesWithReservations returns it: L1 expires first.
    const lines = [line('A', 'L1', 3, 5), line('A', 'L2', 10, 5), line('B', 'L3', 4, 0)];
    const reserved = shareOutReservations(lines, new Map([['MILK', 6]]));
    expect([...reserved.values()]).toEqual([3, 8, 0]);
    // 3 + 2 at A for its own reservation of 5, then 6 anywhere: 0 left on L1, 6 of L2's 8 free.
    const total = [...reserved.values()].reduce((sum, value) => sum + value, 0);
    expect(total).toBe(5 + 6);
  });

  it('keeps what stock cannot cover on the last line, so the lines add up to what is reserved', () => {
    const reserved = shareOutReservations([line('A', null, 2, 5)], new Map([['MILK', 1]]));
    expect([...reserved.values()]).toEqual([6]);
  });
});
