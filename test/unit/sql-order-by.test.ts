/**
 * PostgreSQL resolves a bare name in ORDER BY to an output column first: in
 * `select position::text from es_events order by position` it sorts by the text, so "100000000"
 * comes before "99999999". That sorted seal checkpoints and JSON-line page ends wrongly once a
 * tenant's positions crossed a digit (test/audit/position-digits.test.ts shows the effect). This
 * check finds the pattern in every statement of the code, benchmarks and migrations; the cure is
 * to name the table's column (`order by e.position`).
 */
import { describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every file below `folder` whose name ends in one of `endings`. */
function files(folder: string, endings: readonly string[]): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return files(path, endings);
    return endings.some((ending) => entry.name.endsWith(ending)) ? [path] : [];
  });
}

/** The statements of a file: template and quoted literals of TypeScript, `;`-separated text of SQL. */
function statements(path: string, text: string): string[] {
  if (path.endsWith('.sql')) return text.split(';');
  return [...text.matchAll(/`[^`]*`|'(?:[^'\\\n]|\\.)*'/g)].map((match) => match[0]);
}

/**
 * The bare names a statement orders by that it also selects cast to another type under their own
 * name (no alias): those sort by the cast value.
 */
function sortedByCastOutput(statement: string): string[] {
  const text = statement.toLowerCase();
  const bareNames = [...text.matchAll(/order by\s+"?([a-z_][a-z0-9_]*)"?(?![a-z0-9_."(]|\s*::)/g)].map((match) => match[1] as string);
  return bareNames.filter((name) => new RegExp(`(?:^|[\\s,(])(?:[a-z_][a-z0-9_]*\\.)?"?${name}"?::[a-z0-9_]+(?!\\s+as\\s)(?:\\s*,|\\s+from\\b)`).test(text));
}

describe('ORDER BY sorts by the column, not by a cast of it', () => {
  it('recognises the pattern, and only it', () => {
    expect(sortedByCastOutput('select position::text from es_events where tenant = $1 order by position offset $4 limit 1')).toEqual(['position']);
    expect(sortedByCastOutput('select position::text, hash, count::text from audit_seals where tenant = $1 order by position desc limit 1')).toEqual(['position']);
    expect(sortedByCastOutput('select e.position::text from es_events e where e.tenant = $1 order by e.position offset $4 limit 1')).toEqual([]);
    expect(sortedByCastOutput('select position::text as at from es_events order by position')).toEqual([]);
    expect(sortedByCastOutput('select row_number() over (partition by side order by row::text) as n from t')).toEqual([]);
    expect(sortedByCastOutput('select name, revision from es_streams order by name')).toEqual([]);
  });

  it('no statement of src, bench or migrations has it', () => {
    const paths = [...files('src', ['.ts']), ...files('bench', ['.ts']), ...files('migrations', ['.sql'])];
    const found = paths.flatMap((path) =>
      statements(path, readFileSync(path, 'utf8')).flatMap((statement) =>
        sortedByCastOutput(statement).map((name) => `${path}: order by ${name} in ${statement.replace(/\s+/g, ' ').slice(0, 100)}`),
      ),
    );
    expect(found).toEqual([]);
  });
});
