/**
 * What the Count screen has counted so far at one location: scanning an item adds one (or the
 * pack's count from a GS1 code), typing a figure sets it, and the last scan can be taken back.
 * Immutable: every change returns a new tally, which suits React state.
 */
import { countLineKey, type CountedLine } from './count-differences.js';
import { addQuantities, compareQuantities, subtractQuantities, validQuantity } from './quantity.js';

/** One counted article (and lot). */
export interface TallyLine {
  readonly sku: string;
  readonly lot?: string;
  readonly counted: string;
}

/** The counted lines in the order first counted, and the scans that can be undone, newest last. */
export interface CountTally {
  readonly lines: ReadonlyMap<string, TallyLine>;
  readonly scans: readonly { readonly key: string; readonly quantity: string }[];
}

/** A tally with nothing counted. */
export const emptyTally: CountTally = { lines: new Map(), scans: [] };

/** Adds a scan of `sku` (and `lot`): one more, or `quantity` more for a pack. */
export function tallyScan(tally: CountTally, sku: string, lot?: string, quantity = '1'): CountTally {
  const amount = validQuantity(quantity, 'positive');
  const key = countLineKey(sku, lot);
  const before = tally.lines.get(key);
  const lines = new Map(tally.lines);
  lines.set(key, { sku, ...(lot ? { lot } : {}), counted: before ? addQuantities(before.counted, amount) : amount });
  return { lines, scans: [...tally.scans, { key, quantity: amount }] };
}

/** Sets a line to a typed figure (0 allowed: counted and none found). Earlier scans of it can no longer be undone. */
export function setCounted(tally: CountTally, sku: string, lot: string | undefined, counted: string): CountTally {
  const figure = validQuantity(counted, 'non-negative');
  const key = countLineKey(sku, lot);
  const lines = new Map(tally.lines);
  lines.set(key, { sku, ...(lot ? { lot } : {}), counted: figure });
  return { lines, scans: tally.scans.filter((scan) => scan.key !== key) };
}

/** Takes back the last scan; a line that falls to nothing counted is removed. */
export function undoLastScan(tally: CountTally): CountTally {
  const last = tally.scans.at(-1);
  if (!last) return tally;
  const lines = new Map(tally.lines);
  const line = lines.get(last.key);
  if (line) {
    const counted = subtractQuantities(line.counted, last.quantity);
    if (compareQuantities(counted, '0') <= 0) lines.delete(last.key);
    else lines.set(last.key, { ...line, counted });
  }
  return { lines, scans: tally.scans.slice(0, -1) };
}

/** The tally as count lines, in the order first counted (the shape count differences and the API take). */
export function tallyLines(tally: CountTally): CountedLine[] {
  return [...tally.lines.values()].map((line) => ({ sku: line.sku, ...(line.lot ? { lot: line.lot } : {}), counted: line.counted }));
}
