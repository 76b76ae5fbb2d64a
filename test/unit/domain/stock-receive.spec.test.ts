import { describe, expect, it } from '@jest/globals';
import {
  ArticleArchived,
  DuplicateSerial,
  InvalidMovement,
  InvalidQuantity,
  LocationBlocked,
  LotExpiryMismatch,
  LotNotTracked,
  LotRequired,
  SerialsMismatch,
  UnknownArticle,
  UnknownLocation,
  VirtualLocationNotAllowed,
} from '../../../src/domain/errors.js';
import { onHandAt, splitBalanceKey, sumOverAllLocations } from '../../../src/domain/stock/state.js';
import { stockDecider } from '../../../src/domain/stock/stock.js';
import { spec } from './given-when-then.js';
import { command, context, event, received, stateAfter, units } from './stock-fixtures.js';

const stock = spec(stockDecider);
const lotTracked = context({ tracking: 'lot' });
const serialTracked = context({ tracking: 'serial' });

describe('ReceiveStock', () => {
  it('receives every line from @supplier, with reference and unit cost', () => {
    stock
      .given([])
      .when(command('ReceiveStock', { reference: 'PO-1001', lines: [{ line: 0, quantity: units(10), location: 'RECV', unitCost: 1.25 }, { line: 1, quantity: units(2.5), location: 'A-01' }] }))
      .then([
        event('StockReceived', { line: 0, to: 'RECV', quantity: 10_000, unitCost: 1.25, reference: 'PO-1001' }),
        event('StockReceived', { line: 1, to: 'A-01', quantity: 2_500, reference: 'PO-1001' }),
      ]);
  });

  it('books the receipt at the location and against @supplier (the sum stays zero)', () => {
    const state = stateAfter([received('mv-1', 'RECV', units(0.1)), received('mv-2', 'RECV', units(0.2))]);
    expect(onHandAt(state, 'RECV')).toBe(300);
    expect(onHandAt(state, 'RECV')).toBe(units(0.3));
    expect(onHandAt(state, '@supplier')).toBe(-300);
    expect(sumOverAllLocations(state)).toBe(0);
  });

  it('receives a lot with its expiry date', () => {
    stock
      .given([])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: units(4), location: 'RECV', lot: 'L1', expiresOn: '2025-12-31' }] }, lotTracked))
      .then([event('StockReceived', { line: 0, to: 'RECV', quantity: 4000, lot: 'L1', expiresOn: '2025-12-31' })]);
  });

  it('keeps lots apart in the warehouse, not at @supplier', () => {
    const state = stateAfter([received('mv-1', 'RECV', 4000, { lot: 'L1' }), received('mv-2', 'RECV', 1000, { lot: 'L2' })]);
    expect([onHandAt(state, 'RECV', 'L1'), onHandAt(state, 'RECV', 'L2'), onHandAt(state, 'RECV'), onHandAt(state, '@supplier')]).toEqual([4000, 1000, 5000, -5000]);
    expect([...state.onHand.keys()].map(splitBalanceKey)).toEqual([{ location: '@supplier' }, { location: 'RECV', lot: 'L1' }, { location: 'RECV', lot: 'L2' }]);
  });

  it('gives a new lot without expiry the business date plus the shelf life', () => {
    stock
      .given([])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: units(1), location: 'RECV', lot: 'L1' }] }, context({ tracking: 'lot', shelfLifeDays: 30 })))
      .then([event('StockReceived', { line: 0, to: 'RECV', quantity: 1000, lot: 'L1', expiresOn: '2025-07-01' })]);
  });

  it('prefers the expiry on the line to the shelf life', () => {
    stock
      .given([])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: units(1), location: 'RECV', lot: 'L1', expiresOn: '2025-06-10' }] }, context({ tracking: 'lot', shelfLifeDays: 30 })))
      .then([event('StockReceived', { line: 0, to: 'RECV', quantity: 1000, lot: 'L1', expiresOn: '2025-06-10' })]);
  });

  it('computes the shelf-life expiry from the business date as given, whatever its offset', () => {
    // Received on 1 June local time (22:30 on 31 May in UTC): 30 days of shelf life end on 1 July.
    stock
      .given([])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: units(1), location: 'RECV', lot: 'L1' }] }, context({ tracking: 'lot', shelfLifeDays: 30, occurredAt: '2025-06-01T00:30:00+02:00' })))
      .then([event('StockReceived', { line: 0, to: 'RECV', quantity: 1000, lot: 'L1', expiresOn: '2025-07-01' })]);
  });

  it('keeps the expiry a lot was first received with, also within one receipt', () => {
    stock
      .given([received('mv-1', 'RECV', 1000, { lot: 'L1', expiresOn: '2025-12-31' })])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: units(1), location: 'A-01', lot: 'L1' }] }, context({ tracking: 'lot', shelfLifeDays: 5 })))
      .then([event('StockReceived', { line: 0, to: 'A-01', quantity: 1000, lot: 'L1', expiresOn: '2025-12-31' })]);
    stock
      .given([])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: 1000, location: 'RECV', lot: 'L2', expiresOn: '2025-09-01' }, { line: 1, quantity: 1000, location: 'A-01', lot: 'L2' }] }, lotTracked))
      .then([
        event('StockReceived', { line: 0, to: 'RECV', quantity: 1000, lot: 'L2', expiresOn: '2025-09-01' }),
        event('StockReceived', { line: 1, to: 'A-01', quantity: 1000, lot: 'L2', expiresOn: '2025-09-01' }),
      ]);
  });

  it('refuses another expiry for a known lot, naming the one it has', () => {
    stock
      .given([received('mv-1', 'RECV', 1000, { lot: 'L1', expiresOn: '2025-12-31' })])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: 1000, location: 'RECV', lot: 'L1', expiresOn: '2026-01-31' }] }, lotTracked))
      .thenThrows(LotExpiryMismatch, { sku: 'BOLT-M8', lot: 'L1', expiresOn: '2025-12-31', line: 0, field: 'expiresOn' });
    stock
      .given([received('mv-1', 'RECV', 1000, { lot: 'L1' })])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: 1000, location: 'RECV', lot: 'L1', expiresOn: '2026-01-31' }] }, lotTracked))
      .thenThrows(LotExpiryMismatch, { lot: 'L1', expiresOn: null });
  });

  it('refuses an expiry date without a lot', () => {
    stock
      .given([])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: 1000, location: 'RECV', expiresOn: '2025-12-31' }] }))
      .thenThrows(InvalidMovement, { line: 0, field: 'expiresOn' });
  });

  it('receives serials, one per unit', () => {
    stock
      .given([])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: units(2), location: 'RECV', serials: ['SN1', 'SN2'] }] }, serialTracked))
      .then([event('StockReceived', { line: 0, to: 'RECV', quantity: 2000, serials: ['SN1', 'SN2'] })]);
    expect([...stateAfter([received('mv-1', 'RECV', 2000, { serials: ['SN1', 'SN2'] })]).serials.entries()]).toEqual([
      ['SN1', 'RECV'],
      ['SN2', 'RECV'],
    ]);
  });

  it('receives again a serial whose receipt was reversed (it went back to @supplier)', () => {
    const reversal = event('StockMovementReversed', { movementId: 'mv-2', line: 0, reversedMovementId: 'mv-1', from: 'RECV', to: '@supplier', quantity: 1000, serials: ['SN1'], reason: 'wrong' });
    stock
      .given([received('mv-1', 'RECV', 1000, { serials: ['SN1'] }), reversal])
      .when(command('ReceiveStock', { lines: [{ line: 0, quantity: 1000, location: 'A-01', serials: ['SN1'] }] }, serialTracked))
      .then([event('StockReceived', { line: 0, to: 'A-01', quantity: 1000, serials: ['SN1'] })]);
  });
});

