import { describe, expect, it } from '@jest/globals';
import { draftKeyOf, DraftError, movementBody, movementKinds } from '../../web/src/movements/kinds.js';
import { applyScan, emptyLine, serialList, type LineDraft } from '../../web/src/movements/lines.js';

const strip = (lines: readonly LineDraft[]) => lines.map(({ id: _id, ...line }) => line);

describe('applyScan', () => {
  it('puts a scanned location on the open line, then fills it with the item scanned after', () => {
    let lines = applyScan([emptyLine()], { kind: 'location', code: 'A-01' }, 'to', 'A-01');
    lines = applyScan(lines, { kind: 'article', sku: 'BOLT' }, 'to', 'A-01');
    expect(strip(lines)).toEqual([expect.objectContaining({ sku: 'BOLT', to: 'A-01', quantity: '1' })]);
  });

  it('adds one when the same item is scanned again at the same location, and starts a line for another item', () => {
    let lines = applyScan([emptyLine()], { kind: 'article', sku: 'BOLT' }, 'to', 'A-01');
    lines = applyScan(lines, { kind: 'article', sku: 'BOLT' }, 'to', 'A-01');
    lines = applyScan(lines, { kind: 'article', sku: 'NUT' }, 'to', 'A-01');
    expect(strip(lines).map(({ sku, quantity, to }) => ({ sku, quantity, to }))).toEqual([
      { sku: 'BOLT', quantity: '2', to: 'A-01' },
      { sku: 'NUT', quantity: '1', to: 'A-01' },
    ]);
  });

  it('starts a new line for the same item after a new location is scanned (put-away into another bin)', () => {
    let lines = applyScan([emptyLine()], { kind: 'article', sku: 'BOLT' }, 'to', 'A-01');
    lines = applyScan(lines, { kind: 'location', code: 'A-02' }, 'to', 'A-02');
    lines = applyScan(lines, { kind: 'article', sku: 'BOLT' }, 'to', 'A-02');
    expect(strip(lines).map(({ quantity, to }) => ({ quantity, to }))).toEqual([
      { quantity: '1', to: 'A-01' },
      { quantity: '1', to: 'A-02' },
    ]);
  });

  it('fills lot, expiry and serials from a GS1 scan, and keeps the serials of a repeated serial scan', () => {
    let lines = applyScan([emptyLine()], { kind: 'article', sku: 'PHONE', lot: 'L7', expiresOn: '2027-12-31', serial: 'SN1' }, 'location', '');
    lines = applyScan(lines, { kind: 'article', sku: 'PHONE', lot: 'L7', serial: 'SN2' }, 'location', '');
    expect(strip(lines)).toEqual([expect.objectContaining({ sku: 'PHONE', lot: 'L7', expiresOn: '2027-12-31', serials: 'SN1, SN2', quantity: '2' })]);
  });

  it('counts on from a quantity typed in the locale', () => {
    let lines = applyScan([{ ...emptyLine(), sku: 'BOLT', quantity: '1.234,5' }], { kind: 'article', sku: 'BOLT' }, 'location', '', 'de-DE');
    lines = applyScan(lines, { kind: 'article', sku: 'BOLT' }, 'location', '', 'de-DE');
    expect(lines[0]?.quantity).toBe('1.236,5');
  });
});

describe('movementBody', () => {
  it('sends quantities read in the locale as exact numbers, serials as a list, and leaves empty fields out', () => {
    const line = { ...emptyLine(), sku: 'BOLT', location: 'A-01', quantity: '0,1', serials: 'SN1, SN2\nSN3' };
    expect(movementBody(movementKinds.receive, { reference: ' PO-1 ' }, [line], 'de-DE')).toEqual({ reference: 'PO-1', lines: [{ sku: 'BOLT', location: 'A-01', quantity: 0.1, serials: ['SN1', 'SN2', 'SN3'] }] });
  });

  it('sends an adjustment quantity as delta, negative allowed', () => {
    const line = { ...emptyLine(), sku: 'BOLT', location: 'A-01', quantity: '-3' };
    expect(movementBody(movementKinds.adjust, { reason: 'lost' }, [line], 'en')).toEqual({ reason: 'lost', lines: [{ sku: 'BOLT', location: 'A-01', delta: -3 }] });
    expect(draftKeyOf(movementKinds.adjust, 'delta')).toBe('quantity');
  });

  it('refuses every missing or malformed field at its line before anything is sent', () => {
    const lines = [{ ...emptyLine(), sku: 'BOLT', from: 'A', to: 'B', quantity: '1.2345' }, { ...emptyLine(), quantity: '-1' }];
    let refusal: unknown;
    try {
      movementBody(movementKinds.transfer, {}, lines, 'en');
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DraftError);
    const errors = (refusal as DraftError).errors;
    expect([...(errors.get(0)?.keys() ?? [])]).toEqual(['quantity']);
    expect([...(errors.get(1)?.keys() ?? [])].sort()).toEqual(['from', 'quantity', 'sku', 'to']);
  });

  it('refuses a required header field at line -1', () => {
    const line = { ...emptyLine(), sku: 'BOLT', quantity: '1' };
    expect(() => movementBody(movementKinds.reserve, {}, [line], 'en')).toThrow(DraftError);
  });

  it('reads serials typed with commas, spaces or one a line', () => {
    expect(serialList(' a,b ;c\n d ')).toEqual(['a', 'b', 'c', 'd']);
  });
});
