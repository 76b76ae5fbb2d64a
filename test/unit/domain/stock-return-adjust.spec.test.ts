import { describe, expect, it } from '@jest/globals';
import {
  DuplicateSerial,
  InsufficientStock,
  InvalidQuantity,
  LocationBlocked,
  LotNotTracked,
  LotRequired,
  SerialNotAtLocation,
  SerialsMismatch,
  UnknownLocation,
  VirtualLocationNotAllowed,
} from '../../../src/domain/errors.js';
import { onHandAt, sumOverAllLocations } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';
import { spec } from './given-when-then.js';
import { command, context, event, received, stateAfter, units } from './stock-fixtures.js';

const stock = spec(stockDecider);
const serialTracked = context({ tracking: 'serial' });
const stocked = [received('mv-1', 'A-01', units(6))];
/** SN1 was shipped to the customer, SN2 is still in A-01. */
const serialsShipped = [received('mv-1', 'A-01', units(2), { serials: ['SN1', 'SN2'] }), event('StockShipped', { movementId: 'mv-2', line: 0, from: 'A-01', quantity: 1000, serials: ['SN1'] })];

describe('ReturnStock', () => {
  it('takes goods back from @customer, with reason and reference', () => {
    const returned = event('StockReturned', { line: 0, to: 'A-02', quantity: 1500, reason: 'unwanted', reference: 'RMA-5' });
    stock.given(stocked).when(command('ReturnStock', { reference: 'RMA-5', reason: 'unwanted', lines: [{ line: 0, quantity: units(1.5), to: 'A-02' }] })).then([returned]);
    const state = stateAfter([...stocked, returned]);
    expect([onHandAt(state, 'A-02'), onHandAt(state, '@customer'), sumOverAllLocations(state)]).toEqual([1500, -1500, 0]);
  });

  it('takes back a serial that is at @customer', () => {
    stock
      .given(serialsShipped)
      .when(command('ReturnStock', { reason: 'damaged', lines: [{ line: 0, quantity: 1000, to: 'A-02', serials: ['SN1'] }] }, serialTracked))
      .then([event('StockReturned', { line: 0, to: 'A-02', quantity: 1000, serials: ['SN1'], reason: 'damaged' })]);
  });

  it('refuses a serial that is not at @customer', () => {
    stock
      .given(serialsShipped)
      .when(command('ReturnStock', { reason: 'damaged', lines: [{ line: 0, quantity: 1000, to: 'A-02', serials: ['SN2'] }] }, serialTracked))
      .thenThrows(SerialNotAtLocation, { serial: 'SN2', location: '@customer', line: 0 });
    stock
      .given(serialsShipped)
      .when(command('ReturnStock', { reason: 'damaged', lines: [{ line: 0, quantity: 1000, to: 'A-02', serials: ['SN9'] }] }, serialTracked))
      .thenThrows(SerialNotAtLocation, { serial: 'SN9' });
  });

  it('refuses a blocked, virtual or unknown destination, and a missing lot', () => {
    const returnTo = (to: string, facts = context()) => stock.given(stocked).when(command('ReturnStock', { reason: 'other', lines: [{ line: 0, quantity: 1000, to }] }, facts));
    returnTo('A-02', context({ blocked: ['A-02'] })).thenThrows(LocationBlocked, { location: 'A-02', field: 'to' });
    returnTo('@loss').thenThrows(VirtualLocationNotAllowed, { location: '@loss', field: 'to' });
    returnTo('Z-99').thenThrows(UnknownLocation, { location: 'Z-99', field: 'to' });
    returnTo('A-02', context({ tracking: 'lot' })).thenThrows(LotRequired, { line: 0 });
  });
});

