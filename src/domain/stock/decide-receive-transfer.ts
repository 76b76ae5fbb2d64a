import { DuplicateSerial, InvalidMovement, LotExpiryMismatch } from '../errors.js';
import type { StockContext } from './commands.js';
import { definedFields } from '../defined-fields.js';
import { Decision, type CommandOf } from './decision.js';
import type { StockEvent } from './events.js';
import { checkArticle, checkAvailable, checkLocation, checkLot, checkQuantity, checkSerials, checkSerialsAt } from './rules.js';
import type { StockState } from './state.js';

/** The day a lot expires when the receipt names none: business date plus the article's shelf life. */
function expiryFromShelfLife(context: StockContext): string | undefined {
  const days = context.article.shelfLifeDays;
  if (days === undefined) return undefined;
  // The business date as written (its own offset), like the expiry check of shipments.
  return new Date(Date.parse(`${context.occurredAt.slice(0, 10)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** ReceiveStock: goods in from @supplier, each line to a real location; a new lot gets its expiry. */
export function receive(command: CommandOf<'ReceiveStock'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, true);
  const decision = new Decision(state);
  for (const line of data.lines) {
    checkQuantity(line.quantity, context, line.line);
    checkLocation(line.location, context, line.line, 'location', true);
    checkLot(data.sku, line.lot, context, line.line);
    checkSerials(data.sku, line.serials, line.quantity, context, line.line, decision.serials);
    for (const serial of line.serials ?? []) {
      const where = decision.draft.serials.get(serial);
      // A serial whose receipt was reversed is back at @supplier and may be received again.
      if (where !== undefined && where !== '@supplier') throw new DuplicateSerial(data.sku, serial, line.line);
    }
    if (line.lot === undefined && line.expiresOn !== undefined) throw new InvalidMovement('expiresOn belongs to a lot: give the lot too', line.line, 'expiresOn');
    let expiresOn: string | undefined;
    if (line.lot !== undefined) {
      const known = decision.draft.lots.get(line.lot);
      if (known && line.expiresOn !== undefined && line.expiresOn !== known.expiresOn) {
        throw new LotExpiryMismatch(data.sku, line.lot, known.expiresOn ?? null, line.line);
      }
      expiresOn = known ? known.expiresOn : (line.expiresOn ?? expiryFromShelfLife(context));
    }
    decision.record({
      type: 'StockReceived',
      data: definedFields({
        movementId: data.movementId,
        line: line.line,
        sku: data.sku,
        to: line.location,
        quantity: line.quantity,
        lot: line.lot,
        expiresOn,
        serials: line.serials,
        unitCost: line.unitCost,
        reference: data.reference,
      }),
    });
  }
  return decision.events;
}

/** TransferStock: moves between two real locations (put-away, replenishment). */
export function transfer(command: CommandOf<'TransferStock'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, false);
  const decision = new Decision(state);
  for (const line of data.lines) {
    checkQuantity(line.quantity, context, line.line);
    checkLocation(line.from, context, line.line, 'from', true);
    checkLocation(line.to, context, line.line, 'to', true);
    if (line.from === line.to) throw new InvalidMovement('from and to are the same location', line.line, 'to');
    checkLot(data.sku, line.lot, context, line.line);
    checkSerials(data.sku, line.serials, line.quantity, context, line.line, decision.serials);
    checkSerialsAt(decision.draft, data.sku, line.serials, line.from, line.line);
    checkAvailable(decision.draft, context, data.sku, { location: line.from, lot: line.lot, quantity: line.quantity, line: line.line, withinWarehouse: true });
    decision.record({
      type: 'StockTransferred',
      data: definedFields({
        movementId: data.movementId,
        line: line.line,
        sku: data.sku,
        from: line.from,
        to: line.to,
        quantity: line.quantity,
        lot: line.lot,
        serials: line.serials,
        reference: data.reference,
      }),
    });
  }
  return decision.events;
}
