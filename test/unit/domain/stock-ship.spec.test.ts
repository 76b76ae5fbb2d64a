import { describe, expect, it } from '@jest/globals';
import { InsufficientStock, LocationBlocked, LotExpired, LotRequired, SerialNotAtLocation, SerialsMismatch, UnknownArticle, VirtualLocationNotAllowed } from '../../../src/domain/errors.js';
import { fefoOrder, onHandAt, totalReserved } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';
import { spec } from './given-when-then.js';
import { command, context, event, received, stateAfter, units } from './stock-fixtures.js';

const stock = spec(stockDecider);
/** 6 in bin A-01, 4 in bin A-02. */
const stocked = [received('mv-1', 'A-01', units(6)), received('mv-2', 'A-02', units(4))];
const reserved = (reference: string, quantity: number, location?: string) =>
  event('StockReserved', { movementId: `mv-${reference}`, line: 0, reference, quantity, ...(location === undefined ? {} : { location }) });
const lotTracked = (occurredAt = '2025-06-01T10:00:00Z') => context({ tracking: 'lot', occurredAt });
/** Lot L-EARLY expires on 10 June, L-LATE on 31 December, L-NONE has no expiry; all in A-01. */
const lots = [
  received('mv-1', 'A-01', units(5), { lot: 'L-LATE', expiresOn: '2025-12-31' }),
  received('mv-2', 'A-01', units(5), { lot: 'L-EARLY', expiresOn: '2025-06-10' }),
  received('mv-3', 'A-02', units(5), { lot: 'L-NONE' }),
  received('mv-4', 'A-02', units(2), { lot: 'L-EARLY' }),
];

describe('ShipStock', () => {
  it('ships to @customer', () => {
    stock
      .given(stocked)
      .when(command('ShipStock', { lines: [{ line: 0, quantity: units(6), from: 'A-01' }] }))
      .then([event('StockShipped', { line: 0, from: 'A-01', quantity: 6000 })]);
    const state = stateAfter([...stocked, event('StockShipped', { line: 0, from: 'A-01', quantity: 6000 })]);
    expect([onHandAt(state, 'A-01'), onHandAt(state, '@customer')]).toEqual([0, 6000]);
  });

  it('consumes the reservation of its reference: the part at the source first, then the unplaced part, then the rest', () => {
    stock
      .given([...stocked, reserved('SO-77', 1000, 'A-02'), reserved('SO-77', 2000), reserved('SO-77', 3000, 'A-01')])
      .when(command('ShipStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(5), from: 'A-01' }] }))
      .then([event('StockShipped', { line: 0, from: 'A-01', quantity: 5000, reference: 'SO-77', reservationConsumed: [{ location: 'A-01', quantity: 3000 }, { quantity: 2000 }] })]);
  });

  it('consumes no more than was reserved, and its reservation is then gone', () => {
    const shipped = event('StockShipped', { line: 0, from: 'A-01', quantity: 6000, reference: 'SO-77', reservationConsumed: [{ quantity: 2000 }] });
    stock
      .given([...stocked, reserved('SO-77', 2000)])
      .when(command('ShipStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(6), from: 'A-01' }] }))
      .then([shipped]);
    expect(totalReserved(stateAfter([...stocked, reserved('SO-77', 2000), shipped]))).toBe(0);
  });

  it('takes stock reserved for its own reference', () => {
    stock
      .given([...stocked, reserved('SO-77', 10_000)])
      .when(command('ShipStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(6), from: 'A-01' }, { line: 1, quantity: units(4), from: 'A-02' }] }))
      .then([
        event('StockShipped', { line: 0, from: 'A-01', quantity: 6000, reference: 'SO-77', reservationConsumed: [{ quantity: 6000 }] }),
        event('StockShipped', { line: 1, from: 'A-02', quantity: 4000, reference: 'SO-77', reservationConsumed: [{ quantity: 4000 }] }),
      ]);
  });

  it('ships with a reference that reserved nothing, without consuming anything', () => {
    stock.given(stocked).when(command('ShipStock', { reference: 'SO-9', lines: [{ line: 0, quantity: 1000, from: 'A-02' }] })).then([event('StockShipped', { line: 0, from: 'A-02', quantity: 1000, reference: 'SO-9' })]);
  });

  it("is held back by other orders' reservations when it ships without a reference", () => {
    stock
      .given([...stocked, reserved('SO-1', units(7))])
      .when(command('ShipStock', { lines: [{ line: 0, quantity: units(4), from: 'A-01' }] }))
      .thenThrows(InsufficientStock, { location: 'A-01', lot: null, requested: 4, available: 3, line: 0 });
    stock
      .given([...stocked, reserved('SO-1', units(5), 'A-01')])
      .when(command('ShipStock', { reference: 'SO-77', lines: [{ line: 0, quantity: units(2), from: 'A-01' }] }))
      .thenThrows(InsufficientStock, { location: 'A-01', requested: 2, available: 1 });
  });

  it('refuses more than the source has, with the line at fault', () => {
    stock
      .given(stocked)
      .when(command('ShipStock', { lines: [{ line: 0, quantity: units(4), from: 'A-02' }, { line: 1, quantity: units(0.5), from: 'A-02' }] }))
      .thenThrows(InsufficientStock, { location: 'A-02', requested: 0.5, available: 0, line: 1 });
  });

  it('ships into negative stock when the tenant allows it', () => {
    stock
      .given(stocked)
      .when(command('ShipStock', { lines: [{ line: 0, quantity: units(7), from: 'A-02' }] }, context({ allowNegativeStock: true })))
      .then([event('StockShipped', { line: 0, from: 'A-02', quantity: 7000 })]);
  });

  it('refuses a blocked source, a virtual source, an unknown article', () => {
    stock.given(stocked).when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: 'A-01' }] }, context({ blocked: ['A-01'] }))).thenThrows(LocationBlocked, { location: 'A-01', field: 'from' });
    stock.given(stocked).when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: '@supplier' }] })).thenThrows(VirtualLocationNotAllowed, { location: '@supplier', field: 'from' });
    stock.given([]).when(command('ShipStock', { lines: [{ line: 4, quantity: 1000, from: 'A-01' }] }, context({ exists: false }))).thenThrows(UnknownArticle, { line: 4 });
  });

  it('ships serials that are at the source, and only those', () => {
    const serials = [received('mv-1', 'A-01', units(2), { serials: ['SN1', 'SN2'] })];
    const serialTracked = context({ tracking: 'serial' });
    stock.given(serials).when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: 'A-01', serials: ['SN2'] }] }, serialTracked)).then([event('StockShipped', { line: 0, from: 'A-01', quantity: 1000, serials: ['SN2'] })]);
    stock.given(serials).when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: 'A-01', serials: ['SN3'] }] }, serialTracked)).thenThrows(SerialNotAtLocation, { serial: 'SN3', location: 'A-01' });
    stock.given(serials).when(command('ShipStock', { lines: [{ line: 0, quantity: 2000, from: 'A-01', serials: ['SN1'] }] }, serialTracked)).thenThrows(SerialsMismatch, { line: 0 });
  });

  it('ships an article that was archived', () => {
    stock.given(stocked).when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: 'A-01' }] }, context({ archived: true }))).then([event('StockShipped', { line: 0, from: 'A-01', quantity: 1000 })]);
  });
});

