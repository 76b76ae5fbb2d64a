/**
 * Quantities are exact: integer thousandths of the article's unit (1.25 pcs is 1250), never
 * floats. At most 3 decimals and at most 1e9 units (API.md).
 */
export type Quantity = number;

/** 1 unit in thousandths. */
export const oneUnit: Quantity = 1000;

/** The largest quantity of one line: 1e9 units. */
export const maxQuantity: Quantity = 1_000_000_000 * oneUnit;

/**
 * Converts a decimal (as a JSON number or a decimal string) to thousandths, exactly; undefined
 * when it has more than 3 decimals, is not finite, or is out of range. Works on the decimal text,
 * so 0.1 becomes exactly 100 and 0.1 + 0.2 received shows 0.3.
 */
export function toThousandths(value: number | string): Quantity | undefined {
  const text = typeof value === 'number' ? numberToPlainText(value) : value.trim();
  if (text === undefined) return undefined;
  const match = /^(-?)(\d+)(?:\.(\d{1,3}))?$/.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const thousandths = Number(whole) * oneUnit + Number(fraction.padEnd(3, '0'));
  if (!Number.isSafeInteger(thousandths) || thousandths > maxQuantity) return undefined;
  return sign === '-' ? -thousandths : thousandths;
}

/** A JS number as plain decimal text ("1e-7" style included), or undefined when not finite. */
function numberToPlainText(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined;
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Exponent forms: exact through toFixed for the small numbers API quantities allow.
  const fixed = value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
  // Too small for 20 decimals (1e-21 would read as 0): not a quantity.
  return Number(fixed) === value ? fixed : undefined;
}

/** Thousandths back to a JSON number with at most 3 decimals (exact for every valid quantity). */
export function fromThousandths(quantity: Quantity): number {
  return quantity / oneUnit;
}

/** Whether a quantity is a whole number of units (serial-tracked articles move whole units). */
export function isWholeUnits(quantity: Quantity): boolean {
  return quantity % oneUnit === 0;
}