describe('AdjustStock', () => {
  it('books stock found from @loss and stock lost to @loss', () => {
    stock
      .given(stocked)
      .when(command('AdjustStock', { reason: 'correction', note: 'recount', lines: [{ line: 0, location: 'A-02', delta: units(2) }, { line: 1, location: 'A-01', delta: units(-3.5) }] }))
      .then([
        event('StockAdjusted', { line: 0, location: 'A-02', delta: 2000, reason: 'correction', note: 'recount' }),
        event('StockAdjusted', { line: 1, location: 'A-01', delta: -3500, reason: 'correction', note: 'recount' }),
      ]);
    const state = stateAfter([...stocked, event('StockAdjusted', { line: 0, location: 'A-02', delta: 2000, reason: 'found' }), event('StockAdjusted', { line: 1, location: 'A-01', delta: -3500, reason: 'lost' })]);
    expect([onHandAt(state, 'A-01'), onHandAt(state, 'A-02'), onHandAt(state, '@loss'), sumOverAllLocations(state)]).toEqual([2500, 2000, 1500, 0]);
  });

  it('refuses a delta of 0', () => {
    const error = stock.given(stocked).when(command('AdjustStock', { reason: 'correction', lines: [{ line: 0, location: 'A-01', delta: 0 }] })).thenThrows(InvalidQuantity, { line: 0, field: 'delta' });
    expect(error.message).toMatch(/delta must not be 0/);
  });

  it('refuses to lose more than is available, keeping reservations whole', () => {
    stock.given(stocked).when(command('AdjustStock', { reason: 'lost', lines: [{ line: 0, location: 'A-01', delta: units(-7) }] })).thenThrows(InsufficientStock, { location: 'A-01', requested: 7, available: 6 });
    stock
      .given([...stocked, event('StockReserved', { movementId: 'mv-r', line: 0, reference: 'SO-1', location: 'A-01', quantity: 5000 })])
      .when(command('AdjustStock', { reason: 'damaged', lines: [{ line: 0, location: 'A-01', delta: units(-2) }] }))
      .thenThrows(InsufficientStock, { requested: 2, available: 1 });
  });

  it('loses into negative stock when the tenant allows it', () => {
    stock
      .given(stocked)
      .when(command('AdjustStock', { reason: 'lost', lines: [{ line: 0, location: 'A-01', delta: units(-7) }] }, context({ allowNegativeStock: true })))
      .then([event('StockAdjusted', { line: 0, location: 'A-01', delta: -7000, reason: 'lost' })]);
  });

  it('refuses a blocked location either way', () => {
    for (const delta of [1000, -1000]) {
      stock.given(stocked).when(command('AdjustStock', { reason: 'found', lines: [{ line: 0, location: 'A-01', delta }] }, context({ blocked: ['A-01'] }))).thenThrows(LocationBlocked, { location: 'A-01' });
    }
  });

  it('finds a serial never seen or one lost before, and refuses one that is in stock', () => {
    const lost = [...serialsShipped, event('StockAdjusted', { movementId: 'mv-3', line: 0, location: 'A-01', delta: -1000, serials: ['SN2'], reason: 'lost' })];
    const find = (serial: string) => stock.given(lost).when(command('AdjustStock', { reason: 'found', lines: [{ line: 0, location: 'A-02', delta: 1000, serials: [serial] }] }, serialTracked));
    find('SN2').then([event('StockAdjusted', { line: 0, location: 'A-02', delta: 1000, serials: ['SN2'], reason: 'found' })]);
    find('SN7').then([event('StockAdjusted', { line: 0, location: 'A-02', delta: 1000, serials: ['SN7'], reason: 'found' })]);
    find('SN1').thenThrows(DuplicateSerial, { serial: 'SN1', line: 0 });
    const missedByCount = [
      ...serialsShipped,
      event('StockCounted', { movementId: 'mv-4', line: 0, location: 'A-01', counted: 0, expected: 1000, difference: -1000, serialsMissing: ['SN2'] }),
    ];
    stock
      .given(missedByCount)
      .when(command('AdjustStock', { reason: 'found', lines: [{ line: 0, location: 'A-02', delta: 1000, serials: ['SN2'] }] }, serialTracked))
      .then([event('StockAdjusted', { line: 0, location: 'A-02', delta: 1000, serials: ['SN2'], reason: 'found' })]);
    stock
      .given(serialsShipped)
      .when(command('AdjustStock', { reason: 'found', lines: [{ line: 0, location: 'A-02', delta: 1000, serials: ['SN2'] }] }, serialTracked))
      .thenThrows(DuplicateSerial, { serial: 'SN2' });
  });

  it('loses only serials that are at the location', () => {
    stock
      .given(serialsShipped)
      .when(command('AdjustStock', { reason: 'lost', lines: [{ line: 0, location: 'A-01', delta: -1000, serials: ['SN1'] }] }, serialTracked))
      .thenThrows(SerialNotAtLocation, { serial: 'SN1', location: 'A-01' });
  });

  it('refuses a fractional delta of a serial-tracked article, serials not matching, and a lot not tracked', () => {
    const adjust = (line: { line: number; location: string; delta: number; serials?: string[]; lot?: string }, facts = serialTracked) =>
      stock.given(serialsShipped).when(command('AdjustStock', { reason: 'found', lines: [line] }, facts));
    adjust({ line: 0, location: 'A-01', delta: 500, serials: ['SN8'] }).thenThrows(InvalidQuantity, { field: 'delta' });
    adjust({ line: 0, location: 'A-01', delta: 2000, serials: ['SN8'] }).thenThrows(SerialsMismatch, { line: 0 });
    adjust({ line: 0, location: 'A-01', delta: 1000, lot: 'L1' }, context()).thenThrows(LotNotTracked, { line: 0 });
  });
});
