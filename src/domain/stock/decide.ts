import { assertNever } from '../decider.js';
import { DuplicateSerial, InsufficientStock, InvalidMovement, InvalidQuantity, LotExpired, LotExpiryMismatch, SerialsMismatch } from '../errors.js';
import { isVirtualLocation } from '../locations.js';
import { fromThousandths, isWholeUnits, maxQuantity, type Quantity } from '../quantity.js';
import type { StockCommand, StockContext } from './commands.js';
import { draftOf } from './draft.js';
import type { ReservationPart, StockEvent } from './events.js';
import { availableToReserve, checkArticle, checkAvailable, checkLocation, checkLot, checkQuantity, checkSerials, checkSerialsAt } from './rules.js';
import { evolveStock, onHandAt, type StockState } from './state.js';

type CommandOf<T extends StockCommand['type']> = Extract<StockCommand, { type: T }>;

/** Keeps only the optional fields that are set, so events carry no `undefined`. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** Records events on a draft as they are decided, so each line is checked against the lines before it. */
class Decision {
  readonly events: StockEvent[] = [];
  readonly draft: StockState;
  readonly serials = new Set<string>();
  constructor(state: StockState) {
    this.draft = draftOf(state);
  }
  record(event: StockEvent): void {
    evolveStock(this.draft, event);
    this.events.push(event);
  }
}

/** The day a lot expires when the receipt names none: business date plus the article's shelf life. */
function expiryFromShelfLife(context: StockContext): string | undefined {
  const days = context.article.shelfLifeDays;
  if (days === undefined) return undefined;
  // The business date as written (its own offset), like the expiry check of shipments.
  return new Date(Date.parse(`${context.occurredAt.slice(0, 10)}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function receive(command: CommandOf<'ReceiveStock'>, state: StockState): StockEvent[] {
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
      data: defined({
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

function transfer(command: CommandOf<'TransferStock'>, state: StockState): StockEvent[] {
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
      data: defined({
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

function reserve(command: CommandOf<'ReserveStock'>, state: StockState): StockEvent[] {
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
      data: defined({ movementId: data.movementId, line: line.line, sku: data.sku, reference: data.reference, location: line.location, quantity: line.quantity }),
    });
  }
  return decision.events;
}

/** Releases what is left of a reservation; nothing when this article has none under that reference. */
function release(command: CommandOf<'ReleaseReservation'>, state: StockState): StockEvent[] {
  const { data } = command;
  const parts = state.reservations.get(data.reference);
  if (!parts) return [];
  return [...parts].map(([location, quantity], line) => ({
    type: 'StockReservationReleased',
    data: defined({ movementId: data.movementId, line, sku: data.sku, reference: data.reference, location: location === '' ? undefined : location, quantity }),
  }));
}

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

function ship(command: CommandOf<'ShipStock'>, state: StockState): StockEvent[] {
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
      data: defined({
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

function returnStock(command: CommandOf<'ReturnStock'>, state: StockState): StockEvent[] {
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
      data: defined({
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

function adjust(command: CommandOf<'AdjustStock'>, state: StockState): StockEvent[] {
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
      data: defined({
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

function count(command: CommandOf<'CountStock'>, state: StockState): StockEvent[] {
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
      data: defined({
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

function reverse(command: CommandOf<'ReverseMovement'>, state: StockState): StockEvent[] {
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
      data: defined({
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

/** Decides a stock command against the article's stock; throws a DomainError when refused. */
export function decideStock(command: StockCommand, state: StockState): StockEvent[] {
  switch (command.type) {
    case 'ReceiveStock':
      return receive(command, state);
    case 'TransferStock':
      return transfer(command, state);
    case 'ReserveStock':
      return reserve(command, state);
    case 'ReleaseReservation':
      return release(command, state);
    case 'ShipStock':
      return ship(command, state);
    case 'ReturnStock':
      return returnStock(command, state);
    case 'AdjustStock':
      return adjust(command, state);
    case 'CountStock':
      return count(command, state);
    case 'ReverseMovement':
      return reverse(command, state);
    default:
      return assertNever(command);
  }
}

