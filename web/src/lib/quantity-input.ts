/**
 * Reads a quantity as a user types it in their locale: "1.234,5" in de-DE, "1,234.5" in en-US,
 * "1 234,5" in fr-FR, "12,34,567.5" in en-IN. The separators and digit groups come from Intl for
 * that locale, so a typo such as "1,23" in en-US is refused rather than read as 123.
 */
import { QuantityError, validQuantity, type QuantitySign } from './quantity.js';

interface NumberSymbols {
  readonly decimal: string;
  readonly group: string;
  /** Size of the last group before the decimal separator (3), and of the groups before it (3, or 2 in en-IN). */
  readonly primary: number;
  readonly secondary: number;
  /** The locale's digits 0-9, when it does not write Latin ones. */
  readonly digits: readonly string[];
}

const cache = new Map<string, NumberSymbols>();

function symbolsOf(locale: string | undefined): NumberSymbols {
  const key = locale ?? '';
  const known = cache.get(key);
  if (known) return known;
  const format = new Intl.NumberFormat(locale);
  const parts = format.formatToParts(1234567.5);
  const groups = parts.filter((part) => part.type === 'integer').map((part) => part.value.length);
  const symbols: NumberSymbols = {
    decimal: parts.find((part) => part.type === 'decimal')?.value ?? '.',
    group: parts.find((part) => part.type === 'group')?.value ?? ',',
    primary: groups.at(-1) ?? 3,
    secondary: groups.length > 2 ? (groups.at(-2) ?? 3) : (groups.at(-1) ?? 3),
    digits: Array.from({ length: 10 }, (_, digit) => new Intl.NumberFormat(locale, { useGrouping: false }).format(digit)),
  };
  cache.set(key, symbols);
  return symbols;
}

/**
 * Group separators that look alike on a keyboard: a user types a plain space for fr-FR's narrow
 * no-break space, and an ASCII apostrophe for de-CH's typographic one (ICU versions differ).
 */
const lookAlikes: readonly (readonly string[])[] = [
  ['\u0020', '\u00a0', '\u202f'],
  ["'", '\u2019'],
];

/**
 * The canonical decimal string for what a user typed in `locale`, checked against the API's rules
 * (at most 3 decimals, at most 1e9) and `sign`. Group separators are optional but, when used, must
 * sit where the locale puts them. Throws {@link QuantityError} with a code the form can show.
 */
export function parseQuantityInput(input: string, locale: string | undefined, sign: QuantitySign = 'positive'): string {
  const symbols = symbolsOf(locale);
  let text = input.trim().replace(/^\u2212/, '-');
  symbols.digits.forEach((digit, value) => {
    if (digit !== String(value)) text = text.split(digit).join(String(value));
  });
  const group = symbols.group;
  for (const alike of lookAlikes.find((family) => family.includes(group)) ?? []) text = text.split(alike).join(group);
  const negative = text.startsWith('-');
  if (negative || text.startsWith('+')) text = text.slice(1);
  const decimalAt = text.indexOf(symbols.decimal);
  const integer = decimalAt === -1 ? text : text.slice(0, decimalAt);
  const fraction = decimalAt === -1 ? '' : text.slice(decimalAt + symbols.decimal.length);
  if (!/^\d*$/.test(fraction) || (integer === '' && fraction === '')) throw new QuantityError('quantity-format', `Not a number: ${JSON.stringify(input)}`);
  const whole = ungrouped(integer, group, symbols, input);
  return validQuantity(`${negative ? '-' : ''}${whole === '' ? '0' : whole}${fraction === '' ? '' : `.${fraction}`}`, sign);
}

function ungrouped(integer: string, group: string, symbols: NumberSymbols, input: string): string {
  if (/^\d*$/.test(integer)) return integer;
  const groups = integer.split(group);
  const last = groups.length - 1;
  const fits = groups.every((digits, index) => {
    if (!/^\d+$/.test(digits)) return false;
    if (index === last) return digits.length === symbols.primary;
    if (index === 0) return digits.length <= symbols.secondary;
    return digits.length === symbols.secondary;
  });
  if (!fits) throw new QuantityError('quantity-format', `Not a number: ${JSON.stringify(input)}`);
  return groups.join('');
}
