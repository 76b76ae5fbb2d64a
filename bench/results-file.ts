/**
 * bench/RESULTS.md: one section per benchmark between marker comments, so that running one
 * benchmark replaces its own section and leaves the others' as they were.
 */
import { readFile, writeFile } from 'node:fs/promises';

const preamble = `# Benchmark results

Written by \`npm run bench\` (all benchmarks) or \`npm run bench -- <name>\` (one). Each run replaces
its benchmark's section and keeps the others. Figures are from one run on the machine named in the
section: compare ratios within a section rather than absolute figures across machines.
`;

const startMarker = (name: string): string => `<!-- bench:${name}:start -->`;
const endMarker = (name: string): string => `<!-- bench:${name}:end -->`;

/** `document` with the section of benchmark `name` set to `body`: replaced where it was, else appended. */
export function replaceSection(document: string, name: string, body: string): string {
  const section = `${startMarker(name)}\n${body.trim()}\n${endMarker(name)}`;
  const start = document.indexOf(startMarker(name));
  const end = document.indexOf(endMarker(name));
  if (start >= 0 && end > start) {
    return document.slice(0, start) + section + document.slice(end + endMarker(name).length);
  }
  const base = document.trim().length === 0 ? preamble : document.trimEnd() + '\n';
  return `${base}\n${section}\n`;
}

/** Writes `body` as benchmark `name`'s section of the results file at `file`, creating the file if needed. */
export async function updateResultsFile(file: string, name: string, body: string): Promise<void> {
  const current = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  await writeFile(file, replaceSection(current, name, body));
}
