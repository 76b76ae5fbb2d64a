import { describe, expect, it } from '@jest/globals';
import {
  InsufficientStock,
  InvalidMovement,
  InvalidQuantity,
  LocationBlocked,
  LotRequired,
  SerialNotAtLocation,
  SerialsMismatch,
  UnknownArticle,
  UnknownLocation,
  VirtualLocationNotAllowed,
} from '../../../src/domain/errors.js';
import { onHandAt } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';
import { spec } from './given-when-then.js';
import { command, context, event, received, stateAfter, units } from './stock-fixtures.js';

const stock = spec(stockDecider);
const lotTracked = context({ tracking: 'lot' });
const serialTracked = context({ tracking: 'serial' });
const tenAtReceiving = [received('mv-1', 'RECV', units(10))];
const reserved = (reference: string, quantity: number, location?: string) =>
  event('StockReserved', { movementId: `mv-${reference}`, line: 0, reference, quantity, ...(location === undefined ? {} : { location }) });

describe('TransferStock', () => {
  it('moves stock from one real location to another, line by line', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { reference: 'PUT-1', lines: [{ line: 0, quantity: units(6), from: 'RECV', to: 'A-01' }, { line: 1, quantity: units(4), from: 'RECV', to: 'A-02' }] }))
      .then([
        event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 6000, reference: 'PUT-1' }),
        event('StockTransferred', { line: 1, from: 'RECV', to: 'A-02', quantity: 4000, reference: 'PUT-1' }),
      ]);
    const state = stateAfter([...tenAtReceiving, event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 6000 })]);
    expect([onHandAt(state, 'RECV'), onHandAt(state, 'A-01')]).toEqual([4000, 6000]);
  });

  it('checks each line against the lines before it', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(6), from: 'RECV', to: 'A-01' }, { line: 1, quantity: units(6), from: 'RECV', to: 'A-02' }] }))
      .thenThrows(InsufficientStock, { sku: 'BOLT-M8', location: 'RECV', lot: null, requested: 6, available: 4, line: 1 });
  });

  it('moves stock just moved in by an earlier line', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(10), from: 'RECV', to: 'A-01' }, { line: 1, quantity: units(10), from: 'A-01', to: 'A-02' }] }))
      .then([event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 10_000 }), event('StockTransferred', { line: 1, from: 'A-01', to: 'A-02', quantity: 10_000 })]);
  });

  it('moves a lot, and only as much as that lot has there', () => {
    const history = [received('mv-1', 'RECV', units(3), { lot: 'L1' }), received('mv-2', 'RECV', units(5), { lot: 'L2' })];
    stock
      .given(history)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(3), from: 'RECV', to: 'A-01', lot: 'L1' }] }, lotTracked))
      .then([event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 3000, lot: 'L1' })]);
    stock
      .given(history)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(4), from: 'RECV', to: 'A-01', lot: 'L1' }] }, lotTracked))
      .thenThrows(InsufficientStock, { location: 'RECV', lot: 'L1', requested: 4, available: 3 });
  });

  it('moves serials that are at the source', () => {
    stock
      .given([received('mv-1', 'RECV', units(2), { serials: ['SN1', 'SN2'] })])
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(1), from: 'RECV', to: 'A-01', serials: ['SN2'] }] }, serialTracked))
      .then([event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 1000, serials: ['SN2'] })]);
  });

  it('refuses a serial that is not at the source', () => {
    stock
      .given([received('mv-1', 'RECV', units(1), { serials: ['SN1'] }), received('mv-2', 'A-01', units(1), { serials: ['SN2'] })])
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(1), from: 'RECV', to: 'A-02', serials: ['SN2'] }] }, serialTracked))
      .thenThrows(SerialNotAtLocation, { sku: 'BOLT-M8', serial: 'SN2', location: 'RECV', line: 0, field: 'serials' });
  });

  it('refuses a serial moved twice in one movement', () => {
    stock
      .given([received('mv-1', 'RECV', units(1), { serials: ['SN1'] })])
      .when(command('TransferStock', { lines: [{ line: 0, quantity: 1000, from: 'RECV', to: 'A-01', serials: ['SN1'] }, { line: 1, quantity: 1000, from: 'A-01', to: 'A-02', serials: ['SN1'] }] }, serialTracked))
      .thenThrows(SerialsMismatch, { line: 1 });
  });

  it('refuses more than the source has, naming what is available', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 2, quantity: units(10.5), from: 'RECV', to: 'A-01' }] }))
      .thenThrows(InsufficientStock, { location: 'RECV', requested: 10.5, available: 10, line: 2 });
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(1), from: 'A-01', to: 'A-02' }] }))
      .thenThrows(InsufficientStock, { location: 'A-01', requested: 1, available: 0 });
  });

  it('refuses to move stock reserved at the source for an order', () => {
    stock
      .given([...tenAtReceiving, reserved('SO-1', units(8), 'RECV')])
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(3), from: 'RECV', to: 'A-01' }] }))
      .thenThrows(InsufficientStock, { location: 'RECV', requested: 3, available: 2 });
  });

  it('moves stock reserved without a location: a transfer keeps the article total that covers it', () => {
    stock
      .given([...tenAtReceiving, reserved('SO-1', units(10))])
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(10), from: 'RECV', to: 'SHIP' }] }))
      .then([event('StockTransferred', { line: 0, from: 'RECV', to: 'SHIP', quantity: 10_000 })]);
  });

  it('goes below zero when the tenant allows negative stock', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(12), from: 'RECV', to: 'A-01' }] }, context({ allowNegativeStock: true })))
      .then([event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 12_000 })]);
    expect(onHandAt(stateAfter([...tenAtReceiving, event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 12_000 })]), 'RECV')).toBe(-2000);
  });

  it('refuses a blocked source (no stock out) and a blocked destination (no stock in)', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: 1000, from: 'RECV', to: 'A-01' }] }, context({ blocked: ['RECV'] })))
      .thenThrows(LocationBlocked, { location: 'RECV', line: 0, field: 'from' });
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: 1000, from: 'RECV', to: 'A-01' }] }, context({ blocked: ['A-01'] })))
      .thenThrows(LocationBlocked, { location: 'A-01', line: 0, field: 'to' });
  });

  it('refuses virtual and unknown locations, naming the field', () => {
    const transfer = (from: string, to: string) => stock.given(tenAtReceiving).when(command('TransferStock', { lines: [{ line: 0, quantity: 1000, from, to }] }));
    transfer('@supplier', 'A-01').thenThrows(VirtualLocationNotAllowed, { location: '@supplier', field: 'from' });
    transfer('RECV', '@loss').thenThrows(VirtualLocationNotAllowed, { location: '@loss', field: 'to' });
    transfer('Z-99', 'A-01').thenThrows(UnknownLocation, { location: 'Z-99', field: 'from' });
    transfer('RECV', 'Z-99').thenThrows(UnknownLocation, { location: 'Z-99', field: 'to' });
  });

  it('refuses a move from a location to itself', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: 1000, from: 'RECV', to: 'RECV' }] }))
      .thenThrows(InvalidMovement, { line: 0, field: 'to' });
  });

  it('refuses an unknown article, a missing lot and a fractional serial quantity', () => {
    stock.given([]).when(command('TransferStock', { lines: [{ line: 1, quantity: 1000, from: 'RECV', to: 'A-01' }] }, context({ exists: false }))).thenThrows(UnknownArticle, { line: 1 });
    stock.given([]).when(command('TransferStock', { lines: [{ line: 0, quantity: 1000, from: 'RECV', to: 'A-01' }] }, lotTracked)).thenThrows(LotRequired, { line: 0 });
    stock
      .given([received('mv-1', 'RECV', units(2), { serials: ['SN1', 'SN2'] })])
      .when(command('TransferStock', { lines: [{ line: 0, quantity: units(0.5), from: 'RECV', to: 'A-01', serials: ['SN1'] }] }, serialTracked))
      .thenThrows(InvalidQuantity, { line: 0 });
  });

  it('moves stock of an archived article (it only takes no new stock)', () => {
    stock
      .given(tenAtReceiving)
      .when(command('TransferStock', { lines: [{ line: 0, quantity: 1000, from: 'RECV', to: 'A-01' }] }, context({ archived: true })))
      .then([event('StockTransferred', { line: 0, from: 'RECV', to: 'A-01', quantity: 1000 })]);
  });
});
