import { formatQuantity, fromApiNumber } from '../lib/quantity';

/** The browser's locales, for Intl. */
export const browserLocale = typeof navigator === 'undefined' ? undefined : navigator.languages;

/** A quantity of the API (a JSON number of at most 3 decimals, or its exact string) in the browser's locale; never float math. */
export function shownQuantity(value: number | string): string {
  return formatQuantity(typeof value === 'number' ? fromApiNumber(value) : value, browserLocale);
}

/** A right-aligned table cell with a quantity. */
export function QuantityCell({ value, className = '' }: { readonly value: number | string; readonly className?: string }) {
  return <td className={`text-end font-monospace ${className}`}>{shownQuantity(value)}</td>;
}
