import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  QuantityError,
  addQuantities,
  compareQuantities,
  formatQuantity,
  fromApiNumber,
  fromThousandths,
  subtractQuantities,
  sumQuantities,
  toApiNumber,
  toThousandths,
  validQuantity,
} from '../../web/src/lib/quantity.js';
import { parseQuantityInput } from '../../web/src/lib/quantity-input.js';

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof QuantityError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('thousandths', () => {
  it.each([
    ['1.5', 1500n],
    ['0.001', 1n],
    ['-0.001', -1n],
    ['1000000000', 1_000_000_000_000n],
    ['007.120', 7120n],
    ['5.', 5000n],
    ['+2', 2000n],
  ])('reads %s as %s', (text, thousandths) => {
    expect(toThousandths(text)).toBe(thousandths);
  });

  it.each([
    [1500n, '1.5'],
    [1n, '0.001'],
    [-1n, '-0.001'],
    [-1500n, '-1.5'],
    [0n, '0'],
    [10n, '0.01'],
    [1_000_000_000_000n, '1000000000'],
  ])('writes %s as %s', (thousandths, text) => {
    expect(fromThousandths(thousandths)).toBe(text);
  });

  it.each(['0.0001', '1.2345'])('refuses %s: more than 3 decimals', (text) => {
    expect(codeOf(() => toThousandths(text))).toBe('quantity-precision');
  });

  it.each(['', '.', '1e3', '1,5', 'NaN', 'Infinity', '0x10', ' 1', '1 000', '--1'])('refuses %j: not a decimal', (text) => {
    expect(codeOf(() => toThousandths(text))).toBe('quantity-format');
  });
});

describe('validQuantity', () => {
  it('holds the API rules: > 0 (or as the field says), at most 1e9', () => {
    expect(validQuantity('01.50')).toBe('1.5');
    expect(validQuantity('1000000000')).toBe('1000000000');
    expect(codeOf(() => validQuantity('1000000000.001'))).toBe('quantity-range');
    expect(codeOf(() => validQuantity('-1000000000.001', 'any'))).toBe('quantity-range');
    expect(codeOf(() => validQuantity('0'))).toBe('quantity-sign');
    expect(validQuantity('0', 'non-negative')).toBe('0');
    expect(codeOf(() => validQuantity('-1', 'non-negative'))).toBe('quantity-sign');
    expect(validQuantity('-3', 'any')).toBe('-3');
  });
});

describe('exact arithmetic', () => {
  it('adds 0.1 and 0.2 to 0.3 (floats give 0.30000000000000004)', () => {
    expect(addQuantities('0.1', '0.2')).toBe('0.3');
    expect(sumQuantities(['0.1', '0.2', '0.3'])).toBe('0.6');
    expect(sumQuantities([])).toBe('0');
  });

  it('subtracts and compares on thousandths', () => {
    expect(subtractQuantities('1', '0.001')).toBe('0.999');
    expect(subtractQuantities('0.3', '0.1')).toBe('0.2');
    expect(subtractQuantities('2', '5.5')).toBe('-3.5');
    expect(compareQuantities('0.3', addQuantities('0.1', '0.2'))).toBe(0);
    expect(compareQuantities('10', '9.999')).toBe(1);
    expect(compareQuantities('-1', '0')).toBe(-1);
    expect(compareQuantities('1.10', '1.1')).toBe(0);
  });

  it('agrees with bigint arithmetic for any two quantities', () => {
    const thousandths = fc.bigInt({ min: -1_000_000_000_000n, max: 1_000_000_000_000n });
    fc.assert(
      fc.property(thousandths, thousandths, (a, b) => {
        expect(toThousandths(addQuantities(fromThousandths(a), fromThousandths(b)))).toBe(a + b);
        expect(toThousandths(subtractQuantities(fromThousandths(a), fromThousandths(b)))).toBe(a - b);
        expect(compareQuantities(fromThousandths(a), fromThousandths(b))).toBe(a < b ? -1 : a > b ? 1 : 0);
      }),
    );
  });
});

