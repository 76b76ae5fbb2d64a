/**
 * Exact stock quantities. A quantity is a decimal string ("12.5", "-3", "0.001"): at most three
 * decimal places and at most 1e9 in size (API.md), added and compared as a bigint count of
 * thousandths, never as floats, so 0.1 + 0.2 is 0.3. The API takes and gives JSON numbers; a
 * number is made only from a validated string, where the conversion is exact both ways.
 */

/** The largest quantity the API accepts, in thousandths (1e9 units). */
const MAX_THOUSANDTHS = 1_000_000_000_000n;

/** Why a quantity is refused; the form shows the message at its field. */
export type QuantityErrorCode = 'quantity-format' | 'quantity-precision' | 'quantity-range' | 'quantity-sign';

/** A quantity that cannot be taken as it stands. */
export class QuantityError extends Error {
  // A plain field, not a constructor parameter property: the web build may allow erasable syntax only.
  readonly code: QuantityErrorCode;

  constructor(code: QuantityErrorCode, message: string) {
    super(message);
    this.name = 'QuantityError';
    this.code = code;
  }
}

/** Which signs a field accepts: `positive` for movements, `non-negative` for counts, `any` for deltas. */
export type QuantitySign = 'positive' | 'non-negative' | 'any';

const decimal = /^([+-]?)(\d+)(?:\.(\d*))?$/;

/**
 * The count of thousandths in a decimal string with at most three decimals ("1.5" is 1500n).
 * Throws {@link QuantityError} for anything else; the size is not limited here.
 */
export function toThousandths(quantity: string): bigint {
  const match = decimal.exec(quantity);
  if (!match) throw new QuantityError('quantity-format', `Not a number: ${JSON.stringify(quantity)}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  if (fraction.length > 3) throw new QuantityError('quantity-precision', 'At most 3 decimal places');
  const value = BigInt(whole) * 1000n + BigInt(fraction.padEnd(3, '0'));
  return sign === '-' ? -value : value;
}

/** The canonical decimal string of a count of thousandths (1500n is "1.5", -1n is "-0.001"). */
export function fromThousandths(thousandths: bigint): string {
  const negative = thousandths < 0n;
  const magnitude = negative ? -thousandths : thousandths;
  const whole = (magnitude / 1000n).toString();
  const fraction = (magnitude % 1000n).toString().padStart(3, '0').replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction === '' ? '' : `.${fraction}`}`;
}

/** Checks the API's rules on a decimal string and returns it in canonical form ("01.50" is "1.5"). */
export function validQuantity(quantity: string, sign: QuantitySign = 'positive'): string {
  const thousandths = toThousandths(quantity);
  const magnitude = thousandths < 0n ? -thousandths : thousandths;
  if (magnitude > MAX_THOUSANDTHS) throw new QuantityError('quantity-range', 'At most 1,000,000,000');
  if (sign === 'positive' && thousandths <= 0n) throw new QuantityError('quantity-sign', 'Must be more than 0');
  if (sign === 'non-negative' && thousandths < 0n) throw new QuantityError('quantity-sign', 'Must not be negative');
  return fromThousandths(thousandths);
}

/**
 * The JSON number to send for a quantity. Only a canonical string of at most 3 decimals and at
 * most 1e9 becomes a number: such a value has at most 13 significant digits, fewer than the 15 a
 * double always keeps, so the number prints back as the same string (test/web/quantity.test.ts).
 */
export function toApiNumber(quantity: string, sign: QuantitySign = 'positive'): number {
  return Number(validQuantity(quantity, sign));
}

/**
 * The decimal string of a quantity the API sent as a JSON number. JavaScript prints a number with
 * the fewest digits that read back as it, which for the API's values is the decimal it wrote.
 */
export function fromApiNumber(value: number): string {
  if (!Number.isFinite(value)) throw new QuantityError('quantity-format', `Not a finite number: ${value}`);
  const printed = Object.is(value, -0) ? '0' : String(value);
  if (printed.includes('e')) throw new QuantityError('quantity-range', `Out of range: ${printed}`);
  return fromThousandths(toThousandths(printed));
}

/** a + b, exactly. */
export function addQuantities(a: string, b: string): string {
  return fromThousandths(toThousandths(a) + toThousandths(b));
}

/** a − b, exactly. */
export function subtractQuantities(a: string, b: string): string {
  return fromThousandths(toThousandths(a) - toThousandths(b));
}

/** The sum of any number of quantities, exactly ("0" for none). */
export function sumQuantities(quantities: Iterable<string>): string {
  let total = 0n;
  for (const quantity of quantities) total += toThousandths(quantity);
  return fromThousandths(total);
}

/** Orders two quantities: negative when a is less, 0 when equal, positive when a is more. */
export function compareQuantities(a: string, b: string): number {
  const difference = toThousandths(a) - toThousandths(b);
  return difference < 0n ? -1 : difference > 0n ? 1 : 0;
}

/**
 * Shows a quantity in a locale ("1234.5" is "1.234,5" in de-DE) with 0 to 3 decimals. The string
 * goes to Intl as a string, which ES2023 engines format exactly; an older engine turns it into the
 * nearest double, which for at most 13 significant digits still prints as the same decimal.
 */
export function formatQuantity(quantity: string, locale: string | readonly string[] | undefined): string {
  const exact = fromThousandths(toThousandths(quantity));
  const format = new Intl.NumberFormat(locale as string | string[] | undefined, { minimumFractionDigits: 0, maximumFractionDigits: 3 });
  // A cast because an ES2022 lib (as a web tsconfig may use) declares numbers only; `format` is a
  // getter that returns a bound function, so calling it detached is fine.
  return (format.format as unknown as (value: string) => string)(exact);
}
