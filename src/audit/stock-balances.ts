/**
 * On hand per article, location and lot, folded from stock events' moves (movesOf, the domain's
 * double entry): the book that verify, as-of, diff and replay all keep. Virtual locations
 * (@supplier, @customer, @loss, @count) are booked like real ones, so an article's balances sum
 * to zero over all of them.
 */
import type { RecordedEvent } from '../eventstore/event-store.js';
import { parseStreamName } from '../eventstore/stream-name.js';
import { isVirtualLocation } from '../domain/locations.js';
import type { Quantity } from '../domain/quantity.js';
import { movesOf, type Move, type StockEvent } from '../domain/stock/events.js';
import { decodeEvent } from '../events/codec.js';
import type { EventMetadata } from '../events/schemas.js';

/** One balance: an article at a location, in a lot ('' for none). */
export interface BalanceLine {
  readonly sku: string;
  readonly location: string;
  readonly lot: string;
  readonly onHand: Quantity;
}

/** A stock event read back (decoded and upcast), with what the store recorded about it. */
export interface DecodedStockEvent {
  readonly recorded: RecordedEvent;
  readonly event: StockEvent & { readonly metadata: EventMetadata };
}

/** Whether a recorded event is one of a stock stream (`<tenant>:stock-<sku>`). */
export function isStockStreamEvent(event: RecordedEvent): boolean {
  return parseStreamName(event.stream)?.category === 'stock';
}

/** Decodes a stock stream's event (throws InvalidStoredEvent when it does not decode). */
export function decodeStockEvent(recorded: RecordedEvent): DecodedStockEvent {
  return { recorded, event: decodeEvent<StockEvent>(recorded) };
}

const separator = '\u0000';

/** The book of balances. */
export class StockBalances {
  private readonly onHand = new Map<string, number>();

  /** Books the moves of one article. */
  apply(sku: string, moves: readonly Move[]): void {
    for (const move of moves) {
      const lot = move.lot ?? '';
      this.add(sku, move.from, lot, -move.quantity);
      this.add(sku, move.to, lot, move.quantity);
    }
  }

  /** Books one decoded stock event. */
  applyEvent(decoded: DecodedStockEvent): readonly Move[] {
    const moves = movesOf(decoded.event);
    this.apply(decoded.event.data.sku, moves);
    return moves;
  }

  /** On hand of an article at a location in a lot ('' for none). */
  get(sku: string, location: string, lot = ''): Quantity {
    return this.onHand.get(sku + separator + location + separator + lot) ?? 0;
  }

  /** Every non-zero balance, by article, location and lot; `real` keeps only real locations. */
  lines(options: { real?: boolean } = {}): BalanceLine[] {
    const lines: BalanceLine[] = [];
    for (const [key, onHand] of this.onHand) {
      if (onHand === 0) continue;
      const [sku = '', location = '', lot = ''] = key.split(separator);
      if (options.real && isVirtualLocation(location)) continue;
      lines.push({ sku, location, lot, onHand });
    }
    return lines.sort((a, b) => compareText(a.sku, b.sku) || compareText(a.location, b.location) || compareText(a.lot, b.lot));
  }

  /** The sum over every location, virtual ones included, per article: zero for a sound book. */
  totals(): Map<string, Quantity> {
    const totals = new Map<string, number>();
    for (const [key, onHand] of this.onHand) {
      const sku = key.slice(0, key.indexOf(separator));
      totals.set(sku, (totals.get(sku) ?? 0) + onHand);
    }
    return totals;
  }

  private add(sku: string, location: string, lot: string, quantity: Quantity): void {
    const key = sku + separator + location + separator + lot;
    this.onHand.set(key, (this.onHand.get(key) ?? 0) + quantity);
  }
}

/** Plain code-unit order, the same on every machine (localeCompare is not). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
