/**
 * The fields of a validated request that were given: zod leaves absent optional fields as
 * `undefined`, and commands take them absent (exactOptionalPropertyTypes).
 */
export function definedFields<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
