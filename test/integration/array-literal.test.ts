import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { numberArray, textArray } from '../../src/projections/array-literal.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

describe('array literals sent as one parameter', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase({ migrated: false, poolSize: 2 });
  });
  afterAll(async () => {
    await database.drop();
  });

  it('give back every text exactly, with nulls, quotes, backslashes, braces, commas and the word NULL', async () => {
    const values = ['plain', '', 'NULL', 'with "quotes"', 'back\\slash', '{braces}', 'a,b', ' spaced ', null, 'ümlaut ✓', "it's"];
    const row = await database.db.one<{ values: Array<string | null> }>('select $1::text[] as values', [textArray(values)]);
    expect(row.values).toEqual(values);
  });

  it('round-trip any generated text array', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.option(fc.string({ unit: 'grapheme' }).map((text) => text.replaceAll(String.fromCharCode(0), '')), { nil: null }), { maxLength: 20 }), async (values) => {
        const row = await database.db.one<{ values: Array<string | null> }>('select $1::text[] as values', [textArray(values)]);
        expect(row.values).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });

  it('give back numbers, big positions included', async () => {
    const values = ['281474976710656123', '1', '0'];
    const row = await database.db.one<{ values: string[] }>('select $1::bigint[]::text[] as values', [numberArray([...values, -5])]);
    expect(row.values).toEqual([...values, '-5']);
  });
});
