import { describe, expect, it } from '@jest/globals';
import { InsufficientStock, InvalidQuantity, LocationBlocked, LotRequired, SerialNotAtLocation, SerialsMismatch, UnknownArticle, UnknownLocation, VirtualLocationNotAllowed } from '../../../src/domain/errors.js';
import { onHandAt, sumOverAllLocations } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';
import { spec } from './given-when-then.js';
import { command, context, event, received, stateAfter, units } from './stock-fixtures.js';

const stock = spec(stockDecider);
const serialTracked = context({ tracking: 'serial' });
const stocked = [received('mv-1', 'A-01', units(6))];
/** SN1 and SN2 in A-01, SN3 shipped to the customer. */
const serials = [received('mv-1', 'A-01', units(3), { serials: ['SN1', 'SN2', 'SN3'] }), event('StockShipped', { movementId: 'mv-2', line: 0, from: 'A-01', quantity: 1000, serials: ['SN3'] })];
const count = (lines: Parameters<typeof command<'CountStock'>>[1]['lines'], location = 'A-01') => command('CountStock', { location, lines });

describe('CountStock', () => {
  it('moves a positive difference from @count', () => {
    const counted = event('StockCounted', { line: 0, location: 'A-01', counted: 7250, expected: 6000, difference: 1250 });
    stock.given(stocked).when(count([{ line: 0, counted: units(7.25) }])).then([counted]);
    const state = stateAfter([...stocked, counted]);
    expect([onHandAt(state, 'A-01'), onHandAt(state, '@count'), sumOverAllLocations(state)]).toEqual([7250, -1250, 0]);
  });

  it('moves a negative difference to @count', () => {
    const counted = event('StockCounted', { line: 0, location: 'A-01', counted: 0, expected: 6000, difference: -6000 });
    stock.given(stocked).when(count([{ line: 0, counted: 0 }])).then([counted]);
    expect(onHandAt(stateAfter([...stocked, counted]), '@count')).toBe(6000);
  });

  it('records a count without difference, moving nothing', () => {
    const counted = event('StockCounted', { line: 0, location: 'A-01', counted: 6000, expected: 6000, difference: 0 });
    stock.given(stocked).when(count([{ line: 0, counted: units(6) }])).then([counted]);
    expect(stateAfter([...stocked, counted]).onHand).toEqual(stateAfter(stocked).onHand);
  });

  it('counts in a blocked location (locations are blocked to be counted)', () => {
    stock
      .given(stocked)
      .when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted: units(5) }] }, context({ blocked: ['A-01'] })))
      .then([event('StockCounted', { line: 0, location: 'A-01', counted: 5000, expected: 6000, difference: -1000 })]);
  });

  it('counts each lot at the location', () => {
    const lots = [received('mv-1', 'A-01', units(3), { lot: 'L1' }), received('mv-2', 'A-01', units(4), { lot: 'L2' })];
    stock
      .given(lots)
      .when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted: units(2), lot: 'L1' }, { line: 1, counted: units(5), lot: 'L2' }] }, context({ tracking: 'lot' })))
      .then([
        event('StockCounted', { line: 0, location: 'A-01', lot: 'L1', counted: 2000, expected: 3000, difference: -1000 }),
        event('StockCounted', { line: 1, location: 'A-01', lot: 'L2', counted: 5000, expected: 4000, difference: 1000 }),
      ]);
    stock.given(lots).when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted: 1000 }] }, context({ tracking: 'lot' }))).thenThrows(LotRequired, { line: 0 });
  });

  it('counts serials: the ones listed that were elsewhere are found, the ones not listed are missing', () => {
    const counted = event('StockCounted', { line: 0, location: 'A-01', counted: 2000, expected: 2000, difference: 0, serialsFound: ['SN3'], serialsMissing: ['SN1'] });
    stock.given(serials).when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted: units(2), serials: ['SN2', 'SN3'] }] }, serialTracked)).then([counted]);
    const state = stateAfter([...serials, counted]);
    expect([state.serials.get('SN1'), state.serials.get('SN2'), state.serials.get('SN3')]).toEqual(['@count', 'A-01', 'A-01']);
    expect([onHandAt(state, 'A-01'), sumOverAllLocations(state)]).toEqual([2000, 0]);
  });

  it('counts zero serials: every serial recorded there is missing', () => {
    stock
      .given(serials)
      .when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted: 0 }] }, serialTracked))
      .then([event('StockCounted', { line: 0, location: 'A-01', counted: 0, expected: 2000, difference: -2000, serialsMissing: ['SN1', 'SN2'] })]);
  });

  it('refuses serials not matching the count, a serial recorded in another real location, serials on a zero count', () => {
    const moved = [...serials, event('StockTransferred', { movementId: 'mv-3', line: 0, from: 'A-01', to: 'A-02', quantity: 1000, serials: ['SN2'] })];
    const countSerials = (counted: number, listed?: string[]) =>
      stock.given(moved).when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted, ...(listed ? { serials: listed } : {}) }] }, serialTracked));
    countSerials(2000, ['SN1']).thenThrows(SerialsMismatch, { line: 0 });
    const error = countSerials(2000, ['SN1', 'SN2']).thenThrows(SerialsMismatch, { line: 0 });
    expect(error.message).toMatch(/SN2 is recorded at A-02/);
    countSerials(0, ['SN1']).thenThrows(SerialsMismatch, { line: 0 });
  });

  it('refuses a negative or fractional-thousandths count, virtual and unknown locations', () => {
    stock.given(stocked).when(count([{ line: 0, counted: -1000 }])).thenThrows(InvalidQuantity, { line: 0, field: 'counted' });
    stock.given(stocked).when(count([{ line: 0, counted: 0.5 }])).thenThrows(InvalidQuantity, { field: 'counted' });
    stock.given(stocked).when(count([{ line: 0, counted: 1000 }], '@loss')).thenThrows(VirtualLocationNotAllowed, { location: '@loss', field: 'location' });
    stock.given(stocked).when(count([{ line: 0, counted: 1000 }], 'Z-99')).thenThrows(UnknownLocation, { location: 'Z-99' });
  });

  it('refuses a fractional count of a serial-tracked article as an invalid count', () => {
    stock
      .given(serials)
      .when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted: units(1.5), serials: ['SN1'] }] }, serialTracked))
      .thenThrows(InvalidQuantity, { line: 0, field: 'counted' });
  });

  it('refuses a count below what is reserved there, unless negative stock is allowed', () => {
    const reservedHistory = [...stocked, event('StockReserved', { movementId: 'mv-r', line: 0, reference: 'SO-1', location: 'A-01', quantity: 4000 })];
    stock.given(reservedHistory).when(count([{ line: 0, counted: units(3) }])).thenThrows(InsufficientStock, { location: 'A-01', requested: 3, available: 2 });
    stock
      .given(reservedHistory)
      .when(command('CountStock', { location: 'A-01', lines: [{ line: 0, counted: units(3) }] }, context({ allowNegativeStock: true })))
      .then([event('StockCounted', { line: 0, location: 'A-01', counted: 3000, expected: 6000, difference: -3000 })]);
  });
});

