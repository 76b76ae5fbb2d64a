import type { CommandContext } from './context.js';

/** A column of a readable table: its heading and how a row shows in it. */
export interface Column<Row> {
  readonly heading: string;
  readonly value: (row: Row) => string;
}

/** Bold headings on a colour terminal; plain text on a pipe or with NO_COLOR. */
function heading(context: CommandContext, text: string): string {
  return context.color ? `\x1b[1m${text}\x1b[0m` : text;
}

/** Prints rows as aligned columns, or as NDJSON (one object a line) with --json. */
export function printListing<Row>(context: CommandContext, rows: readonly Row[], columns: readonly Column<Row>[], json: (row: Row) => unknown = (row) => row): void {
  if (context.json) {
    for (const row of rows) context.out(JSON.stringify(json(row)));
    return;
  }
  if (rows.length === 0) {
    context.err('(none)');
    return;
  }
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const widths = columns.map((column, index) => Math.max(column.heading.length, ...cells.map((line) => (line[index] ?? '').length)));
  const pad = (text: string, index: number): string => (index === columns.length - 1 ? text : text.padEnd(widths[index] ?? 0));
  context.out(heading(context, columns.map((column, index) => pad(column.heading, index)).join('  ')));
  for (const line of cells) context.out(line.map(pad).join('  '));
}

/** Prints one record: `name  value` lines, or one JSON document with --json. */
export function printRecord(context: CommandContext, record: Readonly<Record<string, unknown>>): void {
  if (context.json) {
    context.out(JSON.stringify(record));
    return;
  }
  const width = Math.max(...Object.keys(record).map((key) => key.length));
  for (const [key, value] of Object.entries(record)) context.out(`${heading(context, key.padEnd(width))}  ${typeof value === 'string' ? value : JSON.stringify(value)}`);
}
