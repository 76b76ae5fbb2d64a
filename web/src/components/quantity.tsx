import { fromApiNumber, formatQuantity } from '../lib/quantity';

/** The browser's locales, for Intl formatting of quantities, numbers and dates. */
export const browserLocales: readonly string[] = typeof navigator === 'undefined' ? [] : navigator.languages;

/** A quantity the API sent (JSON number of at most 3 decimals, or its exact string) in the browser's locale, exactly: never float math. */
export function quantityFor(value: number | string): string {
  return formatQuantity(typeof value === 'number' ? fromApiNumber(value) : value, browserLocales);
}

/** A table cell with a quantity, right-aligned in figures that line up. */
export function QuantityCell({ value, className = '' }: { readonly value: number | string; readonly className?: string }) {
  return <td className={`text-end font-monospace ${className}`.trim()}>{quantityFor(value)}</td>;
}
