import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { z } from 'zod';
import { decodeEvent, InvalidStoredEvent } from '../../src/events/codec.js';
import { exactCheckOf } from '../../src/events/exact-check.js';
import { eventDataSchemas, eventMetadataSchema } from '../../src/events/schemas.js';

type JsonSchema = Record<string, unknown>;

/** Values that are wrong for most fields, or right for some: the edges of every keyword in use. */
const oddValue = fc.oneof(
  fc.constantFrom<unknown>('', 'x', 'api', 'lost', 'other', '2026-01-01', '2026-1-1', ' 2026-01-01', 0, -0, -1, 1, 1.5, -2.5, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), null, true, false, [], {}, ['a'], [''], { quantity: 1 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * Values near the schema: mostly valid, with some fields replaced by odd values, some required
 * keys missing and some unknown keys added, so that both answers of a check are exercised.
 */
function nearSchema(schema: JsonSchema): fc.Arbitrary<unknown> {
  const valid = (): fc.Arbitrary<unknown> => {
    switch (schema.type) {
      case 'string': {
        if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as string[]));
        if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern as string));
        return fc.string({ minLength: (schema.minLength as number | undefined) ?? 0, maxLength: 6 });
      }
      case 'integer': {
        const min = (schema.minimum as number | undefined) ?? ((schema.exclusiveMinimum as number | undefined) ?? -(2 ** 53)) + 1;
        const max = (schema.maximum as number | undefined) ?? 2 ** 53 - 1;
        return fc.oneof(fc.integer({ min: Math.max(min, -1000), max: Math.min(max, 100_000) }), fc.constantFrom(min, max));
      }
      case 'number':
        return fc.double({ min: (schema.minimum as number | undefined) ?? -1e6, max: 1e6, noNaN: true });
      case 'array':
        return fc.array(nearSchema(schema.items as JsonSchema), { maxLength: 3 });
      case 'object': {
        const properties = Object.fromEntries(Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(([name, property]) => [name, nearSchema(property)]));
        const required = (schema.required ?? []) as string[];
        return fc
          .tuple(
            fc.oneof({ weight: 4, arbitrary: fc.record(properties, { requiredKeys: required }) }, { weight: 1, arbitrary: fc.record(properties, { requiredKeys: [] }) }),
            fc.option(fc.tuple(fc.constantFrom('extra', 'tenant', 'sku', '__proto__', 'constructor'), oddValue), { freq: 6 }),
          )
          .map(([value, extra]) => (extra === null ? value : { ...value, ...JSON.parse(JSON.stringify({ [extra[0]]: extra[1] }) || '{}') }));
      }
      default:
        return oddValue;
    }
  };
  return fc.oneof({ weight: 30, arbitrary: valid() }, { weight: 1, arbitrary: oddValue });
}

/** What the exact check must answer: zod accepts the value and gives it back unchanged. */
const zodKeepsIt = (schema: z.ZodType, value: unknown): boolean => {
  const parsed = schema.safeParse(value);
  return parsed.success && isDeepStrictEqual(parsed.data, value);
};

const schemas: Array<[string, z.ZodType]> = [...Object.entries(eventDataSchemas), ['metadata', eventMetadataSchema]];

describe('exact checks of the event schemas', () => {
  it.each(schemas)('%s: the check accepts exactly the values zod accepts unchanged', (_name, schema) => {
    const check = exactCheckOf(schema);
    expect(check).toBeDefined();
    const jsonSchema = z.toJSONSchema(schema, { io: 'output' }) as JsonSchema;
    let accepted = 0;
    fc.assert(
      // Stored data and metadata are JSON (jsonb read back with JSON.parse), so the values are too.
      fc.property(nearSchema(jsonSchema).map((value) => JSON.parse(JSON.stringify(value)) as unknown), (value) => {
        const expected = zodKeepsIt(schema, value);
        if (expected) accepted += 1;
        expect(check?.(value)).toBe(expected);
      }),
      { numRuns: 1500 },
    );
    // Both answers were exercised.
    expect(accepted).toBeGreaterThan(20);
    expect(accepted).toBeLessThan(1500);
  });

  it('leaves schemas with refinements, transforms, defaults or unknown keys kept to zod', () => {
    expect(exactCheckOf(z.object({ a: z.string().refine((value) => value !== 'x') }))).toBeUndefined();
    expect(exactCheckOf(z.object({ a: z.string().transform((value) => value.length) }))).toBeUndefined();
    expect(exactCheckOf(z.object({ a: z.string().default('x') }))).toBeUndefined();
    expect(exactCheckOf(z.looseObject({ a: z.string() }))).toBeUndefined();
    expect(exactCheckOf(z.object({ a: z.string() }))).toBeDefined();
  });

  it('decodeEvent still strips unknown keys and refuses invalid events with their id', () => {
    const metadata = { tenant: 't', user: 'u', source: 'api', correlationId: 'c', occurredAt: '2026-01-01T00:00:00Z', schemaVersion: 1 };
    const recorded = (type: string, data: unknown, meta: Record<string, unknown> = metadata) => ({
      id: 'e1',
      stream: 't:stock-A',
      revision: 0n,
      position: '1',
      type,
      data,
      metadata: meta,
      recordedAt: new Date(0),
    });
    const shipped = { movementId: 'm', line: 0, sku: 'A', from: 'B-01', quantity: 1000 };
    expect(decodeEvent(recorded('StockShipped', shipped)).data).toBe(shipped);
    expect(decodeEvent(recorded('StockShipped', { ...shipped, extra: 1 })).data).toEqual(shipped);
    const { schemaVersion: _version, ...withoutVersion } = metadata;
    expect(decodeEvent(recorded('StockShipped', shipped, withoutVersion)).metadata).toEqual(metadata);
    expect(() => decodeEvent(recorded('StockShipped', { ...shipped, quantity: 0 }))).toThrow(InvalidStoredEvent);
    expect(() => decodeEvent(recorded('StockShipped', shipped, { ...metadata, source: 'web' }))).toThrow(InvalidStoredEvent);
    expect(() => decodeEvent(recorded('NoSuchEvent', shipped))).toThrow(/stored event e1/);
  });
});
