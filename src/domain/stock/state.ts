import { isVirtualLocation } from '../locations.js';
import type { Quantity } from '../quantity.js';
import { movesOf, type Move, type ReservationPart, type StockEvent } from './events.js';
import { definedFields } from '../defined-fields.js';

/** What is known of a lot of this article. */
export interface LotInfo {
  readonly expiresOn?: string;
}

/** A key-value store with the part of Map that the stock state needs; a draft overlays its base. */
export interface Registry<V> {
  get(key: string): V | undefined;
  has(key: string): boolean;
  set(key: string, value: V): unknown;
  entries(): Iterable<[string, V]>;
}

/**
 * The stock of one article, as its stream's events leave it.
 *
 * - onHand: per real location and lot (`location\u0000lot`), zero balances dropped; virtual
 *   locations per location only (lots do not matter outside the warehouse). The sum over all
 *   entries is always zero: every move takes from one entry what it gives another.
 * - reservations: open reservations by reference, then by location (`''` for "anywhere").
 * - serials: every serial ever received, with where it is now (virtual locations included), so a
 *   serial is in one place and is received once.
 *
 * evolve updates the maps of the state it is given (a fold owns its state); decide never changes
 * the state: it works on a draft (see draft.ts).
 */
export interface StockState {
  sku?: string;
  readonly onHand: Map<string, Quantity>;
  readonly reservations: Map<string, Map<string, Quantity>>;
  readonly serials: Registry<string>;
  readonly lots: Registry<LotInfo>;
}

const separator = '\u0000';

/** The onHand key of a location and lot. */
export function balanceKey(location: string, lot: string | undefined): string {
  return isVirtualLocation(location) || lot === undefined ? location : `${location}${separator}${lot}`;
}

/** Splits an onHand key. */
export function splitBalanceKey(key: string): { location: string; lot?: string } {
  const at = key.indexOf(separator);
  return at < 0 ? { location: key } : { location: key.slice(0, at), lot: key.slice(at + 1) };
}

/** The state of an article with no stock events. */
export function initialStockState(): StockState {
  return { onHand: new Map(), reservations: new Map(), serials: new Map(), lots: new Map() };
}

function addTo(onHand: Map<string, Quantity>, key: string, quantity: Quantity): void {
  const next = (onHand.get(key) ?? 0) + quantity;
  if (next === 0) onHand.delete(key);
  else onHand.set(key, next);
}

function applyMove(state: StockState, move: Move): void {
  addTo(state.onHand, balanceKey(move.from, move.lot), -move.quantity);
  addTo(state.onHand, balanceKey(move.to, move.lot), move.quantity);
  for (const serial of move.serials ?? []) state.serials.set(serial, move.to);
}

function changeReservation(state: StockState, reference: string, location: string | undefined, quantity: Quantity): void {
  const parts = state.reservations.get(reference) ?? new Map<string, Quantity>();
  const key = location ?? '';
  const next = (parts.get(key) ?? 0) + quantity;
  if (next === 0) parts.delete(key);
  else parts.set(key, next);
  if (parts.size === 0) state.reservations.delete(reference);
  else state.reservations.set(reference, parts);
}

function consume(state: StockState, reference: string, parts: readonly ReservationPart[]): void {
  for (const part of parts) changeReservation(state, reference, part.location, -part.quantity);
}

/** Folds one stock event into the state (in place) and returns it. */
export function evolveStock(state: StockState, event: StockEvent): StockState {
  state.sku ??= event.data.sku;
  switch (event.type) {
    case 'StockReserved':
      changeReservation(state, event.data.reference, event.data.location, event.data.quantity);
      return state;
    case 'StockReservationReleased':
      changeReservation(state, event.data.reference, event.data.location, -event.data.quantity);
      return state;
    case 'StockReceived':
      if (event.data.lot !== undefined && !state.lots.has(event.data.lot)) {
        state.lots.set(event.data.lot, event.data.expiresOn === undefined ? {} : { expiresOn: event.data.expiresOn });
      }
      break;
    case 'StockShipped':
      if (event.data.reference !== undefined && event.data.reservationConsumed) consume(state, event.data.reference, event.data.reservationConsumed);
      break;
    default:
      break;
  }
  for (const move of movesOf(event)) applyMove(state, move);
  return state;
}

/** On hand of a location (all lots), or of one lot there. */
export function onHandAt(state: StockState, location: string, lot?: string): Quantity {
  if (lot !== undefined || isVirtualLocation(location)) return state.onHand.get(balanceKey(location, lot)) ?? 0;
  let total = 0;
  for (const [key, quantity] of state.onHand) if (splitBalanceKey(key).location === location) total += quantity;
  return total;
}

/** On hand in all real locations. */
export function totalOnHand(state: StockState): Quantity {
  let total = 0;
  for (const [key, quantity] of state.onHand) if (!isVirtualLocation(splitBalanceKey(key).location)) total += quantity;
  return total;
}

/** Reserved at one location (`undefined`: reserved without a location), optionally leaving one reference out. */
export function reservedAt(state: StockState, location: string | undefined, except?: string): Quantity {
  let total = 0;
  for (const [reference, parts] of state.reservations) if (reference !== except) total += parts.get(location ?? '') ?? 0;
  return total;
}

/** Reserved in all, optionally leaving one reference out. */
export function totalReserved(state: StockState, except?: string): Quantity {
  let total = 0;
  for (const [reference, parts] of state.reservations) if (reference !== except) for (const quantity of parts.values()) total += quantity;
  return total;
}

/** The sum over every location, virtual ones included: zero for every consistent state. */
export function sumOverAllLocations(state: StockState): Quantity {
  let total = 0;
  for (const quantity of state.onHand.values()) total += quantity;
  return total;
}

/** One line of stock in the warehouse, for FEFO and listings. */
export interface StockPosition {
  readonly location: string;
  readonly lot?: string;
  readonly expiresOn?: string;
  readonly onHand: Quantity;
}

/**
 * The article's stock in real locations in FEFO order (first expiring, first out): earliest expiry
 * first, lots without expiry after those with one, then by location and lot. Pickers take the
 * first position that has what they need.
 */
export function fefoOrder(state: StockState, location?: string): StockPosition[] {
  const positions: StockPosition[] = [];
  for (const [key, onHand] of state.onHand) {
    const split = splitBalanceKey(key);
    if (isVirtualLocation(split.location) || onHand <= 0 || (location !== undefined && split.location !== location)) continue;
    const expiresOn = split.lot === undefined ? undefined : state.lots.get(split.lot)?.expiresOn;
    positions.push(definedFields({ ...split, expiresOn, onHand }));
  }
  // Missing expiry and lot sort last; plain code-point order, the same on every machine.
  const compare = (a: string | undefined, b: string | undefined): number =>
    a === b ? 0 : a === undefined ? 1 : b === undefined ? -1 : a < b ? -1 : 1;
  return positions.sort((a, b) => compare(a.expiresOn, b.expiresOn) || compare(a.location, b.location) || compare(a.lot, b.lot));
}
