import { isVirtualLocation } from '../domain/locations.js';
import { oneUnit, type Quantity } from '../domain/quantity.js';
import type { StockEvent } from '../domain/stock/events.js';
import { evolveStock, fefoOrder, initialStockState, onHandAt, reservedAt, splitBalanceKey, totalOnHand, totalReserved, type StockPosition, type StockState } from '../domain/stock/state.js';
import { definedFields } from '../domain/defined-fields.js';

/** One line of a planned take: how much of the article leaves a location (and lot), with which serials. */
export interface PlannedTake {
  readonly location: string;
  readonly lot?: string;
  readonly quantity: Quantity;
  readonly serials?: readonly string[];
}

/** What a take may use and what it must respect. */
export interface TakeOptions {
  /** Locations stock may come from. */
  readonly from: readonly string[];
  /** A location whose stock is taken first (where a reservation was made). */
  readonly prefer?: string;
  /** Business date (YYYY-MM-DD): lots that expired before it are left alone. Omitted: expired lots are taken too. */
  readonly today?: string;
  /** Only these lots. */
  readonly lots?: ReadonlySet<string>;
  /** A shipment's own reference: its reservation does not hold the stock back. */
  readonly ownReference?: string;
  /** A transfer keeps the article's total, so reservations without a location do not hold it back. */
  readonly withinWarehouse?: boolean;
  /** Quantities are whole multiples of this (thousandths). */
  readonly step: Quantity;
  readonly serialTracked: boolean;
}

/**
 * The generator's own copy of every demo article's stock, folded with the domain's evolve from the
 * events the command handlers answered with. The generator plans each command against it, so
 * nothing it asks for is refused; availability is reckoned as in the domain's rules.ts.
 */
export class StockBook {
  private readonly states = new Map<string, StockState>();

  /** The article's stock as the events recorded so far leave it. */
  private state(sku: string): StockState {
    let state = this.states.get(sku);
    if (!state) {
      state = initialStockState();
      this.states.set(sku, state);
    }
    return state;
  }

  /** Folds events the command handlers recorded. */
  apply(events: readonly StockEvent[]): void {
    for (const event of events) evolveStock(this.state(event.data.sku), event);
  }

  /** On hand in the warehouse less everything reserved: the purchasing view of stock. */
  freeStock(sku: string): Quantity {
    const state = this.state(sku);
    return totalOnHand(state) - totalReserved(state);
  }

  /** What is reserved of the article under `reference`, by location (`''`: anywhere). */
  reservation(sku: string, reference: string): ReadonlyMap<string, Quantity> {
    return this.state(sku).reservations.get(reference) ?? new Map();
  }

  /** The serials of the article now at `location`, sorted. */
  serialsAt(sku: string, location: string): string[] {
    const found: string[] = [];
    for (const [serial, where] of this.state(sku).serials.entries()) if (where === location) found.push(serial);
    return found.sort();
  }

  /** Where a serial is now (a real or virtual location), or undefined when never received. */
  whereIs(sku: string, serial: string): string | undefined {
    return this.state(sku).serials.get(serial);
  }

  /** The article's positions (location, lot, on hand) in real locations, first expiring first. */
  positions(sku: string): StockPosition[] {
    return fefoOrder(this.state(sku));
  }

  /** Every real location that holds stock of some article, sorted. */
  stockedLocations(): string[] {
    const found = new Set<string>();
    for (const state of this.states.values()) {
      for (const [key, onHand] of state.onHand) {
        const { location } = splitBalanceKey(key);
        if (onHand > 0 && !isVirtualLocation(location)) found.add(location);
      }
    }
    return [...found].sort();
  }

  /** Every article, lot and quantity on hand at one location. */
  contents(location: string): Array<{ sku: string; lot?: string; onHand: Quantity }> {
    const found: Array<{ sku: string; lot?: string; onHand: Quantity }> = [];
    for (const [sku, state] of this.states) {
      for (const [key, onHand] of state.onHand) {
        const split = splitBalanceKey(key);
        if (split.location === location && onHand > 0) found.push(definedFields({ sku, lot: split.lot, onHand }));
      }
    }
    return found.sort((a, b) => (a.sku === b.sku ? ((a.lot ?? '') < (b.lot ?? '') ? -1 : 1) : a.sku < b.sku ? -1 : 1));
  }

  /**
   * Plans taking up to `wanted` of the article in one command, from as many positions as it needs,
   * each line checked the way the decider checks it after the lines before it: the lot's on hand
   * there, the location's on hand less its other reservations, and (unless within the warehouse)
   * the article's on hand less its other reservations. Returns the lines; they may add up to less
   * than wanted when less is available.
   */
  planTake(sku: string, wanted: Quantity, options: TakeOptions): PlannedTake[] {
    const state = this.state(sku);
    const from = new Set(options.from);
    const preferred = (location: string): number => (location === options.prefer ? 0 : 1);
    const positions = fefoOrder(state)
      .filter((position) => from.has(position.location))
      .filter((position) => options.lots === undefined || (position.lot !== undefined && options.lots.has(position.lot)))
      .filter((position) => options.today === undefined || position.expiresOn === undefined || position.expiresOn >= options.today)
      .sort((a, b) => preferred(a.location) - preferred(b.location));
    const takenAtLocation = new Map<string, Quantity>();
    let articleLeft = options.withinWarehouse ? Number.POSITIVE_INFINITY : totalOnHand(state) - totalReserved(state, options.ownReference);
    let left = wanted;
    const takes: PlannedTake[] = [];
    for (const position of positions) {
      if (left <= 0) break;
      const taken = takenAtLocation.get(position.location) ?? 0;
      const atLocation = onHandAt(state, position.location) - reservedAt(state, position.location, options.ownReference) - taken;
      const available = Math.min(position.onHand, atLocation, articleLeft);
      const quantity = Math.floor(Math.min(left, available) / options.step) * options.step;
      if (quantity <= 0) continue;
      const serials = options.serialTracked ? this.serialsAt(sku, position.location).slice(0, quantity / oneUnit) : undefined;
      takes.push(definedFields({ location: position.location, lot: position.lot, quantity, serials }));
      takenAtLocation.set(position.location, taken + quantity);
      articleLeft -= quantity;
      left -= quantity;
    }
    return takes;
  }

  /** The real locations, other than those listed, where the article has stock. */
  otherLocations(sku: string, except: readonly string[]): string[] {
    const found = new Set<string>();
    for (const [key, onHand] of this.state(sku).onHand) {
      const { location } = splitBalanceKey(key);
      if (onHand > 0 && !isVirtualLocation(location) && !except.includes(location)) found.add(location);
    }
    return [...found].sort();
  }
}
