/**
 * The differences the Count screen shows before a count is recorded: per article and lot at the
 * counted location, counted − on hand, exact. A line on hand that was not counted at all counts as
 * zero found, as the API records it when the count lists it with `counted: 0`.
 */
import { addQuantities, compareQuantities, subtractQuantities } from './quantity.js';

/** What the read model says is at the location. */
export interface OnHandLine {
  readonly sku: string;
  readonly lot?: string | null;
  readonly onHand: string;
}

/** What was counted there. */
export interface CountedLine {
  readonly sku: string;
  readonly lot?: string | null;
  readonly counted: string;
}

/** One line of the differences; `difference` > 0 is stock found, < 0 stock missing. */
export interface CountDifference {
  readonly sku: string;
  readonly lot?: string;
  readonly onHand: string;
  readonly counted: string;
  readonly difference: string;
  readonly outcome: 'found' | 'missing' | 'match';
  /** False for a line on hand that nobody counted (taken as 0 counted). */
  readonly wasCounted: boolean;
}

/** The key that tells an article's lots apart: the SKU, and the lot when there is one. */
export function countLineKey(sku: string, lot?: string | null): string {
  return lot === undefined || lot === null || lot === '' ? sku : `${sku}\u0000${lot}`;
}

/**
 * counted − on hand for every article and lot that is on hand or was counted, in the order of the
 * on-hand lines, then the counted lines that were not on hand.
 */
export function countDifferences(onHand: readonly OnHandLine[], counted: readonly CountedLine[]): CountDifference[] {
  const lines = new Map<string, { sku: string; lot?: string; onHand: string; counted: string; wasCounted: boolean }>();
  for (const line of onHand) {
    const key = countLineKey(line.sku, line.lot);
    const known = lines.get(key);
    const lot = line.lot ?? undefined;
    lines.set(key, { sku: line.sku, ...(lot ? { lot } : {}), onHand: known ? addQuantities(known.onHand, line.onHand) : line.onHand, counted: '0', wasCounted: false });
  }
  for (const line of counted) {
    const key = countLineKey(line.sku, line.lot);
    const known = lines.get(key);
    const lot = line.lot ?? undefined;
    if (known) lines.set(key, { ...known, counted: known.wasCounted ? addQuantities(known.counted, line.counted) : line.counted, wasCounted: true });
    else lines.set(key, { sku: line.sku, ...(lot ? { lot } : {}), onHand: '0', counted: line.counted, wasCounted: true });
  }
  return [...lines.values()].map((line) => {
    const difference = subtractQuantities(line.counted, line.onHand);
    const sign = compareQuantities(difference, '0');
    return { ...line, difference, outcome: sign > 0 ? 'found' : sign < 0 ? 'missing' : 'match' };
  });
}
