import { describe, expect, it } from '@jest/globals';
import { countDifferences, countLineKey } from '../../web/src/lib/count-differences.js';
import { emptyTally, setCounted, tallyLines, tallyScan, undoLastScan } from '../../web/src/lib/count-tally.js';

describe('countDifferences', () => {
  it('is counted − on hand per article and lot, exactly', () => {
    const lines = countDifferences(
      [
        { sku: 'BOLT-M8', onHand: '100' },
        { sku: 'MILK', lot: 'L1', onHand: '10.5' },
        { sku: 'MILK', lot: 'L2', onHand: '4' },
      ],
      [
        { sku: 'BOLT-M8', counted: '97' },
        { sku: 'MILK', lot: 'L1', counted: '10.7' },
        { sku: 'MILK', lot: 'L2', counted: '4' },
      ],
    );
    expect(lines).toEqual([
      { sku: 'BOLT-M8', onHand: '100', counted: '97', difference: '-3', outcome: 'missing', wasCounted: true },
      { sku: 'MILK', lot: 'L1', onHand: '10.5', counted: '10.7', difference: '0.2', outcome: 'found', wasCounted: true },
      { sku: 'MILK', lot: 'L2', onHand: '4', counted: '4', difference: '0', outcome: 'match', wasCounted: true },
    ]);
  });

  it('takes a line on hand but not counted as none found, and lists what was found but not on hand', () => {
    const lines = countDifferences([{ sku: 'A', onHand: '2' }], [{ sku: 'B', lot: 'X', counted: '1' }]);
    expect(lines).toEqual([
      { sku: 'A', onHand: '2', counted: '0', difference: '-2', outcome: 'missing', wasCounted: false },
      { sku: 'B', lot: 'X', onHand: '0', counted: '1', difference: '1', outcome: 'found', wasCounted: true },
    ]);
  });

  it('adds up repeated lines (the same article on two rows) and treats a null or empty lot as none', () => {
    const lines = countDifferences(
      [
        { sku: 'A', lot: null, onHand: '0.1' },
        { sku: 'A', onHand: '0.2' },
      ],
      [
        { sku: 'A', lot: '', counted: '0.1' },
        { sku: 'A', counted: '0.1' },
      ],
    );
    expect(lines).toEqual([{ sku: 'A', onHand: '0.3', counted: '0.2', difference: '-0.1', outcome: 'missing', wasCounted: true }]);
  });

  it('keeps SKU and lot apart in the key (no "A" + "BC" = "AB" + "C")', () => {
    expect(countLineKey('A', 'BC')).not.toBe(countLineKey('AB', 'C'));
    expect(countLineKey('A', undefined)).toBe(countLineKey('A', null));
  });
});

describe('count tally', () => {
  it('adds one for every scan of the same item, in the order first scanned', () => {
    let tally = emptyTally;
    tally = tallyScan(tally, 'BOLT-M8');
    tally = tallyScan(tally, 'MILK', 'L1');
    tally = tallyScan(tally, 'BOLT-M8');
    tally = tallyScan(tally, 'BOLT-M8');
    expect(tallyLines(tally)).toEqual([
      { sku: 'BOLT-M8', counted: '3' },
      { sku: 'MILK', lot: 'L1', counted: '1' },
    ]);
  });

  it('adds a pack count from a GS1 code exactly, and leaves the earlier tally unchanged', () => {
    const before = tallyScan(emptyTally, 'WIRE', undefined, '0.1');
    const after = tallyScan(before, 'WIRE', undefined, '0.2');
    expect(tallyLines(after)).toEqual([{ sku: 'WIRE', counted: '0.3' }]);
    expect(tallyLines(before)).toEqual([{ sku: 'WIRE', counted: '0.1' }]);
  });

  it('undoes the last scan, removing a line that falls to nothing', () => {
    let tally = tallyScan(tallyScan(tallyScan(emptyTally, 'A'), 'B'), 'A');
    tally = undoLastScan(tally);
    expect(tallyLines(tally)).toEqual([{ sku: 'A', counted: '1' }, { sku: 'B', counted: '1' }]);
    tally = undoLastScan(tally);
    expect(tallyLines(tally)).toEqual([{ sku: 'A', counted: '1' }]);
    tally = undoLastScan(undoLastScan(tally));
    expect(tallyLines(tally)).toEqual([]);
  });

  it('sets a typed figure, zero included, and scans after it add to it', () => {
    let tally = tallyScan(emptyTally, 'A');
    tally = setCounted(tally, 'A', undefined, '12');
    tally = tallyScan(tally, 'A');
    expect(tallyLines(tally)).toEqual([{ sku: 'A', counted: '13' }]);
    tally = undoLastScan(undoLastScan(tally));
    expect(tallyLines(tally)).toEqual([{ sku: 'A', counted: '12' }]);
    expect(tallyLines(setCounted(emptyTally, 'B', 'L', '0'))).toEqual([{ sku: 'B', lot: 'L', counted: '0' }]);
    expect(() => setCounted(emptyTally, 'B', undefined, '-1')).toThrow('Must not be negative');
    expect(() => tallyScan(emptyTally, 'B', undefined, '0')).toThrow('Must be more than 0');
  });

  it('feeds countDifferences', () => {
    const tally = tallyScan(tallyScan(emptyTally, 'A'), 'A');
    expect(countDifferences([{ sku: 'A', onHand: '3' }], tallyLines(tally))).toEqual([
      { sku: 'A', onHand: '3', counted: '2', difference: '-1', outcome: 'missing', wasCounted: true },
    ]);
  });
});
