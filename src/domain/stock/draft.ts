import type { Registry, StockState } from './state.js';
import { definedFields } from '../defined-fields.js';

/** A registry that reads through to a base and keeps its own writes apart from it. */
class Overlay<V> implements Registry<V> {
  private readonly changes = new Map<string, V>();
  constructor(private readonly base: Registry<V>) {}
  get(key: string): V | undefined {
    return this.changes.has(key) ? this.changes.get(key) : this.base.get(key);
  }
  has(key: string): boolean {
    return this.changes.has(key) || this.base.has(key);
  }
  set(key: string, value: V): this {
    this.changes.set(key, value);
    return this;
  }
  *entries(): Iterable<[string, V]> {
    yield* this.changes.entries();
    for (const entry of this.base.entries()) if (!this.changes.has(entry[0])) yield entry;
  }
}

/**
 * A copy of a stock state that decide() may change freely while it tries a command out. Balances
 * and open reservations are copied (few per article); serials and lots, which only grow, are
 * overlaid so that trying a command costs the same however long the article's history is.
 */
export function draftOf(state: StockState): StockState {
  return definedFields({
    sku: state.sku,
    onHand: new Map(state.onHand),
    reservations: new Map([...state.reservations].map(([reference, parts]) => [reference, new Map(parts)])),
    serials: new Overlay(state.serials),
    lots: new Overlay(state.lots),
  });
}
