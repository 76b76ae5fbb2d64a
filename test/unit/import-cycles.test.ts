import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';

const src = resolve('src');

/** Every .ts file under `dir`. */
function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** The files a file imports or re-exports by relative path, type-only imports included (they tie modules together all the same). */
function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/\b(?:from|import)\s+'(\.{1,2}\/[^']+)\.js'/g)].map((match) => resolve(dirname(file), `${match[1] ?? ''}.ts`));
}

/** The import circles through any file of `files`, each as the list of files around it (relative to src). */
function circles(files: readonly string[]): string[][] {
  const graph = new Map(files.map((file) => [file, relativeImports(file)]));
  const found: string[][] = [];
  const visit = (file: string, path: string[]): void => {
    for (const next of graph.get(file) ?? []) {
      const at = path.indexOf(next);
      if (at === 0) found.push(path.map((p) => relative(src, p)));
      // Each circle is reported from its first file in path order only, and no path is walked twice.
      else if (at < 0 && next > (path[0] ?? '') && path.length < 12) visit(next, [...path, next]);
    }
  };
  for (const file of files) visit(file, [file]);
  return found;
}

describe('import circles', () => {
  it('finds a circle of type-only imports, as credentials.ts and credential-cache.ts had', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-cycles-'));
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport interface A { readonly b: typeof b }\n");
    writeFileSync(join(dir, 'b.ts'), "import type { A } from './a.js';\nexport const b: A | undefined = undefined;\n");
    writeFileSync(join(dir, 'c.ts'), "import { b } from './b.js';\nexport const c = b;\n");
    expect(circles(sourceFiles(dir))).toHaveLength(1);
  });

  it('src/ has none', () => {
    expect(circles(sourceFiles(src))).toEqual([]);
  });
});