describe('ReverseStockMovement', () => {
  const reverse = (lines: Parameters<typeof command<'ReverseStockMovement'>>[1]['lines'], facts = context()) => command('ReverseStockMovement', { reversedMovementId: 'mv-1', reason: 'booked twice', lines }, facts);
  const reversed = (line: number, from: string, to: string, quantity: number, extra: { lot?: string; serials?: string[] } = {}) =>
    event('StockMovementReversed', { line, reversedMovementId: 'mv-1', from, to, quantity, reason: 'booked twice', ...extra });

  it('takes a receipt back to @supplier', () => {
    stock.given(stocked).when(reverse([{ line: 0, from: '@supplier', to: 'A-01', quantity: 6000 }])).then([reversed(0, 'A-01', '@supplier', 6000)]);
    expect(stateAfter([...stocked, reversed(0, 'A-01', '@supplier', 6000)]).onHand.size).toBe(0);
  });

  it('brings a shipment back from @customer, a loss back from @loss, a transfer back to its source', () => {
    const history = [...stocked, event('StockTransferred', { movementId: 'mv-t', line: 0, from: 'A-01', to: 'A-02', quantity: 2000 }), event('StockShipped', { movementId: 'mv-s', line: 0, from: 'A-02', quantity: 1000 })];
    stock
      .given(history)
      .when(reverse([{ line: 0, from: 'A-02', to: '@customer', quantity: 1000 }, { line: 1, from: 'A-01', to: '@loss', quantity: 500 }, { line: 2, from: 'A-01', to: 'A-02', quantity: 1000 }]))
      .then([reversed(0, '@customer', 'A-02', 1000), reversed(1, '@loss', 'A-01', 500), reversed(2, 'A-02', 'A-01', 1000)]);
  });

  it('reverses both moves of a serial count', () => {
    const lines = [{ line: 0, from: '@count', to: 'A-01', quantity: 1000, serials: ['SN3'] }, { line: 0, from: 'A-01', to: '@count', quantity: 1000, serials: ['SN1'] }];
    const counted = event('StockCounted', { movementId: 'mv-1', line: 0, location: 'A-01', counted: 2000, expected: 2000, difference: 0, serialsFound: ['SN3'], serialsMissing: ['SN1'] });
    stock.given([...serials, counted]).when(reverse(lines, serialTracked)).then([reversed(0, 'A-01', '@count', 1000, { serials: ['SN3'] }), reversed(0, '@count', 'A-01', 1000, { serials: ['SN1'] })]);
  });

  it('refuses to take back received goods that were already shipped', () => {
    const history = [...stocked, event('StockShipped', { movementId: 'mv-s', line: 0, from: 'A-01', quantity: 4500 })];
    stock.given(history).when(reverse([{ line: 0, from: '@supplier', to: 'A-01', quantity: 6000 }])).thenThrows(InsufficientStock, { location: 'A-01', requested: 6, available: 1.5, line: 0 });
    stock.given(history).when(reverse([{ line: 0, from: '@supplier', to: 'A-01', quantity: 6000 }], context({ allowNegativeStock: true }))).then([reversed(0, 'A-01', '@supplier', 6000)]);
  });

  it('refuses to take back a lot that is no longer there', () => {
    const history = [received('mv-1', 'A-01', units(2), { lot: 'L1' }), received('mv-2', 'A-01', units(9), { lot: 'L2' })];
    stock
      .given(history)
      .when(reverse([{ line: 0, from: '@supplier', to: 'A-01', quantity: 3000, lot: 'L1' }], context({ tracking: 'lot' })))
      .thenThrows(InsufficientStock, { lot: 'L1', requested: 3, available: 2 });
  });

  it('refuses a serial that moved on since', () => {
    stock
      .given(serials)
      .when(reverse([{ line: 0, from: '@supplier', to: 'A-01', quantity: 3000, serials: ['SN1', 'SN2', 'SN3'] }], serialTracked))
      .thenThrows(SerialNotAtLocation, { serial: 'SN3', location: 'A-01', line: 0 });
  });

  it('refuses a blocked location and an unknown article', () => {
    stock.given(stocked).when(reverse([{ line: 0, from: '@supplier', to: 'A-01', quantity: 6000 }], context({ blocked: ['A-01'] }))).thenThrows(LocationBlocked, { location: 'A-01', field: 'from' });
    stock.given(stocked).when(reverse([{ line: 0, from: '@supplier', to: 'A-01', quantity: 6000 }], context({ exists: false }))).thenThrows(UnknownArticle, { line: 0 });
  });
});
