import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A string literal that starts like an SQL statement ('select ...', `with x as ...`, "LISTEN ..."). */
const statementLiteral = /['"`]\s*(?:select|insert|update|delete|with|drop|create|alter|set local|listen|notify)\s/gi;

/** The statements written inline in a file, outside a `*.sql.ts`. */
function inlineStatements(text: string): string[] {
  return [...text.matchAll(statementLiteral)].map((match) => text.slice(match.index, match.index + 60));
}

/** The modules whose SQL lives in `*.sql.ts` files beside them (issue 11, item 3). */
const owners = [
  ...readdirSync('src/tenancy').map((name) => join('src/tenancy', name)),
  'src/projections/read-schemas.ts',
  'src/projections/read-schema-registry.ts',
  'src/projections/gc.ts',
].filter((path) => path.endsWith('.ts') && !path.endsWith('.sql.ts'));

describe('SQL beside its owner', () => {
  it('recognises an inline statement', () => {
    expect(inlineStatements("await t.none('update users set role = $2 where id = $1', [id, role]);")).toHaveLength(1);
    expect(inlineStatements('await db.one(`\n  select position::text from x`);')).toHaveLength(1);
    expect(inlineStatements("logger.info({ schema }, 'dropped read schema'); // 'set' refuses")).toEqual([]);
  });

  it('src/tenancy, read-schemas, its registry and GC run only statements of their *.sql.ts', () => {
    const found = owners.flatMap((path) => inlineStatements(readFileSync(path, 'utf8')).map((statement) => `${path}: ${statement}`));
    expect(found).toEqual([]);
  });
});