describe('ShipStock of lots', () => {
  it('needs a lot', () => {
    stock.given(lots).when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: 'A-01' }] }, lotTracked())).thenThrows(LotRequired, { line: 0 });
  });

  it('refuses an expired lot, and ships it when the line allows expired stock', () => {
    const ship = (allowExpired?: boolean) =>
      stock.given(lots).when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: 'A-01', lot: 'L-EARLY', ...(allowExpired ? { allowExpired } : {}) }] }, lotTracked('2025-06-11T08:00:00Z')));
    ship().thenThrows(LotExpired, { sku: 'BOLT-M8', lot: 'L-EARLY', expiresOn: '2025-06-10', line: 0, field: 'lot' });
    ship(true).then([event('StockShipped', { line: 0, from: 'A-01', quantity: 1000, lot: 'L-EARLY' })]);
  });

  it('ships a lot on the day it expires, and a lot without expiry at any time', () => {
    stock
      .given(lots)
      .when(command('ShipStock', { lines: [{ line: 0, quantity: 1000, from: 'A-01', lot: 'L-EARLY' }, { line: 1, quantity: 1000, from: 'A-02', lot: 'L-NONE' }] }, lotTracked('2025-06-10T23:00:00Z')))
      .then([event('StockShipped', { line: 0, from: 'A-01', quantity: 1000, lot: 'L-EARLY' }), event('StockShipped', { line: 1, from: 'A-02', quantity: 1000, lot: 'L-NONE' })]);
  });

  it('does not enforce FEFO: a later-expiring lot ships while an earlier one is there', () => {
    stock.given(lots).when(command('ShipStock', { lines: [{ line: 0, quantity: units(5), from: 'A-01', lot: 'L-LATE' }] }, lotTracked())).then([event('StockShipped', { line: 0, from: 'A-01', quantity: 5000, lot: 'L-LATE' })]);
  });

  it('takes only what the lot has at the source', () => {
    stock
      .given(lots)
      .when(command('ShipStock', { lines: [{ line: 0, quantity: units(3), from: 'A-02', lot: 'L-EARLY' }] }, lotTracked()))
      .thenThrows(InsufficientStock, { location: 'A-02', lot: 'L-EARLY', requested: 3, available: 2 });
  });

  it('lists stock in FEFO order: earliest expiry first, lots without expiry last, then by location', () => {
    expect(fefoOrder(stateAfter(lots))).toEqual([
      { location: 'A-01', lot: 'L-EARLY', expiresOn: '2025-06-10', onHand: 5000 },
      { location: 'A-02', lot: 'L-EARLY', expiresOn: '2025-06-10', onHand: 2000 },
      { location: 'A-01', lot: 'L-LATE', expiresOn: '2025-12-31', onHand: 5000 },
      { location: 'A-02', lot: 'L-NONE', onHand: 5000 },
    ]);
    expect(fefoOrder(stateAfter(lots), 'A-02')).toEqual([
      { location: 'A-02', lot: 'L-EARLY', expiresOn: '2025-06-10', onHand: 2000 },
      { location: 'A-02', lot: 'L-NONE', onHand: 5000 },
    ]);
  });

  it('leaves empty and negative positions and virtual locations out of the FEFO listing', () => {
    const emptied = [...lots, event('StockShipped', { line: 0, from: 'A-01', quantity: 5000, lot: 'L-EARLY' }), event('StockShipped', { line: 0, from: 'A-02', quantity: 3000, lot: 'L-EARLY' })];
    expect(fefoOrder(stateAfter(emptied)).map((position) => `${position.location}/${position.lot ?? ''}`)).toEqual(['A-01/L-LATE', 'A-02/L-NONE']);
    expect(fefoOrder(stateAfter(stocked))).toEqual([
      { location: 'A-01', onHand: 6000 },
      { location: 'A-02', onHand: 4000 },
    ]);
  });
});
