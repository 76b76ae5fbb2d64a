import { describe, expect, it } from '@jest/globals';
import { ArticleArchived, InsufficientStock, InvalidQuantity, UnknownArticle, UnknownLocation, VirtualLocationNotAllowed } from '../../../src/domain/errors.js';
import { reservedAt, totalReserved } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';
import { spec } from './given-when-then.js';
import { command, context, event, received, stateAfter, units } from './stock-fixtures.js';

const stock = spec(stockDecider);
/** 6 in bin A-01, 4 in bin A-02. */
const stocked = [received('mv-1', 'A-01', units(6)), received('mv-2', 'A-02', units(4))];
const reserved = (reference: string, quantity: number, location?: string, line = 0) =>
  event('StockReserved', { movementId: `mv-${reference}`, line, reference, quantity, ...(location === undefined ? {} : { location }) });

describe('ReserveStock', () => {
  it('reserves for an order without naming a location', () => {
    stock
      .given(stocked)
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(10) }] }))
      .then([event('StockReserved', { line: 0, reference: 'SO-77', quantity: 10_000 })]);
  });

  it('reserves at named locations, each line checked after the ones before', () => {
    stock
      .given(stocked)
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(4), location: 'A-01' }, { line: 1, quantity: units(2), location: 'A-01' }] }))
      .then([event('StockReserved', { line: 0, reference: 'SO-77', location: 'A-01', quantity: 4000 }), event('StockReserved', { line: 1, reference: 'SO-77', location: 'A-01', quantity: 2000 })]);
    stock
      .given(stocked)
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(4), location: 'A-01' }, { line: 1, quantity: units(3), location: 'A-01' }] }))
      .thenThrows(InsufficientStock, { location: 'A-01', lot: null, requested: 3, available: 2, line: 1 });
  });

  it('keeps the reservations by reference and location', () => {
    const state = stateAfter([...stocked, reserved('SO-1', 3000, 'A-01'), reserved('SO-1', 1000), reserved('SO-2', 2000, 'A-01')]);
    expect(reservedAt(state, 'A-01')).toBe(5000);
    expect(reservedAt(state, 'A-01', 'SO-1')).toBe(2000);
    expect(reservedAt(state, undefined)).toBe(1000);
    expect([totalReserved(state), totalReserved(state, 'SO-2')]).toEqual([6000, 4000]);
  });

  it('refuses to reserve beyond what is available in the article, counting other reservations', () => {
    stock
      .given([...stocked, reserved('SO-1', units(7))])
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(3.001) }] }))
      .thenThrows(InsufficientStock, { sku: 'BOLT-M8', location: null, lot: null, requested: 3.001, available: 3, line: 0 });
  });

  it('refuses to reserve beyond what is available at the location', () => {
    stock
      .given([...stocked, reserved('SO-1', units(1), 'A-02')])
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(4), location: 'A-02' }] }))
      .thenThrows(InsufficientStock, { location: 'A-02', requested: 4, available: 3 });
  });

  it('counts reservations without a location against every location', () => {
    stock
      .given([...stocked, reserved('SO-1', units(8))])
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(3), location: 'A-01' }] }))
      .thenThrows(InsufficientStock, { location: 'A-01', requested: 3, available: 2 });
  });

  it('refuses to reserve anything when nothing is on hand', () => {
    stock.given([]).when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: 1 }] })).thenThrows(InsufficientStock, { requested: 0.001, available: 0 });
  });

  it('reserves at a blocked location (a reservation moves no stock)', () => {
    stock
      .given(stocked)
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: 1000, location: 'A-01' }] }, context({ blocked: ['A-01'] })))
      .then([event('StockReserved', { line: 0, reference: 'SO-77', location: 'A-01', quantity: 1000 })]);
  });

  it('refuses an archived or unknown article', () => {
    stock.given(stocked).when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: 1000 }] }, context({ archived: true }))).thenThrows(ArticleArchived, { line: 0 });
    stock.given([]).when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: 1000 }] }, context({ exists: false }))).thenThrows(UnknownArticle, { line: 0 });
  });

  it('refuses unknown and virtual locations and invalid quantities', () => {
    const reserve = (line: { line: number; quantity: number; location?: string }) => stock.given(stocked).when(command('ReserveStock', { reference: 'SO-77', lines: [line] }));
    reserve({ line: 0, quantity: 1000, location: 'Z-99' }).thenThrows(UnknownLocation, { location: 'Z-99', field: 'location' });
    reserve({ line: 0, quantity: 1000, location: '@customer' }).thenThrows(VirtualLocationNotAllowed, { location: '@customer' });
    reserve({ line: 0, quantity: 0 }).thenThrows(InvalidQuantity, { line: 0, field: 'quantity' });
  });

  it('refuses a fractional reservation of a serial-tracked article', () => {
    stock
      .given([received('mv-1', 'A-01', units(2), { serials: ['SN1', 'SN2'] })])
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(1.5) }] }, context({ tracking: 'serial' })))
      .thenThrows(InvalidQuantity, { line: 0 });
  });

  it('ignores allowNegativeStock: a reservation never exceeds available', () => {
    stock
      .given(stocked)
      .when(command('ReserveStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(11) }] }, context({ allowNegativeStock: true })))
      .thenThrows(InsufficientStock, { available: 10 });
  });
});

describe('ReleaseReservedStock', () => {
  it('releases every part of the reference, and nothing of other references', () => {
    stock
      .given([...stocked, reserved('SO-77', 3000, 'A-01'), reserved('SO-77', 1000), reserved('SO-1', 2000)])
      .when(command('ReleaseReservedStock', { reference: 'SO-77' }))
      .then([event('StockReservationReleased', { line: 0, reference: 'SO-77', location: 'A-01', quantity: 3000 }), event('StockReservationReleased', { line: 1, reference: 'SO-77', quantity: 1000 })]);
    const state = stateAfter([...stocked, reserved('SO-77', 3000, 'A-01'), reserved('SO-1', 2000), event('StockReservationReleased', { line: 0, reference: 'SO-77', location: 'A-01', quantity: 3000 })]);
    expect([...state.reservations.keys()]).toEqual(['SO-1']);
  });

  it('releases only what is left after shipments', () => {
    const shipped = event('StockShipped', { movementId: 'mv-s', line: 0, from: 'A-01', quantity: 2000, reference: 'SO-77', reservationConsumed: [{ location: 'A-01', quantity: 2000 }] });
    stock
      .given([...stocked, reserved('SO-77', 3000, 'A-01'), shipped])
      .when(command('ReleaseReservedStock', { reference: 'SO-77' }))
      .then([event('StockReservationReleased', { line: 0, reference: 'SO-77', location: 'A-01', quantity: 1000 })]);
  });

  it('records nothing when the article has no reservation under the reference', () => {
    stock.given([...stocked, reserved('SO-1', 2000)]).when(command('ReleaseReservedStock', { reference: 'SO-77' })).then([]);
  });
});
