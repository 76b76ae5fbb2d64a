import { definedFields } from '../defined-fields.js';
import { DuplicateSerial, InvalidQuantity, SerialsMismatch } from '../errors.js';
import { isVirtualLocation } from '../locations.js';
import { isWholeUnits, maxQuantity } from '../quantity.js';
import { Decision, type CommandOf } from './decision.js';
import type { StockEvent } from './events.js';
import { checkArticle, checkAvailable, checkLocation, checkLot, checkQuantity, checkSerials, checkSerialsAt } from './rules.js';
import { onHandAt, type StockState } from './state.js';

/** AdjustStock: found stock (from @loss) or lost stock (to @loss). */
export function adjust(command: CommandOf<'AdjustStock'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, false);
  const decision = new Decision(state);
  for (const line of data.lines) {
    if (line.delta === 0) throw new InvalidQuantity('delta must not be 0', line.line, 'delta');
    const quantity = Math.abs(line.delta);
    checkQuantity(quantity, context, line.line, 'delta');
    checkLocation(line.location, context, line.line, 'location', true);
    checkLot(data.sku, line.lot, context, line.line);
    checkSerials(data.sku, line.serials, quantity, context, line.line, decision.serials);
    if (line.delta < 0) {
      checkSerialsAt(decision.draft, data.sku, line.serials, line.location, line.line);
      checkAvailable(decision.draft, context, data.sku, { location: line.location, lot: line.lot, quantity, line: line.line });
    } else {
      for (const serial of line.serials ?? []) {
        const where = decision.draft.serials.get(serial);
        // Found again: a serial lost (@loss) or missed by a count (@count) may come back.
        if (where !== undefined && where !== '@loss' && where !== '@count') throw new DuplicateSerial(data.sku, serial, line.line);
      }
    }
    decision.record({
      type: 'StockAdjusted',
      data: definedFields({
        movementId: data.movementId,
        line: line.line,
        sku: data.sku,
        location: line.location,
        delta: line.delta,
        lot: line.lot,
        serials: line.serials,
        reason: data.reason,
        note: data.note,
      }),
    });
  }
  return decision.events;
}

/** CountStock: a physical count of one location; the difference moves from or to @count. */
export function count(command: CommandOf<'CountStock'>, state: StockState): StockEvent[] {
  const { data, context } = command;
  checkArticle(data.sku, context, data.lines[0]?.line, false);
  const decision = new Decision(state);
  for (const line of data.lines) {
    // Counting is allowed in a blocked location: locations are often blocked to be counted.
    checkLocation(data.location, context, line.line, 'location', false);
    if (!Number.isSafeInteger(line.counted) || line.counted < 0 || line.counted > maxQuantity) {
      throw new InvalidQuantity('counted must be at least 0 and at most 1e9, with at most 3 decimals', line.line, 'counted');
    }
    if (context.article.tracking === 'serial' && !isWholeUnits(line.counted)) {
      throw new InvalidQuantity('counted of a serial-tracked article must be a whole number of units', line.line, 'counted');
    }
    checkLot(data.sku, line.lot, context, line.line);
    const expected = onHandAt(decision.draft, data.location, line.lot);
    let serialsFound: string[] | undefined;
    let serialsMissing: string[] | undefined;
    if (context.article.tracking === 'serial') {
      if (line.counted > 0) checkSerials(data.sku, line.serials, line.counted, context, line.line, decision.serials);
      else if (line.serials && line.serials.length > 0) throw new SerialsMismatch('counted 0 but serials were given', line.line);
      const listed = new Set(line.serials ?? []);
      serialsFound = [...listed].filter((serial) => decision.draft.serials.get(serial) !== data.location);
      for (const serial of serialsFound) {
        const where = decision.draft.serials.get(serial);
        if (where !== undefined && !isVirtualLocation(where)) {
          throw new SerialsMismatch(`serial ${serial} is recorded at ${where}: move it there before counting`, line.line);
        }
      }
      serialsMissing = serialsAt(decision.draft, data.location).filter((serial) => !listed.has(serial));
    } else if (line.serials && line.serials.length > 0) {
      checkSerials(data.sku, line.serials, line.counted, context, line.line, decision.serials);
    }
    const difference = line.counted - expected;
    if (difference < 0) checkAvailable(decision.draft, context, data.sku, { location: data.location, lot: line.lot, quantity: -difference, line: line.line });
    decision.record({
      type: 'StockCounted',
      data: definedFields({
        movementId: data.movementId,
        line: line.line,
        sku: data.sku,
        location: data.location,
        lot: line.lot,
        counted: line.counted,
        expected,
        difference,
        serialsFound: serialsFound && serialsFound.length > 0 ? serialsFound : undefined,
        serialsMissing: serialsMissing && serialsMissing.length > 0 ? serialsMissing : undefined,
      }),
    });
  }
  return decision.events;
}

/** The serials recorded at a location: a scan, as counts of serial-tracked articles are rare and small. */
function serialsAt(state: StockState, location: string): string[] {
  const found: string[] = [];
  for (const [serial, where] of state.serials.entries()) if (where === location) found.push(serial);
  return found;
}
