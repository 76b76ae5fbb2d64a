import { ArticleArchived, InsufficientStock, InvalidQuantity, LocationBlocked, LotNotTracked, LotRequired, SerialNotAtLocation, SerialsMismatch, UnknownArticle, UnknownLocation, VirtualLocationNotAllowed } from '../errors.js';
import { isVirtualLocation } from '../locations.js';
import { fromThousandths, isWholeUnits, maxQuantity, oneUnit, type Quantity } from '../quantity.js';
import type { StockContext } from './commands.js';
import { onHandAt, reservedAt, totalOnHand, totalReserved, type StockState } from './state.js';

/** The article must exist; an archived one takes no new stock and no new reservations. */
export function checkArticle(sku: string, context: StockContext, line: number | undefined, incoming: boolean): void {
  if (!context.article.exists) throw new UnknownArticle(sku, line);
  if (incoming && context.article.archived) throw new ArticleArchived(sku, line);
}

/** A line quantity: more than zero, at most 1e9 units, whole units for serial-tracked articles. */
export function checkQuantity(quantity: Quantity, context: StockContext, line: number, field = 'quantity'): void {
  if (!Number.isSafeInteger(quantity) || quantity <= 0 || quantity > maxQuantity) {
    throw new InvalidQuantity(`${field} must be more than 0 and at most 1e9, with at most 3 decimals`, line, field);
  }
  if (context.article.tracking === 'serial' && !isWholeUnits(quantity)) {
    throw new InvalidQuantity(`${field} of a serial-tracked article must be a whole number of units`, line, field);
  }
}

/** Lot-tracked articles need a lot on every movement; others take none. */
export function checkLot(sku: string, lot: string | undefined, context: StockContext, line: number): void {
  if (context.article.tracking === 'lot' && lot === undefined) throw new LotRequired(sku, line);
  if (context.article.tracking !== 'lot' && lot !== undefined) throw new LotNotTracked(sku, line);
}

/**
 * Serial-tracked articles need one distinct serial per unit moved, not repeated anywhere else in
 * the same command (`seen`); other articles take no serials.
 */
export function checkSerials(
  sku: string,
  serials: readonly string[] | undefined,
  quantity: Quantity,
  context: StockContext,
  line: number,
  seen: Set<string>,
): void {
  if (context.article.tracking !== 'serial') {
    if (serials !== undefined && serials.length > 0) throw new SerialsMismatch(`article ${sku} is not serial-tracked: a movement of it takes no serials`, line);
    return;
  }
  const units = quantity / oneUnit;
  if (serials === undefined || serials.length !== units) {
    throw new SerialsMismatch(`article ${sku} is serial-tracked: ${units} unit(s) need ${units} serial(s), got ${serials?.length ?? 0}`, line);
  }
  for (const serial of serials) {
    if (seen.has(serial)) throw new SerialsMismatch(`serial ${serial} appears more than once in this movement`, line);
    seen.add(serial);
  }
}

/**
 * A location a line names: real (not one of the virtual ones), known, and, when stock goes in or
 * out of it, not blocked.
 */
export function checkLocation(code: string, context: StockContext, line: number, field: string, movesStock: boolean): void {
  if (isVirtualLocation(code)) throw new VirtualLocationNotAllowed(code, line, field);
  const facts = context.locations[code];
  if (!facts?.exists) throw new UnknownLocation(code, line, field);
  if (movesStock && facts.blocked) throw new LocationBlocked(code, line, field);
}

/** Every serial must be at `location` now. */
export function checkSerialsAt(state: StockState, sku: string, serials: readonly string[] | undefined, location: string, line: number): void {
  for (const serial of serials ?? []) {
    if (state.serials.get(serial) !== location) throw new SerialNotAtLocation(sku, serial, location, line);
  }
}

/**
 * What may be taken from a location (and lot) without touching stock reserved for others: the
 * least of the lot's on hand there, the location's on hand less its reservations, and the
 * article's on hand less all its reservations. The reservation `ownReference` does not count
 * against it (a shipment takes what was reserved for it). A move `withinWarehouse` keeps the
 * article's total, so reservations without a location do not hold it back.
 */
export function availableToTake(state: StockState, location: string, lot: string | undefined, ownReference?: string, withinWarehouse = false): Quantity {
  const atLot = onHandAt(state, location, lot);
  const atLocation = onHandAt(state, location) - reservedAt(state, location, ownReference);
  const article = withinWarehouse ? Number.POSITIVE_INFINITY : totalOnHand(state) - totalReserved(state, ownReference);
  return Math.max(0, Math.min(atLot, atLocation, article));
}

/** What may still be reserved, at one location or (without one) anywhere. */
export function availableToReserve(state: StockState, location: string | undefined): Quantity {
  const article = totalOnHand(state) - totalReserved(state);
  if (location === undefined) return Math.max(0, article);
  return Math.max(0, Math.min(article, onHandAt(state, location) - reservedAt(state, location)));
}

/** Refuses to take more than is available, unless the tenant allows negative stock. */
export function checkAvailable(
  state: StockState,
  context: StockContext,
  sku: string,
  take: {
    readonly location: string;
    readonly lot?: string;
    readonly quantity: Quantity;
    readonly line: number;
    readonly ownReference?: string;
    readonly withinWarehouse?: boolean;
  },
): void {
  if (context.allowNegativeStock || isVirtualLocation(take.location)) return;
  const available = availableToTake(state, take.location, take.lot, take.ownReference, take.withinWarehouse);
  if (take.quantity > available) {
    throw new InsufficientStock(sku, take.location, take.lot ?? null, fromThousandths(take.quantity), fromThousandths(available), take.line);
  }
}
