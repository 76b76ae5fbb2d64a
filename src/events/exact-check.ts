import { z } from 'zod';

/**
 * Fast checks derived from the zod event schemas, for the hot path of reading events back
 * (a rebuild decodes a million of them). A check answers one question: does zod accept this
 * value and give it back unchanged? When it says yes, the stored value is used as it is; when it
 * says no, the caller parses with zod as before (which strips unknown keys or refuses the value
 * with its error). The schemas stay the one source of truth: each check is compiled from
 * `z.toJSONSchema` of a schema, and a schema using anything outside the small subset below
 * (refinements, transforms, defaults, loose objects, ...) gets no check at all: zod handles
 * every value. test/unit/exact-check.test.ts proves, on generated
 * and mutated values of every event schema, that a check accepts exactly the values zod accepts
 * unchanged.
 */

/** True only when zod's parse would accept `value` and return a value deep-equal to it. */
export type ExactCheck = (value: unknown) => boolean;

interface JsonSchema {
  readonly [keyword: string]: unknown;
}

const understood = new Set([
  '$schema',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minLength',
  'maxLength',
  'pattern',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
]);

class Unsupported extends Error {}

const numberKeyword = (schema: JsonSchema, keyword: string): number | undefined => {
  const value = schema[keyword];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new Unsupported(keyword);
  return value;
};

function compileBounds(schema: JsonSchema, integer: boolean): ExactCheck {
  const minimum = numberKeyword(schema, 'minimum') ?? -Infinity;
  const maximum = numberKeyword(schema, 'maximum') ?? Infinity;
  const above = numberKeyword(schema, 'exclusiveMinimum') ?? -Infinity;
  const below = numberKeyword(schema, 'exclusiveMaximum') ?? Infinity;
  return (value) =>
    typeof value === 'number' &&
    (integer ? Number.isInteger(value) : Number.isFinite(value)) &&
    value >= minimum &&
    value <= maximum &&
    value > above &&
    value < below;
}

function compileString(schema: JsonSchema): ExactCheck {
  const minLength = numberKeyword(schema, 'minLength') ?? 0;
  const maxLength = numberKeyword(schema, 'maxLength') ?? Infinity;
  const pattern = schema.pattern === undefined ? undefined : new RegExp(schema.pattern as string);
  const options = schema.enum as readonly unknown[] | undefined;
  return (value) =>
    typeof value === 'string' &&
    value.length >= minLength &&
    value.length <= maxLength &&
    (pattern === undefined || pattern.test(value)) &&
    (options === undefined || options.includes(value));
}

function compileObject(schema: JsonSchema): ExactCheck {
  // Only objects that refuse or strip unknown keys: a value with one is left to zod.
  if (schema.additionalProperties !== false) throw new Unsupported('additionalProperties');
  const required = new Set((schema.required ?? []) as readonly string[]);
  const properties: Record<string, { check: ExactCheck; required: boolean }> = Object.create(null) as Record<string, { check: ExactCheck; required: boolean }>;
  for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) {
    properties[name] = { check: compile(property), required: required.has(name) };
  }
  const requiredCount = required.size;
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    let requiredSeen = 0;
    for (const name of Object.keys(record)) {
      const property = properties[name];
      if (property === undefined || !property.check(record[name])) return false;
      if (property.required) requiredSeen += 1;
    }
    return requiredSeen === requiredCount;
  };
}

function compile(schema: JsonSchema): ExactCheck {
  for (const keyword of Object.keys(schema)) if (!understood.has(keyword)) throw new Unsupported(keyword);
  if (schema.enum !== undefined && schema.type !== 'string') throw new Unsupported('enum');
  switch (schema.type) {
    case 'object':
      return compileObject(schema);
    case 'array': {
      if (typeof schema.items !== 'object' || schema.items === null) throw new Unsupported('items');
      const item = compile(schema.items as JsonSchema);
      return (value) => Array.isArray(value) && value.every((element) => item(element));
    }
    case 'string':
      return compileString(schema);
    case 'integer':
      return compileBounds(schema, true);
    case 'number':
      return compileBounds(schema, false);
    default:
      throw new Unsupported(`type ${String(schema.type)}`);
  }
}

/**
 * The exact check of a zod schema, or undefined when the schema uses anything the compiler does
 * not know (then every value goes through zod).
 */
export function exactCheckOf(schema: z.ZodType): ExactCheck | undefined {
  try {
    const jsonSchema = z.toJSONSchema(schema, {
      io: 'output',
      unrepresentable: 'throw',
      // Refinements have no JSON Schema form and would be dropped silently: refuse them.
      override: ({ zodSchema }) => {
        const checks = (zodSchema._zod.def as { checks?: ReadonlyArray<{ _zod: { def: { check: string } } }> }).checks ?? [];
        if (checks.some((check) => check._zod.def.check === 'custom')) throw new Unsupported('refinement');
      },
    });
    return compile(jsonSchema as JsonSchema);
  } catch {
    return undefined;
  }
}
