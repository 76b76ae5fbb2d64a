import { describe, expect, it } from '@jest/globals';
import { fromThousandths, isWholeUnits, maxQuantity, oneUnit, toThousandths } from '../../../src/domain/quantity.js';

describe('quantities in thousandths', () => {
  it('are exact: 0.1 + 0.2 is 0.3', () => {
    const sum = (toThousandths(0.1) ?? Number.NaN) + (toThousandths(0.2) ?? Number.NaN);
    expect(sum).toBe(300);
    expect(sum).toBe(toThousandths(0.3));
    expect(fromThousandths(sum)).toBe(0.3);
  });

  it('read numbers and decimal strings with up to 3 decimals', () => {
    expect([toThousandths(1), toThousandths(2.5), toThousandths(0.001), toThousandths(1.005), toThousandths(-3.25)]).toEqual([1000, 2500, 1, 1005, -3250]);
    expect([toThousandths('2.5'), toThousandths(' 0.125 '), toThousandths('7'), toThousandths('-0.5')]).toEqual([2500, 125, 7000, -500]);
  });

  it('refuse 4 decimals, as numbers and as text', () => {
    expect(toThousandths(0.0001)).toBeUndefined();
    expect(toThousandths(1.2345)).toBeUndefined();
    expect(toThousandths('1.2345')).toBeUndefined();
    expect(toThousandths(0.1 + 0.2)).toBeUndefined();
  });

  it('go up to 1e9 units and no further', () => {
    expect(toThousandths(1e9)).toBe(maxQuantity);
    expect(maxQuantity).toBe(1e12);
    expect(toThousandths('1000000000.000')).toBe(1e12);
    expect(toThousandths(1e9 + 0.001)).toBeUndefined();
    expect(toThousandths('1000000000.001')).toBeUndefined();
    expect(toThousandths(-1e9)).toBe(-1e12);
  });

  it('read exponent forms of numbers exactly, and refuse those too small or too large', () => {
    expect(toThousandths(1e3)).toBe(1_000_000);
    expect(toThousandths(2.5e-2)).toBe(25);
    expect(toThousandths(1e-7)).toBeUndefined();
    expect(toThousandths(1.5e-7)).toBeUndefined();
    expect(toThousandths(1e21)).toBeUndefined();
  });

  it('refuse numbers so small that 20 decimals show only zeros', () => {
    expect(toThousandths(1e-21)).toBeUndefined();
    expect(toThousandths(5e-324)).toBeUndefined();
  });

  it('refuse what is not a finite decimal', () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY, '', 'abc', '1.', '.5', '1e3', '1,5', '+1']) expect(toThousandths(value)).toBeUndefined();
  });

  it('tell whole units from fractions', () => {
    expect(oneUnit).toBe(1000);
    expect([isWholeUnits(3000), isWholeUnits(0), isWholeUnits(1500), isWholeUnits(1)]).toEqual([true, true, false, false]);
    expect([fromThousandths(1), fromThousandths(2500), fromThousandths(1e12)]).toEqual([0.001, 2.5, 1e9]);
  });
});
