import { fromThousandths } from '../domain/quantity.js';

/** A quantity in thousandths, or null, in units for an answer. */
export const units = (thousandths: number | null | undefined): number | null => (thousandths === null || thousandths === undefined ? null : fromThousandths(thousandths));

/** Converts the named quantity fields of a row from thousandths to units (fields it lacks stay absent). */
export function inUnits<T extends object, K extends keyof T>(row: T, fields: readonly K[]): T {
  const copy = { ...row } as Record<string, unknown>;
  for (const field of fields) if (field in row) copy[field as string] = units(row[field] as number | null);
  return copy as T;
}
