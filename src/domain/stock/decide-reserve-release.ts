import { definedFields } from '../defined-fields.js';
import { InsufficientStock } from '../errors.js';
import { fromThousandths } from '../quantity.js';
import { Decision, type CommandOf } from './decision.js';
import type { StockEvent } from './events.js';
import { availableToReserve, checkArticle, checkLocation, checkQuantity } from './rules.js';
import type { StockState } from './state.js';

/** ReserveStock: promises available stock to a reference, at a location or anywhere. */
export function reserve(command: CommandOf<'ReserveStock'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, true);
  const decision = new Decision(state);
  for (const line of data.lines) {
    checkQuantity(line.quantity, context, line.line);
    if (line.location !== undefined) checkLocation(line.location, context, line.line, 'location', false);
    const available = availableToReserve(decision.draft, line.location);
    if (line.quantity > available) {
      throw new InsufficientStock(data.sku, line.location ?? null, null, fromThousandths(line.quantity), fromThousandths(available), line.line);
    }
    decision.record({
      type: 'StockReserved',
      data: definedFields({ movementId: data.movementId, line: line.line, sku: data.sku, reference: data.reference, location: line.location, quantity: line.quantity }),
    });
  }
  return decision.events;
}

/** Releases what is left of a reservation; nothing when this article has none under that reference. */
export function release(command: CommandOf<'ReleaseReservedStock'>, state: StockState): StockEvent[] {
  const { data } = command;
  const parts = state.reservations.get(data.reference);
  if (!parts) return [];
  return [...parts].map(([location, quantity], line) => ({
    type: 'StockReservationReleased',
    data: definedFields({ movementId: data.movementId, line, sku: data.sku, reference: data.reference, location: location === '' ? undefined : location, quantity }),
  }));
}
