import { definedFields } from '../defined-fields.js';
import { LotExpired } from '../errors.js';
import type { Quantity } from '../quantity.js';
import { Decision, type CommandOf } from './decision.js';
import type { ReservationPart, StockEvent } from './events.js';
import { checkArticle, checkAvailable, checkLocation, checkLot, checkQuantity, checkSerials, checkSerialsAt } from './rules.js';
import type { StockState } from './state.js';

/** Takes up to `quantity` from a reservation: its part at `from` first, then the unplaced part, then the rest. */
function consumeReservation(state: StockState, reference: string, from: string, quantity: Quantity): ReservationPart[] {
  const parts = state.reservations.get(reference);
  if (!parts) return [];
  const order = [from, '', ...[...parts.keys()].filter((key) => key !== from && key !== '')];
  const consumed: ReservationPart[] = [];
  let left = quantity;
  for (const key of order) {
    const reserved = parts.get(key) ?? 0;
    const take = Math.min(left, reserved);
    if (take <= 0) continue;
    consumed.push(key === '' ? { quantity: take } : { location: key, quantity: take });
    left -= take;
    if (left === 0) break;
  }
  return consumed;
}

/** ShipStock: goods out to @customer, taking the reservation of its reference first. */
export function ship(command: CommandOf<'ShipStock'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, false);
  const decision = new Decision(state);
  const today = context.occurredAt.slice(0, 10);
  for (const line of data.lines) {
    checkQuantity(line.quantity, context, line.line);
    checkLocation(line.from, context, line.line, 'from', true);
    checkLot(data.sku, line.lot, context, line.line);
    checkSerials(data.sku, line.serials, line.quantity, context, line.line, decision.serials);
    checkSerialsAt(decision.draft, data.sku, line.serials, line.from, line.line);
    const expiresOn = line.lot === undefined ? undefined : decision.draft.lots.get(line.lot)?.expiresOn;
    if (line.lot !== undefined && expiresOn !== undefined && expiresOn < today && !line.allowExpired) {
      throw new LotExpired(data.sku, line.lot, expiresOn, line.line);
    }
    checkAvailable(decision.draft, context, data.sku, { location: line.from, lot: line.lot, quantity: line.quantity, line: line.line, ownReference: data.reference });
    const consumed = data.reference === undefined ? [] : consumeReservation(decision.draft, data.reference, line.from, line.quantity);
    decision.record({
      type: 'StockShipped',
      data: definedFields({
        movementId: data.movementId,
        line: line.line,
        sku: data.sku,
        from: line.from,
        quantity: line.quantity,
        lot: line.lot,
        serials: line.serials,
        reference: data.reference,
        reservationConsumed: consumed.length > 0 ? consumed : undefined,
      }),
    });
  }
  return decision.events;
}

/** ReturnStock: goods back from @customer. */
export function returnStock(command: CommandOf<'ReturnStock'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, false);
  const decision = new Decision(state);
  for (const line of data.lines) {
    checkQuantity(line.quantity, context, line.line);
    checkLocation(line.to, context, line.line, 'to', true);
    checkLot(data.sku, line.lot, context, line.line);
    checkSerials(data.sku, line.serials, line.quantity, context, line.line, decision.serials);
    checkSerialsAt(decision.draft, data.sku, line.serials, '@customer', line.line);
    decision.record({
      type: 'StockReturned',
      data: definedFields({
        movementId: data.movementId,
        line: line.line,
        sku: data.sku,
        to: line.to,
        quantity: line.quantity,
        lot: line.lot,
        serials: line.serials,
        reason: data.reason,
        reference: data.reference,
      }),
    });
  }
  return decision.events;
}
