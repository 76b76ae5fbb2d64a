import { definedFields } from '../defined-fields.js';
import { isVirtualLocation } from '../locations.js';
import { Decision, type CommandOf } from './decision.js';
import type { StockEvent } from './events.js';
import { checkArticle, checkAvailable, checkLocation, checkSerialsAt } from './rules.js';
import type { StockState } from './state.js';

/** ReverseStockMovement: the opposite moves of an earlier movement's lines of this article. */
export function reverse(command: CommandOf<'ReverseStockMovement'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, false);
  const decision = new Decision(state);
  for (const line of data.lines) {
    const from = line.to;
    const to = line.from;
    if (!isVirtualLocation(from)) checkLocation(from, context, line.line, 'from', true);
    if (!isVirtualLocation(to)) checkLocation(to, context, line.line, 'to', true);
    checkSerialsAt(decision.draft, data.sku, line.serials, from, line.line);
    checkAvailable(decision.draft, context, data.sku, { location: from, lot: line.lot, quantity: line.quantity, line: line.line });
    decision.record({
      type: 'StockMovementReversed',
      data: definedFields({
        movementId: data.movementId,
        line: line.line,
        sku: data.sku,
        reversedMovementId: data.reversedMovementId,
        from,
        to,
        quantity: line.quantity,
        lot: line.lot,
        serials: line.serials,
        reason: data.reason,
      }),
    });
  }
  return decision.events;
}