describe('JSON numbers for the API', () => {
  it('round-trips every thousandth from 0 to 100 exactly', () => {
    for (let thousandths = 0n; thousandths <= 100_000n; thousandths += 1n) {
      const text = fromThousandths(thousandths);
      const number = toApiNumber(text, 'non-negative');
      if (JSON.stringify(number) !== text || fromApiNumber(JSON.parse(JSON.stringify(number)) as number) !== text) {
        throw new Error(`${text} became ${JSON.stringify(number)}`);
      }
    }
  });

  it('round-trips every thousandth of the last unit up to 1e9', () => {
    for (let thousandths = 999_999_999_000n; thousandths <= 1_000_000_000_000n; thousandths += 1n) {
      const text = fromThousandths(thousandths);
      if (JSON.stringify(toApiNumber(text)) !== text) throw new Error(`${text} became ${JSON.stringify(toApiNumber(text))}`);
    }
  });

  it('round-trips any thousandth up to ±1e9 (fast-check)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -1_000_000_000_000n, max: 1_000_000_000_000n }), (thousandths) => {
        const text = fromThousandths(thousandths);
        const sent = JSON.stringify({ quantity: toApiNumber(text, 'any') });
        expect(sent).toBe(`{"quantity":${text}}`);
        expect(fromApiNumber((JSON.parse(sent) as { quantity: number }).quantity)).toBe(text);
      }),
      { numRuns: 5_000 },
    );
  });

  it('makes no number from a string the API would refuse', () => {
    expect(codeOf(() => toApiNumber('0.1234'))).toBe('quantity-precision');
    expect(codeOf(() => toApiNumber('1e9'))).toBe('quantity-format');
    expect(codeOf(() => toApiNumber('2000000000'))).toBe('quantity-range');
    expect(codeOf(() => toApiNumber('0'))).toBe('quantity-sign');
  });

  it('reads the API numbers and refuses what cannot be a quantity', () => {
    expect(fromApiNumber(0.3)).toBe('0.3');
    expect(fromApiNumber(-0)).toBe('0');
    expect(fromApiNumber(-12.5)).toBe('-12.5');
    expect(codeOf(() => fromApiNumber(0.1 + 0.2))).toBe('quantity-precision');
    expect(codeOf(() => fromApiNumber(1e-7))).toBe('quantity-range');
    expect(codeOf(() => fromApiNumber(Number.NaN))).toBe('quantity-format');
  });
});

describe('parseQuantityInput', () => {
  it.each([
    ['1.234,5', 'de-DE', '1234.5'],
    ['1234,5', 'de-DE', '1234.5'],
    ['0,001', 'de-DE', '0.001'],
    [',5', 'de-DE', '0.5'],
    ['1.000.000', 'de-DE', '1000000'],
    ['1,234.5', 'en-US', '1234.5'],
    ['1234.500', 'en-US', '1234.5'],
    ['1 234,5', 'fr-FR', '1234.5'], // typed with an ordinary space
    ['1\u202f234,5', 'fr-FR', '1234.5'], // as Intl writes it (narrow no-break space)
    ["1'234.5", 'de-CH', '1234.5'],
    ['1\u2019234.5', 'de-CH', '1234.5'], // the typographic apostrophe some ICU versions write
    ['1\u00a0234,5', 'fr-FR', '1234.5'],
    ['1.234,5', 'es-ES', '1234.5'],
    ['12,34,567.5', 'en-IN', '1234567.5'],
    ['١٢٣٫٥', 'ar-EG', '123.5'],
    ['  7  ', 'en-US', '7'],
  ])('reads %j in %s as %s', (input, locale, expected) => {
    expect(parseQuantityInput(input, locale)).toBe(expected);
  });

  it('reads a sign only where the field allows it', () => {
    expect(parseQuantityInput('-3,5', 'de-DE', 'any')).toBe('-3.5');
    expect(parseQuantityInput('\u22123', 'en-US', 'any')).toBe('-3');
    expect(codeOf(() => parseQuantityInput('-3', 'de-DE'))).toBe('quantity-sign');
    expect(parseQuantityInput('0', 'de-DE', 'non-negative')).toBe('0');
  });

  it.each([
    ['1,5', 'en-US'], // a group of 1 digit: a typo, not 15
    ['1,23', 'en-US'],
    ['1.5', 'de-DE'], // "." groups in de-DE
    ['1,234,56.5', 'en-IN'],
    ['1.2.3', 'en-US'],
    ['abc', 'en-US'],
    ['', 'en-US'],
    ['12 kg', 'en-US'],
    ['1,5,', 'de-DE'],
    ['1 234.5', 'en-US'], // a space is no group separator in en-US
  ])('refuses %j in %s', (input, locale) => {
    expect(codeOf(() => parseQuantityInput(input, locale))).toBe('quantity-format');
  });

  it('refuses more than 3 decimals and more than 1e9', () => {
    expect(codeOf(() => parseQuantityInput('1,2345', 'de-DE'))).toBe('quantity-precision');
    expect(codeOf(() => parseQuantityInput('1.000.000.001', 'de-DE'))).toBe('quantity-range');
  });

  it('reads back what formatQuantity wrote, in any of these locales', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 1_000_000_000_000n }), fc.constantFrom('de-DE', 'en-US', 'fr-FR', 'de-CH', 'en-IN', 'ar-EG'), (thousandths, locale) => {
        const text = fromThousandths(thousandths);
        expect(parseQuantityInput(formatQuantity(text, locale), locale)).toBe(text);
      }),
    );
  });
});

describe('formatQuantity', () => {
  it.each([
    ['1234.5', 'de-DE', '1.234,5'],
    ['1234.5', 'en-US', '1,234.5'],
    ['1000000000', 'en-US', '1,000,000,000'],
    ['999999999.999', 'en-US', '999,999,999.999'],
    ['0.001', 'de-DE', '0,001'],
    ['12', 'de-DE', '12'],
    ['-3.25', 'en-US', '-3.25'],
  ])('shows %s in %s as %s', (quantity, locale, shown) => {
    expect(formatQuantity(quantity, locale)).toBe(shown);
  });

  it('formats the exact decimal, not its nearest float', () => {
    // 9007199254740.993 has no exact double; 999999999.999 does not either, and must not round.
    expect(formatQuantity('999999999.999', 'de-DE')).toBe('999.999.999,999');
  });
});