describe('refusals of a receipt', () => {
  const receipt = (lines: Parameters<typeof command<'ReceiveStock'>>[1]['lines'], facts = context()) => stock.given([]).when(command('ReceiveStock', { lines }, facts));

  it('refuses an unknown article', () => {
    receipt([{ line: 3, quantity: 1000, location: 'RECV' }], context({ exists: false })).thenThrows(UnknownArticle, { sku: 'BOLT-M8', line: 3, field: 'sku' });
  });

  it('refuses an archived article', () => {
    receipt([{ line: 0, quantity: 1000, location: 'RECV' }], context({ archived: true })).thenThrows(ArticleArchived, { sku: 'BOLT-M8', line: 0 });
  });

  it('refuses an unknown location, with the line and field at fault', () => {
    receipt([{ line: 0, quantity: 1000, location: 'RECV' }, { line: 1, quantity: 1000, location: 'Z-99' }]).thenThrows(UnknownLocation, { location: 'Z-99', line: 1, field: 'location' });
  });

  it.each(['@supplier', '@customer', '@loss', '@count'])('refuses the virtual location %s named in a line', (virtual) => {
    receipt([{ line: 0, quantity: 1000, location: virtual }]).thenThrows(VirtualLocationNotAllowed, { location: virtual, line: 0, field: 'location' });
  });

  it('refuses a blocked location: it takes no stock in', () => {
    receipt([{ line: 0, quantity: 1000, location: 'A-01' }], context({ blocked: ['A-01'] })).thenThrows(LocationBlocked, { location: 'A-01', line: 0, field: 'location' });
  });

  it('refuses a lot-tracked article without a lot', () => {
    receipt([{ line: 0, quantity: 1000, location: 'RECV' }], lotTracked).thenThrows(LotRequired, { sku: 'BOLT-M8', line: 0, field: 'lot' });
  });

  it('refuses a lot for an article that is not lot-tracked', () => {
    receipt([{ line: 0, quantity: 1000, location: 'RECV', lot: 'L1' }]).thenThrows(LotNotTracked, { line: 0, field: 'lot' });
    receipt([{ line: 0, quantity: 1000, location: 'RECV', lot: 'L1', serials: ['SN1'] }], serialTracked).thenThrows(LotNotTracked, { line: 0 });
  });

  it('refuses a serial-tracked article without serials, or with fewer than units', () => {
    receipt([{ line: 0, quantity: 2000, location: 'RECV' }], serialTracked).thenThrows(SerialsMismatch, { line: 0, field: 'serials' });
    receipt([{ line: 0, quantity: 2000, location: 'RECV', serials: ['SN1'] }], serialTracked).thenThrows(SerialsMismatch, { line: 0 });
    receipt([{ line: 0, quantity: 1000, location: 'RECV', serials: ['SN1', 'SN2'] }], serialTracked).thenThrows(SerialsMismatch, { line: 0 });
  });

  it('refuses serials for an article that is not serial-tracked', () => {
    receipt([{ line: 0, quantity: 1000, location: 'RECV', serials: ['SN1'] }]).thenThrows(SerialsMismatch, { line: 0 });
  });

  it('refuses a serial repeated in one movement, within a line and across lines', () => {
    receipt([{ line: 0, quantity: 2000, location: 'RECV', serials: ['SN1', 'SN1'] }], serialTracked).thenThrows(SerialsMismatch, { line: 0 });
    receipt([{ line: 0, quantity: 1000, location: 'RECV', serials: ['SN1'] }, { line: 1, quantity: 1000, location: 'A-01', serials: ['SN1'] }], serialTracked).thenThrows(SerialsMismatch, {
      line: 1,
    });
  });

  it('refuses a serial received before, wherever it is now', () => {
    const shipped = event('StockShipped', { movementId: 'mv-2', line: 0, from: 'RECV', quantity: 1000, serials: ['SN1'] });
    for (const history of [[received('mv-1', 'RECV', 1000, { serials: ['SN1'] })], [received('mv-1', 'RECV', 1000, { serials: ['SN1'] }), shipped]]) {
      stock
        .given(history)
        .when(command('ReceiveStock', { lines: [{ line: 0, quantity: 1000, location: 'A-01', serials: ['SN1'] }] }, serialTracked))
        .thenThrows(DuplicateSerial, { sku: 'BOLT-M8', serial: 'SN1', line: 0, field: 'serials' });
    }
  });

  it('refuses a fractional quantity of a serial-tracked article', () => {
    receipt([{ line: 0, quantity: units(1.5), location: 'RECV', serials: ['SN1'] }], serialTracked).thenThrows(InvalidQuantity, { line: 0, field: 'quantity' });
  });

  it('refuses quantities of zero, below zero, above 1e9 units or not in whole thousandths', () => {
    for (const quantity of [0, -1000, units(1e9) + 1, 0.5]) receipt([{ line: 0, quantity, location: 'RECV' }]).thenThrows(InvalidQuantity, { line: 0, field: 'quantity' });
    stock.given([]).when(command('ReceiveStock', { lines: [{ line: 0, quantity: units(1e9), location: 'RECV' }] })).then([event('StockReceived', { line: 0, to: 'RECV', quantity: 1e12 })]);
  });
});
