/**
 * `value` without the fields that are `undefined`: the one way to leave optional fields out.
 * exactOptionalPropertyTypes is off, so the compiler lets an optional field hold `undefined`, and
 * zod gives absent optional fields back as `undefined`; JSON drops such fields when an event is
 * stored or an answer sent. Leaving them out here means an event, command or answer has the same
 * keys in memory as after that round trip (a decided event strictly equals its read-back copy).
 * Lives in the domain, which imports nothing, so every layer can use it.
 */
export function definedFields<T extends object>(value: T): T {
  const fields: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) fields[key] = field;
  return fields as T;
}
