/**
 * Array literals for array parameters: a batch's column sent as one text parameter (`$1::text[]`).
 */

const needsEscape = /["\\]/;
const escaped = /["\\]/g;

/**
 * A PostgreSQL array literal of text values, every element quoted: sent as one parameter and
 * parsed by array_in on the server, it costs a fraction of what a formatted `array[...]`
 * expression or node-postgres' own array serialisation does for tens of thousands of values.
 */
export function textArray(values: ReadonlyArray<string | null>): string {
  let literal = '{';
  for (let index = 0; index < values.length; index += 1) {
    const value = values[index];
    if (index > 0) literal += ',';
    if (value === null || value === undefined) literal += 'NULL';
    else literal += needsEscape.test(value) ? `"${value.replace(escaped, '\\$&')}"` : `"${value}"`;
  }
  return `${literal}}`;
}
/** A PostgreSQL array literal of numbers. */
export function numberArray(values: ReadonlyArray<number | string>): string {
  return `{${values.join(',')}}`;
}
